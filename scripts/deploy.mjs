#!/usr/bin/env node
// `npm run deploy`: auditflare into your Cloudflare account, after `npx wrangler login`.
// Creates what is missing (D1 database, R2 buckets, queues and their dead-letter queue), writes
// the D1 id into the config it deploys (wrangler.deploy.toml, gitignored: wrangler.toml stays
// as committed), applies the D1 migrations remotely, uploads the IP database, creates the R2
// event notification rule of each R2 bucket source, deploys, and prints the URL to give each
// vendor and the `wrangler secret put` line of every secret that is not set yet.
// Idempotent: what exists is found by listing it first and never created again.
//
// `wrangler` is the one on PATH (npm run puts node_modules/.bin first), or $WRANGLER; the tests
// run this script against a fake wrangler that records its calls (scripts/test/).
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "smol-toml";
import { buildDuckdbAssets } from "./duckdb-assets.mjs";

const here = join(dirname(fileURLToPath(import.meta.url)), "..");
/** Where the config is read and the deploy config written (the repository; a copy in tests). */
const root = process.env.AUDITFLARE_ROOT ?? here;
const wrangler = process.env.WRANGLER ?? "wrangler";
const CONFIG = join(root, "wrangler.toml");
const DEPLOY_CONFIG = join(root, "wrangler.deploy.toml");
const ZERO_ID = "00000000-0000-0000-0000-000000000000";

const log = (m) => console.log(`[deploy] ${m}`);

/** Runs wrangler; its output, or null when it failed and `allowFail`. */
function run(args, { allowFail = false, input, quiet = false } = {}) {
  const r = spawnSync(wrangler, args, {
    cwd: root,
    encoding: "utf8",
    input,
    env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false" },
  });
  if (r.error) throw new Error(`cannot run ${wrangler}: ${r.error.message}`);
  if (r.status !== 0) {
    if (allowFail) return null;
    throw new Error(`wrangler ${args.join(" ")} failed:\n${r.stderr || r.stdout}`);
  }
  if (!quiet && r.stdout.trim()) console.log(r.stdout.trim());
  return r.stdout;
}

const toml = parse(readFileSync(CONFIG, "utf8"));
const d1 = toml.d1_databases[0];
const buckets = toml.r2_buckets.map((b) => b.bucket_name);
const queues = [
  ...new Set(
    [
      ...(toml.queues?.producers ?? []).map((q) => q.queue),
      ...(toml.queues?.consumers ?? []).flatMap((q) => [q.queue, q.dead_letter_queue]),
    ].filter(Boolean),
  ),
];
const sources = process.env.DEPLOY_SOURCES
  ? JSON.parse(process.env.DEPLOY_SOURCES)
  : (toml.vars?.SOURCES ?? []);
const landing = toml.r2_buckets.find((b) => b.binding === "LANDING")?.bucket_name;
const eventsQueue = toml.queues.producers.find((q) => q.binding === "BUCKET_EVENTS")?.queue;

/**
 * Whether wrangler can reach the account. `wrangler whoami` exits 0 even when not logged in
 * (4.86), so its `--json` form is asked: {"loggedIn": false} and exit 1 when not; the text
 * "not authenticated" counts as not logged in too (a wrangler whose --json differs).
 */
function loggedIn() {
  const r = spawnSync(wrangler, ["whoami", "--json"], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false" },
  });
  if (r.error) throw new Error(`cannot run ${wrangler}: ${r.error.message}`);
  const out = `${r.stdout}\n${r.stderr}`;
  const json = out.match(/\{[^\n]*"loggedIn"[^\n]*\}/)?.[0];
  if (json) return JSON.parse(json).loggedIn === true && r.status === 0;
  return r.status === 0 && !/not (authenticated|logged in)/i.test(out);
}

function checkLogin() {
  if (loggedIn()) return;
  if (process.env.CLOUDFLARE_API_TOKEN)
    throw new Error(
      "CLOUDFLARE_API_TOKEN is set but Cloudflare does not accept it (`npx wrangler whoami`: not authenticated): check the token, or unset it and run `npx wrangler login`",
    );
  throw new Error("not logged in to Cloudflare: run `npx wrangler login` first");
}

/** The D1 database's id: found by name, or created. */
function ensureD1() {
  const list = JSON.parse(run(["d1", "list", "--json"], { quiet: true }) || "[]");
  const found = list.find((d) => d.name === d1.database_name);
  if (found) {
    log(`D1 database ${d1.database_name} exists (${found.uuid})`);
    return found.uuid;
  }
  log(`creating D1 database ${d1.database_name}`);
  const out = run(["d1", "create", d1.database_name]);
  const id = out.match(/database_id\W+([0-9a-f-]{36})/)?.[1];
  if (!id) throw new Error(`could not read the new database's id from:\n${out}`);
  return id;
}

