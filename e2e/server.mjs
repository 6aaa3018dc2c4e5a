// An isolated `wrangler dev` for the end-to-end tests: a free port, its own state directory
// (--persist-to), D1 migrations and the IP database put into that state first, and its own vars
// from an env file (--env-file) so the developer's .dev.vars is never read (wrangler skips
// .dev.vars whenever --env-file is given). startServer() resolves once GET /healthz answers.
import { spawn, spawnSync } from "node:child_process";
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildDuckdbAssets } from "../scripts/duckdb-assets.mjs";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const wrangler = join(root, "node_modules", ".bin", "wrangler");

/** The tokens of the e2e Worker (never the developer's). */
export const TOKENS = {
  query: "e2e-query-token",
  admin: "e2e-admin-token",
  ingest: "e2e-ingest-token",
};

/** Only sources that need nothing running besides the Worker: one push, two R2 prefixes. */
export const SOURCES = [
  {
    id: "turbopuffer",
    type: "turbopuffer",
    ingestTokenEnv: "TURBOPUFFER_INGEST_TOKEN",
    prefix: "turbopuffer/",
  },
  { id: "circleci", type: "circleci", prefix: "circleci/" },
  { id: "airkit", type: "airkit", prefix: "airkit/" },
];

const VARS = {
  QUERY_API_TOKEN: TOKENS.query,
  ADMIN_API_TOKEN: TOKENS.admin,
  TURBOPUFFER_INGEST_TOKEN: TOKENS.ingest,
  EMIT_LOCAL_NOTIFICATIONS: "true",
  SOURCES: JSON.stringify(SOURCES),
};

