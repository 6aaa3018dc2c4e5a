#!/usr/bin/env node
// `npm start`: everything a newcomer needs to run auditflare locally, offline.
// 1. .dev.vars from .dev.vars.example (dev tokens) if missing, and what wrangler dev reads:
//    .wrangler/start.env, .dev.vars plus a dev source for each vendor type it lacks;
// 2. D1 migrations applied to the local database;
// 3. the IP database in local R2 (first run only);
// 4. the mock vendors on 127.0.0.1:8788 (scripts/mock-vendors.mjs): the PlanetScale and Turso
//    APIs, the S3 buckets and SQS queues of `circleci-s3` and `airkit-s3` (Airkit writes a file
//    at start and every five minutes), and the webhook receiver of the `local` destination;
// 5. Azurite (Microsoft's Azure Storage emulator) on 127.0.0.1:10000/10001 for the
//    `turbopuffer-azure` dev source: a turbopuffer file in a container and its BlobCreated event
//    on a Storage Queue, which the every-minute cron pulls (scripts/lib/dev-azure.mjs);
// 6. `wrangler dev` on port 8787 with the cron test route enabled (/__scheduled);
// 7. the Cron Triggers fired on their schedule (wrangler dev never fires them itself): the
//    every-minute crons once as soon as the Worker answers, then each cron when it is due.
import { spawn, spawnSync } from "node:child_process";
import {
  appendFileSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { cronsOf, parseCron } from "./lib/cron.mjs";
import { startDevAzure } from "./lib/dev-azure.mjs";
import { derivedDevSources, devVarsSources, withDevSources } from "./lib/dev-sources.mjs";
import { loadRegistry } from "./lib/registry.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const wrangler = join(root, "node_modules", ".bin", "wrangler");
const port = process.env.PORT ?? "8787";
const children = [];

function run(cmd, args, what) {
  console.log(`[start] ${what}`);
  const r = spawnSync(cmd, args, {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, CI: "true" },
  });
  if (r.status !== 0) {
    console.error(`[start] failed: ${what}`);
    process.exit(r.status ?? 1);
  }
}

const devVars = join(root, ".dev.vars");
const example = join(root, ".dev.vars.example");
if (!existsSync(devVars)) {
  copyFileSync(example, devVars);
  console.log("[start] wrote .dev.vars from .dev.vars.example (dev tokens)");
} else {
  // Keep an existing .dev.vars, but add keys that newer versions of the example introduced.
  const names = (text) =>
    new Set([...text.matchAll(/^([A-Za-z_][A-Za-z0-9_]*)=/gm)].map((m) => m[1]));
  const have = names(readFileSync(devVars, "utf8"));
  const missing = readFileSync(example, "utf8")
    .split("\n")
    .filter((l) => /^[A-Za-z_][A-Za-z0-9_]*=/.test(l) && !have.has(l.slice(0, l.indexOf("="))));
  if (missing.length > 0) {
    appendFileSync(devVars, `\n${missing.join("\n")}\n`);
    console.log(`[start] added to .dev.vars: ${missing.map((l) => l.split("=")[0]).join(", ")}`);
  }
  warnMissingSources(readFileSync(devVars, "utf8"), readFileSync(example, "utf8"));
}

/** An older .dev.vars keeps its SOURCES: name the dev sources of the example it lacks. */
function warnMissingSources(current, wanted) {
  const ids = (text) => new Set((devVarsSources(text) ?? []).map((s) => s.id));
  const have = ids(current);
  const lacking = [...ids(wanted)].filter((id) => !have.has(id));
  if (lacking.length > 0)
    console.log(
      `[start] your .dev.vars SOURCES lacks the dev sources ${lacking.join(", ")}: copy the SOURCES line of .dev.vars.example (or delete .dev.vars) to get them`,
    );
}

// The vendor manifests (src/vendors/*/vendor.yaml) bundled for the Worker, so an edited manifest
// runs as it is now (a manifest that fails its schema stops here, naming its line).
run("node", ["scripts/vendors-bundle.mjs"], "bundling the vendor manifests");