function ensureBuckets() {
  const out = run(["r2", "bucket", "list"], { quiet: true });
  const have = new Set([...out.matchAll(/^name:\s+(\S+)/gm)].map((m) => m[1]));
  for (const b of buckets) {
    if (have.has(b)) log(`R2 bucket ${b} exists`);
    else {
      log(`creating R2 bucket ${b}`);
      run(["r2", "bucket", "create", b]);
    }
  }
}

const listed = (out, name) =>
  new RegExp(`(^|[\\s│|"])${name.replace(/[-/\\^$*+?.()|[\]{}]/g, "\\$&")}([\\s│|"]|$)`, "m").test(
    out,
  );

function ensureQueues() {
  const out = run(["queues", "list"], { quiet: true });
  for (const q of queues) {
    if (listed(out, q)) log(`queue ${q} exists`);
    else {
      log(`creating queue ${q}`);
      run(["queues", "create", q]);
    }
  }
}

/** The config deployed: wrangler.toml with the real D1 id (written only when it changes). */
function writeDeployConfig(id) {
  const text = readFileSync(CONFIG, "utf8").replace(
    new RegExp(`database_id = "${ZERO_ID}"`),
    `database_id = "${id}"`,
  );
  const header =
    "# Written by `npm run deploy` from wrangler.toml (the real D1 id). Do not edit.\n";
  // The static assets (DuckDB-WASM for the SQL tab), deployed with the Worker; not in
  // wrangler.toml, where local `wrangler dev` would stop firing Cron Triggers (see there).
  const assets =
    '\n# DuckDB-WASM for the explorer\'s SQL tab (public/duckdb/, scripts/duckdb-assets.mjs)\n[assets]\ndirectory = "./public"\n';
  const next = header + text + assets;
  if (existsSync(DEPLOY_CONFIG) && readFileSync(DEPLOY_CONFIG, "utf8") === next)
    log("wrangler.deploy.toml is up to date");
  else {
    writeFileSync(DEPLOY_CONFIG, next);
    log(`wrote wrangler.deploy.toml (D1 ${id})`);
  }
}

function uploadIpdb() {
  const bucket = toml.r2_buckets.find((b) => b.binding === "IPDB")?.bucket_name;
  const pointer = ["r2", "object", "get", `${bucket}/ipdb/current.json`, "--remote", "--pipe"];
  if (run(pointer, { allowFail: true, quiet: true }) !== null) {
    log("the IP database is in R2 (ipdb/current.json)");
    return;
  }
  log("building and uploading the IP database");
  const r = spawnSync(
    process.execPath,
    [
      join(here, "scripts", "ipdb-build.mjs"),
      ...["--upload", "remote", "--bucket", bucket, "--out", join(root, ".ipdb")],
    ],
    { cwd: root, stdio: "inherit", env: { ...process.env, WRANGLER: wrangler } },
  );
  if (r.status !== 0) throw new Error("the IP database upload failed");
}

/** One notification rule per R2 bucket source: its prefix's creates and deletes → the queue. */
function ensureNotifications() {
  const prefixes = sources.filter((s) => s.prefix).map((s) => s.prefix);
  if (prefixes.length === 0) return;
  const out =
    run(["r2", "bucket", "notification", "list", landing], { allowFail: true, quiet: true }) ?? "";
  const rules = out
    .split(/\n\s*\n/)
    .map((block) => ({
      queue: block.match(/queue(?:_name)?:\s+(\S+)/)?.[1],
      prefix: block.match(/prefix:\s+(\S+)/)?.[1] ?? "",
    }))
    .filter((r) => r.queue);
  for (const prefix of prefixes) {
    if (rules.some((r) => r.queue === eventsQueue && r.prefix === prefix)) {
      log(`notification rule ${landing}/${prefix}* → ${eventsQueue} exists`);
      continue;
    }
    log(`creating notification rule ${landing}/${prefix}* → ${eventsQueue}`);
    run([
      "r2",
      "bucket",
      "notification",
      "create",
      landing,
      "--event-type",
      "object-create",
      "--event-type",
      "object-delete",
      "--queue",
      eventsQueue,
      "--prefix",
      prefix,
    ]);
  }
}