const childEnv = () => ({ ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false" });

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function runWrangler(args, what, log) {
  const t0 = Date.now();
  const r = spawnSync(wrangler, args, { cwd: root, env: childEnv(), encoding: "utf8" });
  log(`${what} (${Date.now() - t0} ms)`);
  if (r.status !== 0) {
    throw new Error(`${what} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
}

/**
 * The IP → AS / country database (docs/enrichment.md), so srcASOrganization and
 * srcASCountryCode are filled: .ipdb/ is reused when it matches the pinned packages, else built
 * there (what `npm start` does, ~30 s, once per clone). Returns null when it cannot be had.
 */
function ipdbFiles(log) {
  const pkgVersion = (name) =>
    JSON.parse(readFileSync(join(root, "node_modules", name, "package.json"), "utf8")).version;
  let expected;
  try {
    expected = `asn@${pkgVersion("@ip-location-db/asn")}+country@${pkgVersion("@ip-location-db/geo-whois-asn-country")}`;
  } catch {
    log("IP database packages missing: events get no AS fields");
    return null;
  }
  const pointerFile = join(root, ".ipdb", "current.json");
  const current = () => {
    if (!existsSync(pointerFile)) return null;
    const pointer = JSON.parse(readFileSync(pointerFile, "utf8"));
    const blob = join(root, ".ipdb", pointer.key.split("/").pop());
    return pointer.version === expected && existsSync(blob) ? { pointer, pointerFile, blob } : null;
  };
  if (!current()) {
    log("building the IP database into .ipdb/ (first run only)");
    spawnSync(process.execPath, [join(root, "scripts", "ipdb-build.mjs")], {
      cwd: root,
      stdio: ["ignore", "ignore", "inherit"],
    });
  }
  return current();
}

/**
 * What startServer() builds on first use in a clone: DuckDB's assets (public/duckdb/) and the IP
 * database (.ipdb/). Both are written into the repository, so two servers starting side by side
 * (.ci/run's smoke and e2e suites) call this first, once, rather than both building them.
 */
export async function prepareServerFiles(log = (m) => console.log(`[server] ${m}`)) {
  await buildDuckdbAssets({ log });
  return ipdbFiles(log);
}

/**
 * wrangler.toml with `main` set to a prebuilt bundle, written beside it (a script given on the
 * command line would be run without the config: no bindings, today's compatibility date).
 */
function bundleConfig(script) {
  const toml = readFileSync(join(root, "wrangler.toml"), "utf8");
  if (!/^main = .*$/m.test(toml)) throw new Error("wrangler.toml has no main line");
  const file = join(dirname(script), "wrangler.toml");
  writeFileSync(file, toml.replace(/^main = .*$/m, `main = ${JSON.stringify(script)}`));
  return file;
}

/**
 * Starts the Worker. Options: log (function), logFile (wrangler's output; default in the
 * state directory), keepState (leave the temporary directory behind for debugging), script (a
 * bundle built by `wrangler deploy --dry-run --outdir`, served instead of src/ with --no-bundle),
 * vars (more vars, or other values, for this Worker: e.g. DESTINATIONS in the push benchmark).
 * Returns { base, port, stateDir, tokens, sources, stop() }.
 */
export async function startServer(options = {}) {
  const log = options.log ?? ((m) => console.log(`[server] ${m}`));
  const dir = mkdtempSync(join(tmpdir(), "auditflare-e2e-"));
  const persist = join(dir, "state");
  const envFile = join(dir, "e2e.env");
  writeFileSync(
    envFile,
    `${Object.entries({ ...VARS, ...options.vars })
      .map(([k, v]) => `${k}='${v}'`)
      .join("\n")}\n`,
  );

  runWrangler(
    ["d1", "migrations", "apply", "DB", "--local", "--persist-to", persist],
    "D1 migrations applied",
    log,
  );
  await buildDuckdbAssets({ log });
  const ipdb = ipdbFiles(log);
  if (ipdb) {
    for (const [key, file, type] of [
      [ipdb.pointer.key, ipdb.blob, "application/octet-stream"],
      ["ipdb/current.json", ipdb.pointerFile, "application/json"],
    ]) {
      runWrangler(
        [
          "r2",
          "object",
          "put",
          `auditflare-ipdb/${key}`,
          "--file",
          file,
          "--content-type",
          type,
          "--local",
          "--persist-to",
          persist,
        ],
        `IPDB ${key} put`,
        log,
      );
    }
  }

  const port = await freePort();
  const inspectorPort = await freePort();
  const logFile = options.logFile ?? join(dir, "wrangler.log");
  mkdirSync(dirname(logFile), { recursive: true });
  const out = createWriteStream(logFile);
  const t0 = Date.now();
  const child = spawn(
    wrangler,
    [
      "dev",
      // A prebuilt Worker (the production bundle) is served as it is, not bundled again.
      ...(options.script ? ["--config", bundleConfig(options.script), "--no-bundle"] : []),
      "--local",
      "--ip",
      "127.0.0.1",
      "--port",
      String(port),
      "--inspector-port",
      String(inspectorPort),
      // DuckDB-WASM for the SQL tab's Archive mode (not in wrangler.toml: see there)
      "--assets",
      join(root, "public"),
      "--persist-to",
      persist,
      "--env-file",
      envFile,
      "--show-interactive-dev-session=false",
      "--live-reload=false",
    ],
    { cwd: root, env: childEnv(), stdio: ["ignore", "pipe", "pipe"], detached: true },
  );
  child.stdout.pipe(out, { end: false });
  child.stderr.pipe(out, { end: false });
  const exited = new Promise((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );

  let stopped = false;
  async function stop() {
    if (stopped) return;
    stopped = true;
    const group = (signal) => {
      try {
        process.kill(-child.pid, signal); // wrangler and its workerd children share the group
      } catch {}
    };
    if (child.exitCode === null && child.signalCode === null) {
      group("SIGTERM");
      const timer = setTimeout(() => group("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    }
    group("SIGKILL"); // any workerd left behind in the group
    out.end();
    if (!options.keepState) rmSync(dir, { recursive: true, force: true });
  }

  const base = `http://127.0.0.1:${port}`;
  const tail = () => {
    try {
      return readFileSync(logFile, "utf8").split("\n").slice(-30).join("\n");
    } catch {
      return "";
    }
  };
  const deadline = Date.now() + 90_000;
  let early = null;
  exited.then((r) => {
    early = r;
  });
  for (;;) {
    if (early) {
      await stop();
      throw new Error(
        `wrangler dev exited (${JSON.stringify(early)}) before answering:\n${tail()}`,
      );
    }
    try {
      const res = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) break;
    } catch {}
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`wrangler dev did not answer GET /healthz within 90 s:\n${tail()}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  log(`wrangler dev answers on ${base} (${Date.now() - t0} ms; log ${logFile})`);
  return { base, port, stateDir: dir, logFile, tokens: TOKENS, sources: SOURCES, stop };
}

// `node e2e/server.mjs`: run the e2e Worker by hand until Ctrl-C.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const server = await startServer({ logFile: join(root, "test-results", "e2e-wrangler.log") });
  console.log(`[server] ${server.base} tokens: ${JSON.stringify(TOKENS)}; Ctrl-C stops`);
  const done = () => server.stop().then(() => process.exit(0));
  process.on("SIGINT", done);
  process.on("SIGTERM", done);
}