// The env file wrangler dev reads: .dev.vars, plus a dev source for each vendor type its SOURCES
// lacks (a vendor added since: aimed at its mock), so a new vendor needs no hand edit to run.
const startEnv = join(root, ".wrangler", "start.env");
{
  const text = readFileSync(devVars, "utf8");
  const { vendors, mocks } = await loadRegistry();
  // A SOURCES line that is not JSON is the Worker's to refuse (config_invalid): left as it is.
  const sources = devVarsSources(text);
  const added = sources
    ? derivedDevSources(sources, vendors, mocks, "http://127.0.0.1:8788")
    : { sources: [], vars: {} };
  if (added.sources.length > 0)
    console.log(
      `[start] dev sources for vendors your SOURCES lacks: ${added.sources.map((s) => s.id).join(", ")}`,
    );
  mkdirSync(dirname(startEnv), { recursive: true });
  writeFileSync(startEnv, withDevSources(text, added));
}

run(
  wrangler,
  ["d1", "migrations", "apply", "DB", "--local"],
  "applying D1 migrations to the local database",
);

// The offline IP → AS / country database (docs/enrichment.md): built from the pinned
// @ip-location-db packages and put into local R2 on first run only. Never fatal: without it,
// events are stored with null AS fields and GET /v1/sources says so.
spawnSync(process.execPath, [join(root, "scripts", "ipdb-build.mjs"), "--ensure-local"], {
  cwd: root,
  stdio: "inherit",
});

function stopAll(code) {
  for (const child of children) if (child.exitCode === null) child.kill("SIGTERM");
  process.exit(code);
}
process.on("SIGINT", () => stopAll(0));
process.on("SIGTERM", () => stopAll(0));

// Local stand-ins for the PlanetScale and Turso APIs, which the dev poller sources point at.
const mock = spawn(process.execPath, [join(root, "scripts", "mock-vendors.mjs")], {
  cwd: root,
  stdio: "inherit",
});
children.push(mock);

// The Azure Storage account of the `turbopuffer-azure` dev source (never fatal: without it, that
// source's lastError says why).
try {
  const azurite = await startDevAzure(root);
  if (azurite) children.push(azurite.child);
} catch (err) {
  console.error(`[start] Azurite: ${err.message}`);
}

const devArgs = [
  "dev",
  "--port",
  port,
  "--ip",
  "127.0.0.1",
  "--test-scheduled",
  "--env-file",
  startEnv,
];
const dev = spawn(wrangler, devArgs, {
  cwd: root,
  stdio: "inherit",
});
children.push(dev);
dev.on("exit", (code) => stopAll(code ?? 0));

// Cron Triggers: fire each configured cron through /cdn-cgi/handler/scheduled when it is due.
const crons = cronsOf(readFileSync(join(root, "wrangler.toml"), "utf8")).map((expr) => ({
  expr,
  due: parseCron(expr),
}));
const base = `http://127.0.0.1:${port}`;
async function fire(expr) {
  try {
    const res = await fetch(`${base}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent(expr)}`);
    if (!res.ok) console.error(`[start] cron "${expr}": the Worker answered ${res.status}`);
  } catch (err) {
    console.error(`[start] cron "${expr}": ${err.message}`);
  }
}
async function waitForWorker() {
  for (;;) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 1000));
  }
}
function everyMinute() {
  const now = new Date();
  for (const c of crons) if (c.due(now)) fire(c.expr);
  setTimeout(everyMinute, 60_000 - (Date.now() % 60_000) + 50);
}
if (crons.length > 0) {
  waitForWorker().then(() => {
    console.log(
      `[start] firing Cron Triggers on their schedule: ${crons.map((c) => c.expr).join(", ")}`,
    );
    for (const c of crons) if (c.expr === "* * * * *") fire(c.expr);
    setTimeout(everyMinute, 60_000 - (Date.now() % 60_000) + 50);
  });
}
