#!/usr/bin/env node
// Benchmark of the enrichment stage on the full IP database (`node scripts/bench-enrich.mjs`).
// Runs the Worker's own reader (src/enrich, bundled with esbuild) in Node's V8, the engine
// workerd uses too. Builds .ipdb/ first if it is not there. Prints `BENCH name value` lines:
//   blob size gzipped and in memory, one-time load (decompress + view setup), lookups/s.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { importWorkerCode } from "./lib/import-worker-code.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const report = (name, value) => console.log(`BENCH ${name.padEnd(44)} ${value}`);

const pointerFile = join(root, ".ipdb", "current.json");
if (!existsSync(pointerFile)) {
  const r = spawnSync(process.execPath, [join(root, "scripts", "ipdb-build.mjs")], {
    stdio: "inherit",
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
const pointer = JSON.parse(readFileSync(pointerFile, "utf8"));
const gz = readFileSync(join(root, ".ipdb", pointer.key.split("/").pop()));

// The Worker code, as the Worker runs it.
const mod = await importWorkerCode(`export { lookup } from "./src/enrich/index.ts";
  export { lookupIp } from "./src/enrich/ipdb.ts";
  export { parseIpdb } from "./src/enrich/ipdb-parse.ts";
  export { gunzipSized } from "./src/enrich/load.ts";
  export { parseIP, unmapIPv4 } from "./src/lib/ip.ts";`);

const mib = (n) => `${(n / 1048576).toFixed(2)} MiB`;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// One-time load: decompress from a stream (as from R2) into one buffer, then the views.
const decompress = [];
const views = [];
let db;
for (let i = 0; i < 7; i++) {
  const t0 = performance.now();
  const bytes = await mod.gunzipSized(new Blob([gz]).stream());
  const t1 = performance.now();
  db = mod.parseIpdb(bytes);
  const t2 = performance.now();
  decompress.push(t1 - t0);
  views.push(t2 - t1);
}
report("ipdb version", db.header.version);
report("ipdb blob gzipped", `${mib(gz.length)} (${gz.length} bytes)`);
report("ipdb blob in memory", `${mib(db.byteLength)} (${db.byteLength} bytes)`);
report(
  "ipdb segments (IPv4 / IPv6 / AS names)",
  `${db.v4Asn.length} / ${db.v6Asn.length} / ${db.asnKeys.length}`,
);
report("ipdb load: decompress ms (median of 7)", median(decompress).toFixed(1));
report("ipdb load: view setup ms (median of 7)", median(views).toFixed(2));
report(
  "ipdb load: total ms (median of 7)",
  median(decompress.map((d, i) => d + (views[i] ?? 0))).toFixed(1),
);

// Addresses: random IPv4 (many land in private/unknown space, as real traffic rarely does) and
// addresses taken inside known IPv6 segments, fixed seed for repeatable runs.
let seed = 0x2545f491;
const rand = () => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return seed >>> 0;
};
const N4 = 1_000_000;
const v4 = Array.from({ length: N4 }, () => {
  const n = rand();
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
});
const N6 = 200_000;
const v6 = Array.from({ length: N6 }, () => {
  const i = rand() % db.v6Asn.length;
  const w = [0, 1, 2, 3].map((k) => db.v6Starts[i * 4 + k]);
  w[3] = (w[3] + (rand() & 0xff)) >>> 0;
  const h = w.flatMap((x) => [(x >>> 16).toString(16), (x & 0xffff).toString(16)]);
  return h.join(":");
});

function time(label, items, fn) {
  let hits = 0;
  for (let r = 0; r < 2; r++) for (let i = 0; i < 50_000; i++) fn(items[i % items.length]); // warm up
  const runs = [];
  for (let r = 0; r < 3; r++) {
    hits = 0;
    const t0 = performance.now();
    for (const x of items) if (fn(x) !== null) hits++;
    runs.push(performance.now() - t0);
  }
  const ms = median(runs);
  report(
    label,
    `${Math.round(items.length / (ms / 1000)).toLocaleString("en-US")} /s (${((ms * 1e6) / items.length).toFixed(0)} ns each, ${((100 * hits) / items.length).toFixed(0)}% found)`,
  );
}
time("lookups/s IPv4 string (parse + search)", v4, (s) => mod.lookup(db, s));
time("lookups/s IPv6 string (parse + search)", v6, (s) => mod.lookup(db, s));
const parsed4 = v4.map((s) => mod.parseIP(s));
const parsed6 = v6.map((s) => mod.parseIP(s));
time("lookups/s IPv4 binary search only", parsed4, (p) => mod.lookupIp(db, p));
time("lookups/s IPv6 binary search only", parsed6, (p) => mod.lookupIp(db, p));
