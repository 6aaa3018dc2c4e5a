#!/usr/bin/env node
// `npm run ipdb:build [-- options]`: the offline IP → AS / country database of the enrichment
// stage (docs/enrichment.md). Reads the pinned @ip-location-db packages, runs the pure build of
// scripts/ipdb/core.mjs, and writes into .ipdb/ (gitignored):
//   <version>.bin.gz   the blob, uploaded to R2 as ipdb/v1/<version>.bin.gz
//   current.json       the pointer object naming it, uploaded as ipdb/current.json
//
// Options:
//   --upload local|remote   put the blob, then the pointer, into the IPDB bucket (local: the
//                           `wrangler dev` state in .wrangler/; remote: your Cloudflare account).
//                           The pointer is written last, so the old blob serves until the flip.
//   --ensure-local          for `npm start`: do nothing if local R2 already has a pointer, else
//                           build (or reuse .ipdb/) and upload locally. Never fails the caller.
//   --city-v4 FILE --city-v6 FILE
//                           optional ip-location-db city CSVs (`*-city-ipv4-num.csv`, columns
//                           start,end,country,state1,state2,city,postcode,lat,lon,timezone),
//                           e.g. from @ip-location-db/dbip-city (CC BY 4.0, DB-IP).
//   --out DIR               output directory (default .ipdb)
//   --bucket NAME           bucket name (default auditflare-ipdb)
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import { blobKey, buildIpdb, FORMAT, POINTER_KEY } from "./ipdb/core.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const wrangler = process.env.WRANGLER ?? join(root, "node_modules", ".bin", "wrangler");

const { values: opts } = parseArgs({
  options: {
    upload: { type: "string" },
    "ensure-local": { type: "boolean", default: false },
    "city-v4": { type: "string" },
    "city-v6": { type: "string" },
    out: { type: "string", default: join(root, ".ipdb") },
    bucket: { type: "string", default: "auditflare-ipdb" },
  },
});
if (opts.upload && opts.upload !== "local" && opts.upload !== "remote") {
  console.error("--upload must be local or remote");
  process.exit(2);
}
const log = (m) => console.log(`[ipdb] ${m}`);

const PACKAGES = [
  {
    name: "@ip-location-db/asn",
    short: "asn",
    files: { v4: "asn-ipv4-num.csv", v6: "asn-ipv6-num.csv" },
    license: "CC BY 4.0",
    attribution:
      "IP to ASN data by RouteViews (routeviews.org), DB-IP (https://db-ip.com, IP to ASN Lite) and the NRO (nro.net), compiled by sapics/ip-location-db",
  },
  {
    name: "@ip-location-db/geo-whois-asn-country",
    short: "country",
    files: { v4: "geo-whois-asn-country-ipv4-num.csv", v6: "geo-whois-asn-country-ipv6-num.csv" },
    license: "CC BY 4.0",
    attribution:
      "IP to country data from the five RIRs' WHOIS and ASN data, published by the NRO (nro.net), compiled by sapics/ip-location-db",
  },
];

function pkgDir(name) {
  const dir = join(root, "node_modules", name);
  if (!existsSync(join(dir, "package.json")))
    throw new Error(`${name} is not installed: run npm install (it is a pinned devDependency)`);
  return dir;
}

function expectedVersion() {
  const parts = PACKAGES.map((p) => {
    const { version } = JSON.parse(readFileSync(join(pkgDir(p.name), "package.json"), "utf8"));
    return { ...p, version };
  });
  let version = parts.map((p) => `${p.short}@${p.version}`).join("+");
  let city;
  if (opts["city-v4"] || opts["city-v6"]) {
    if (!opts["city-v4"] || !opts["city-v6"]) throw new Error("give both --city-v4 and --city-v6");
    city = {
      v4: readFileSync(resolve(opts["city-v4"]), "utf8"),
      v6: readFileSync(resolve(opts["city-v6"]), "utf8"),
    };
    const sha = createHash("sha256").update(city.v4).update("\n").update(city.v6).digest("hex");
    version += `+city@${sha.slice(0, 12)}`;
  }
  return { parts, version, city };
}

/**
 * Writes a file whole or not at all (a temporary file renamed over it): a reader of .ipdb/ (the
 * local servers of `npm start`, the e2e and smoke suites, while `npm test`'s deploy test rebuilds
 * it beside them in CI) never sees half a file.
 */
function writeAtomically(file, data) {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}

