#!/usr/bin/env node
// `npm run test:smoke`: the API against the Worker exactly as `wrangler deploy` ships it.
// vitest-pool-workers loads src/ module by module; the deployed Worker is one esbuild bundle
// whose top-level statements run in another order, so an import cycle can leave a value
// undefined only there (issue 22 item 11). This suite builds that bundle (`wrangler deploy
// --dry-run --outdir`), serves it with `wrangler dev --no-bundle` on its own state and vars
// (e2e/server.mjs), then:
// 1. calls every operation of the Worker's own OpenAPI document, with the admin token and with
//    none, and fails on any 5xx (a crash) or an operation that answers without its auth;
// 2. runs the flows a user relies on: a push whose counters add up, the rows back, SQL, a
//    runtime Sigma rule without logsource.product and a correlation over a bundled rule of
//    another file, each raising its alert from pushed events.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mcpChecks } from "./mcp.mjs";
import { root, startServer } from "./server.mjs";

const wrangler = join(root, "node_modules", ".bin", "wrangler");
const t0 = Date.now();
const log = (m) => console.log(`[smoke ${((Date.now() - t0) / 1000).toFixed(1)} s] ${m}`);

/**
 * The production bundle, built as `npm run deploy` builds it; or, with SMOKE_BUNDLE_DIR, the one
 * a `wrangler deploy --dry-run --outdir` of this same tree already built there (.ci/run's).
 */
function buildBundle() {
  const given = process.env.SMOKE_BUNDLE_DIR;
  if (given) return { dir: given, main: join(given, "index.js"), given: true };
  const out = mkdtempSync(join(tmpdir(), "auditflare-bundle-"));
  const r = spawnSync(wrangler, ["deploy", "--dry-run", "--outdir", out], {
    cwd: root,
    env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false" },
    encoding: "utf8",
  });
  if (r.status !== 0)
    throw new Error(`wrangler deploy --dry-run failed:\n${r.stdout}\n${r.stderr}`);
  return { dir: out, main: join(out, "index.js") };
}

const results = [];
async function check(name, fn) {
  try {
    await fn();
    results.push({ name, ok: true });
    log(`ok   ${name}`);
  } catch (err) {
    results.push({ name, ok: false });
    log(`FAIL ${name}\n${err?.stack ?? err}`);
  }
}

/** Operations vendors or browsers call with their own credentials (or none). */
const OWN_AUTH = [
  /^\/healthz$/,
  /^\/v1\/openapi\.json$/,
  /^\/$/,
  /^\/v1\/ingest\//,
  /^\/v1\/sns\//,
  /^\/v1\/gcs\//,
  /^\/v1\/azure\//,
];

function operations(doc) {
  const ops = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const [method, op] of Object.entries(item)) {
      if (!["get", "post", "put", "delete", "patch"].includes(method)) continue;
      ops.push({ path, method: method.toUpperCase(), op });
    }
  }
  return ops;
}

/** A concrete URL for an OpenAPI path: every parameter a value that names nothing stored. */
const concrete = (path) => path.replace(/\{[^}]+\}/g, "smoke-none");

/** A minimal body of the operation's first content type (the route answers 4xx, never 5xx). */
function bodyFor(op) {
  const content = op.requestBody?.content ?? {};
  const type = Object.keys(content)[0];
  if (!type) return {};
  if (type.includes("json")) return { headers: { "content-type": type }, body: "{}" };
  if (type.includes("yaml")) return { headers: { "content-type": type }, body: "title: x\n" };
  return { headers: { "content-type": type }, body: "x" };
}