/** Every secret the Worker and its sources read. */
function neededSecrets() {
  const names = new Set(["QUERY_API_TOKEN", "ADMIN_API_TOKEN"]);
  const add = (v) => v && names.add(v);
  for (const s of sources) {
    add(s.ingestTokenEnv);
    add(s.tokenEnv);
    add(s.s3?.accessKeyIdEnv);
    add(s.s3?.secretAccessKeyEnv);
    add(s.gcs?.serviceAccountJsonEnv);
    add(s.azure?.accountKeyEnv);
    add(s.azure?.sasTokenEnv);
    add(s.azure?.entra?.clientSecretEnv);
    add(s.azure?.eventGridSecretEnv);
  }
  return [...names];
}

function missingSecrets() {
  const out = run(["secret", "list", "--format", "json", "--config", DEPLOY_CONFIG], {
    allowFail: true,
    quiet: true,
  });
  const have = new Set(out ? JSON.parse(out).map((s) => s.name) : []);
  return neededSecrets().filter((n) => !have.has(n));
}

/** What to give each vendor. */
function vendorUrls(url) {
  for (const s of sources) {
    const base = `  ${s.id} (${s.type}):`;
    if (s.ingestTokenEnv)
      console.log(
        `${base} push to POST ${url}/v1/ingest/${s.id} with "Authorization: Bearer <${s.ingestTokenEnv}>"`,
      );
    if (s.prefix) console.log(`${base} files into R2 bucket ${landing} under ${s.prefix}`);
    if (s.s3?.topicArns?.length)
      console.log(
        `${base} subscribe ${url}/v1/sns/${s.id} (https) to ${s.s3.topicArns.join(", ")}`,
      );
    if (s.s3?.sqsQueueUrl) console.log(`${base} polls SQS ${s.s3.sqsQueueUrl} every minute`);
    if (s.gcs)
      console.log(
        `${base} Pub/Sub push endpoint ${url}/v1/gcs/${s.id} (audience ${s.gcs.pushAudience})`,
      );
    if (s.azure?.eventGridSecretEnv)
      console.log(
        `${base} Event Grid webhook ${url}/v1/azure/${s.id} (delivery property "Authorization: Bearer <${s.azure.eventGridSecretEnv}>", secret; docs/sources/azure.md)`,
      );
    if (s.azure?.queueName)
      console.log(
        `${base} polls Storage Queue ${s.azure.queueName} of account ${s.azure.account} every minute`,
      );
    if (s.tokenEnv)
      console.log(`${base} polled every ${s.intervalSeconds ?? 60} s with <${s.tokenEnv}>`);
  }
}

/** The paths vendors call without a person behind them (docs/access.md). */
const VENDOR_PATHS = ["/v1/ingest/*", "/v1/sns/*", "/v1/gcs/*", "/v1/azure/*"];

/** Cloudflare Access, short: in front of the people, never of the vendors. */
function accessHint(url) {
  const host = url.replace(/^https:\/\//, "");
  console.log(
    [
      "\nCloudflare Access (optional, for the people: explorer and API) must leave the vendors' paths open:",
      `  1. an Access application for ${host} (your people: Allow policy), then set ACCESS_TEAM_DOMAIN and ACCESS_AUD;`,
      `  2. a second application for ${host} with the paths ${VENDOR_PATHS.join(", ")}`,
      "     and one policy: action Bypass, include Everyone (the more specific path wins; each",
      "     vendor still authenticates to the Worker: ingest token, SNS signature, Pub/Sub token).",
      "  Step by step: docs/access.md",
    ].join("\n"),
  );
}

try {
  checkLogin();
  const id = d1.database_id && d1.database_id !== ZERO_ID ? d1.database_id : ensureD1();
  ensureBuckets();
  ensureQueues();
  writeDeployConfig(id);
  log("applying D1 migrations (remote)");
  run(["d1", "migrations", "apply", d1.binding, "--remote", "--config", DEPLOY_CONFIG]);
  uploadIpdb();
  ensureNotifications();
  await buildDuckdbAssets({ log });
  log("deploying the Worker (and public/: DuckDB-WASM for the SQL tab)");
  const out = run(["deploy", "--config", DEPLOY_CONFIG]);
  const url = out.match(/https:\/\/[a-z0-9.-]+\.workers\.dev/)?.[0] ?? "https://<your worker URL>";
  console.log(`\nauditflare is deployed at ${url}\n\nGive each vendor:`);
  vendorUrls(url);
  const missing = missingSecrets();
  if (missing.length > 0) {
    console.log("\nSecrets not set yet (each command asks for the value):");
    for (const n of missing)
      console.log(`  npx wrangler secret put ${n} --config wrangler.deploy.toml`);
    console.log(
      "  (tokens: e.g. `openssl rand -hex 32`; the query token only reads, the admin token writes)",
    );
  } else console.log("\nEvery secret the sources need is set.");
  accessHint(url);
} catch (err) {
  console.error(`[deploy] ${err.message}`);
  process.exit(1);
}