function build() {
  const { parts, version, city } = expectedVersion();
  const t0 = performance.now();
  const read = (p, f) => readFileSync(join(pkgDir(p.name), p.files[f]), "utf8");
  const [asnPkg, countryPkg] = parts;
  const sources = parts.map((p) => ({
    name: p.name,
    version: p.version,
    license: p.license,
    attribution: p.attribution,
  }));
  if (city)
    sources.push({
      name: "city CSV (operator-supplied)",
      version: version.split("+city@")[1],
      license: "see the CSV's source",
      attribution: "operator-supplied ip-location-db city CSV",
    });
  const { bytes, header } = buildIpdb({
    version,
    builtAt: new Date().toISOString(),
    sources,
    asn: { v4: read(asnPkg, "v4"), v6: read(asnPkg, "v6") },
    country: { v4: read(countryPkg, "v4"), v6: read(countryPkg, "v6") },
    city,
  });
  const gz = gzipSync(bytes, { level: 9 });
  mkdirSync(opts.out, { recursive: true });
  const key = blobKey(version);
  const file = join(opts.out, key.split("/").pop());
  writeAtomically(file, gz);
  const pointer = {
    format: FORMAT,
    key,
    version,
    builtAt: header.builtAt,
    bytes: gz.length,
    rawBytes: bytes.length,
    sha256: createHash("sha256").update(gz).digest("hex"),
    sources,
  };
  writeAtomically(join(opts.out, "current.json"), `${JSON.stringify(pointer, null, 2)}\n`);
  const mb = (n) => `${(n / 1048576).toFixed(2)} MiB`;
  log(
    `built ${version} in ${((performance.now() - t0) / 1000).toFixed(1)} s: ` +
      `${header.counts.v4Segments} IPv4 + ${header.counts.v6Segments} IPv6 segments, ` +
      `${header.counts.asns} AS names, ${mb(gz.length)} gzipped, ${mb(bytes.length)} in memory`,
  );
  log(`wrote ${file} and ${join(opts.out, "current.json")}`);
  return { file, pointer };
}

function r2put(where, key, file, contentType) {
  const r = spawnSync(
    wrangler,
    [
      "r2",
      "object",
      "put",
      `${opts.bucket}/${key}`,
      "--file",
      file,
      "--content-type",
      contentType,
      `--${where}`,
    ],
    { cwd: root, stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, CI: "true" } },
  );
  if (r.status !== 0) throw new Error(`wrangler r2 object put ${opts.bucket}/${key} failed`);
}

function upload(where, { file, pointer }) {
  log(`uploading ${pointer.key} to ${where} R2 bucket ${opts.bucket}`);
  r2put(where, pointer.key, file, "application/octet-stream");
  // The flip: only now does the Worker see the new version (it re-reads the pointer every few
  // minutes). The previous blob stays in the bucket; delete it once no isolate can use it.
  r2put(where, POINTER_KEY, join(opts.out, "current.json"), "application/json");
  log(`pointer ${POINTER_KEY} → ${pointer.key}`);
}

function localPointer() {
  const r = spawnSync(
    wrangler,
    ["r2", "object", "get", `${opts.bucket}/${POINTER_KEY}`, "--local", "--pipe"],
    {
      cwd: root,
      encoding: "utf8",
      env: { ...process.env, CI: "true" },
    },
  );
  if (r.status !== 0) return null;
  try {
    return JSON.parse(r.stdout);
  } catch {
    return null;
  }
}

function reuseOrBuild() {
  const { version } = expectedVersion();
  const pointerFile = join(opts.out, "current.json");
  if (existsSync(pointerFile)) {
    const pointer = JSON.parse(readFileSync(pointerFile, "utf8"));
    const file = join(opts.out, pointer.key.split("/").pop());
    if (pointer.version === version && existsSync(file)) {
      log(`reusing ${file}`);
      return { file, pointer };
    }
  }
  return build();
}

if (opts["ensure-local"]) {
  try {
    const have = localPointer();
    if (have?.key) {
      log(`local R2 has ${have.version} (refresh: npm run ipdb:build -- --upload local)`);
    } else {
      log("no IP database in local R2 yet: building it (first run only, ~30 s)");
      upload("local", reuseOrBuild());
    }
  } catch (e) {
    console.warn(`[ipdb] WARNING: ${e instanceof Error ? e.message : e}`);
    console.warn("[ipdb] continuing without it: events are stored with null AS fields");
  }
} else {
  const built = build();
  if (opts.upload) upload(opts.upload, built);
}