async function main() {
  log(
    process.env.SMOKE_BUNDLE_DIR ? "the production bundle given" : "building the production bundle",
  );
  const bundle = buildBundle();
  log(`bundle ${bundle.main} (${(readFileSync(bundle.main).length / 1e6).toFixed(1)} MB)`);
  const logFile = join(root, "test-results", "smoke", "wrangler.log");
  const server = await startServer({ script: bundle.main, log, logFile });
  const { base, tokens } = server;
  // Every call has a deadline, on a connection of its own. Local wrangler dev (never the
  // deployed Worker) was seen, about once in four runs on a loaded machine, to hold one request
  // until the client gave up, whatever the route (a 401 included) and with nothing in the
  // Worker's log: a call that gets no answer is retried once and reported; a second one fails.
  const stalls = [];
  const once = (path, init, token, ms) =>
    fetch(`${base}${path}`, {
      signal: AbortSignal.timeout(ms),
      ...init,
      headers: {
        connection: "close",
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(init.headers ?? {}),
      },
    });
  // wrangler dev's own answer when it reloads the Worker under a request (not one of ours: ours
  // are JSON error bodies): the Worker never finished that request, so it counts as no answer.
  const RESTARTED = "Your worker restarted mid-request";
  const call = async (path, init = {}, token = tokens.admin) => {
    try {
      const res = await once(path, init, token, 15_000);
      if (res.status !== 503 || !(await res.clone().text()).includes(RESTARTED)) return res;
      stalls.push(`${init.method ?? "GET"} ${path} (wrangler dev: ${RESTARTED})`);
      log(`stall: ${init.method ?? "GET"} ${path}: ${RESTARTED}; retried once`);
      return once(path, init, token, 30_000);
    } catch (err) {
      // No answer at all (a stall, or the connection dropped): once more; an HTTP answer,
      // whatever its status, is never retried.
      stalls.push(`${init.method ?? "GET"} ${path} (${err?.name}: ${err?.message})`);
      log(`stall: ${init.method ?? "GET"} ${path} got no answer (${err?.message}); retried once`);
      return once(path, init, token, 30_000);
    }
  };
  const json = async (res) => {
    const text = await res.text();
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  };
  try {
    const doc = await (await call("/v1/openapi.json", {}, null)).json();
    const ops = operations(doc);

    await check(`every one of ${ops.length} operations answers without a 5xx`, async () => {
      const crashes = [];
      for (const { path, method, op } of ops) {
        const started = Date.now();
        const res = await call(concrete(path), { method, ...bodyFor(op) }).catch((err) => err);
        if (res instanceof Error) {
          crashes.push(`${method} ${path}: ${res.name} after ${Date.now() - started} ms`);
          continue;
        }
        const body = await json(res);
        if (res.status >= 500)
          crashes.push(`${method} ${path}: ${res.status} ${JSON.stringify(body)}`);
      }
      assert.deepEqual(crashes, []);
    });

    await check("every operation but the vendors' and the public ones wants a token", async () => {
      const open = [];
      for (const { path, method, op } of ops) {
        if (OWN_AUTH.some((re) => re.test(path))) continue;
        const res = await call(concrete(path), { method, ...bodyFor(op) }, null);
        const body = await res.text();
        if (res.status !== 401) open.push(`${method} ${path}: ${res.status} ${body.slice(0, 300)}`);
      }
      assert.deepEqual(open, []);
    });

    const push = async (list) => {
      const res = await call(
        "/v1/ingest/turbopuffer",
        {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(list),
        },
        tokens.ingest,
      );
      const body = await json(res);
      assert.equal(res.status, 200, JSON.stringify(body));
      return body;
    };
    const events = JSON.parse(
      readFileSync(join(root, "src/vendors/turbopuffer/fixtures/batch.json"), "utf8"),
    );
    await check("a push is stored and its counters add up", async () => {
      const body = await push(events);
      assert.equal(body.received, events.length);
      assert.equal(body.received, body.inserted + body.duplicates + body.quarantined);
      assert.deepEqual(await push(events), {
        received: events.length,
        inserted: 0,
        duplicates: events.length,
        quarantined: 0,
      });
    });

    await check("the rows come back by API and by SQL", async () => {
      const logs = await json(
        await call("/v1/logs?sourceID=turbopuffer&limit=100", {}, tokens.query),
      );
      assert.equal(logs.data.length, events.length);
      const sql = await call(
        "/v1/sql",
        {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            query:
              "SELECT eventName, count(*) AS n FROM logs WHERE sourceID = 'turbopuffer' GROUP BY 1 ORDER BY 1",
          }),
        },
        tokens.query,
      );
      const out = await json(sql);
      assert.equal(sql.status, 200, JSON.stringify(out));
      assert.equal(
        out.rows.reduce((n, r) => n + r[1], 0),
        events.length,
      );
    });

    const invitation = (i) => ({
      action: "invitation-created",
      occurred_at: new Date(Date.now() - 60_000 + i * 1000).toISOString(),
      actor: { type: "user", id: "smoke-actor", name: "smoke@example.com" },
      targets: [{ type: "invitation", id: `inv_smoke_${i}`, name: `guest${i}@example.net` }],
      context: { location: "198.51.100.7" },
      metadata: {},
    });
    const alertsOf = async (ruleId) =>
      (await json(await call(`/v1/alerts?ruleId=${encodeURIComponent(ruleId)}`, {}, tokens.query)))
        .data;

    /** A runtime rule stored (created or replaced) with the admin token. */
    const putRule = async (id, rule) => {
      const res = await call(`/v1/rules/${id}`, {
        method: "PUT",
        headers: { "content-type": "application/yaml" },
        body: rule,
      });
      assert.ok(
        [200, 201].includes(res.status),
        `PUT ${res.status} ${JSON.stringify(await json(res))}`,
      );
    };

    // The MCP server (e2e/mcp.mjs): tools over the events pushed above, and the OAuth flow.
    await mcpChecks({
      base,
      tokens,
      check,
      printed: (name, r) => log(`mcp ${name}: ${JSON.stringify(r)}`),
    });

    await check("a runtime rule without logsource.product alerts on a matching push", async () => {
      const rule = [
        "title: smoke any-product invitation",
        "id: smoke-no-product",
        "level: medium",
        "detection:",
        "  selection: { eventName: invitation-created, srcIP: 198.51.100.7 }",
        "  condition: selection",
        "",
      ].join("\n");
      await putRule("smoke-no-product", rule);
      const tested = await call(
        "/v1/rules/test",
        {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            rule,
            events: [{ eventName: "invitation-created", srcIP: "198.51.100.7" }],
          }),
        },
        tokens.query,
      );
      const t = await json(tested);
      assert.equal(tested.status, 200, JSON.stringify(t));
      assert.equal(t.results[0].matches.length, 1, JSON.stringify(t));
      await push([invitation(0)]);
      const alerts = await alertsOf("smoke-no-product");
      assert.equal(alerts.length, 1, JSON.stringify(alerts));
    });

    await check(
      "a correlation over a bundled rule of another file alerts at its threshold",
      async () => {
        const rule = [
          "title: smoke invitation burst",
          "id: smoke-invitation-burst",
          "level: high",
          "correlation:",
          "  type: event_count",
          "  rules: [turbopuffer-invitation-created]",
          "  group-by: [actorId]",
          "  timespan: 1h",
          "  condition: { gte: 3 }",
          "",
        ].join("\n");
        await putRule("smoke-invitation-burst", rule);
        await push([invitation(1), invitation(2)]);
        assert.equal(
          (await alertsOf("smoke-invitation-burst")).length,
          0,
          "not before the threshold",
        );
        await push([invitation(3)]);
        assert.equal((await alertsOf("smoke-invitation-burst")).length, 1, "at the threshold");
      },
    );
  } finally {
    await server.stop();
    if (!bundle.given) rmSync(bundle.dir, { recursive: true, force: true });
  }
  const failed = results.filter((r) => !r.ok).length;
  if (stalls.length) log(`local dev-server stalls retried: ${stalls.join(", ")}`);
  log(`${results.length - failed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
