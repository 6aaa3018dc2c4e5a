// The SQL tab's Archive mode (issue 28, item 4) in Chromium: the Worker archives the seeded
// events (through=now), the page loads DuckDB-WASM from the Worker's static assets, asks
// GET /v1/archive/urls for signed URLs and runs SQL over a range whose every hour is archived.
// Its rows must equal those of DuckDB in Node (the Node build of @duckdb/duckdb-wasm, the same
// engine) over the same Parquet files, fetched back from the Worker through the signed URLs.
// Also: Cancel during DuckDB's load stops it, and the next run works; axe is clean on the tab.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { archiveGlob, openDuckdb } from "../scripts/lib/duckdb-wasm-node.mjs";
import { checkA11y } from "./axe.mjs";
import { test, until } from "./harness.mjs";

const HOUR = 3_600_000;
const QUERY = `SELECT id, source, CAST(date AS VARCHAR) AS date, hour, sourceType, eventName,
  CAST(receivedAt AS VARCHAR) AS receivedAt, CAST(eventTime AS VARCHAR) AS eventTime, srcIP
FROM archive ORDER BY receivedAt, id`;

/** DuckDB in Node (the Node build of @duckdb/duckdb-wasm) over `dir`'s archive/v1/ files. */
async function nodeDuckdb(sql, dir) {
  const db = await openDuckdb();
  try {
    db.query(
      `CREATE VIEW archive AS SELECT * FROM read_parquet(${archiveGlob(dir)}, hive_partitioning = true, union_by_name = true)`,
    );
    const t = db.query(sql);
    const fields = t.schema.fields;
    const rows = [];
    for (let i = 0; i < t.numRows; i++) {
      rows.push(fields.map((_, j) => t.getChildAt(j).get(i)));
    }
    return { columns: fields.map((f) => f.name), rows };
  } finally {
    db.close();
  }
}

/** The page's text of a value (explorer core.ts `text`, after archive-sql.ts `plain`). */
const cell = (v) =>
  v === null || v === undefined ? "" : typeof v === "bigint" ? String(Number(v)) : String(v);

async function archiveAll(base, tokens) {
  for (let i = 0; i < 10; i++) {
    const res = await fetch(`${base}/v1/archive/run?through=now`, {
      method: "POST",
      headers: { authorization: `Bearer ${tokens.admin}` },
    });
    const run = await res.json();
    assert.equal(res.status, 200, JSON.stringify(run));
    if (run.status === "done") return run;
  }
  throw new Error("the archive run did not finish in 10 runs");
}

async function openArchiveMode(page, base, tokens, { from, to, query }) {
  await page.goto(`${base}/?tab=sql`);
  await page.fill("#token", tokens.query);
  await page.press("#token", "Enter");
  await page.check('input[name="sql-mode"][value="archive"]');
  await page.fill("#sql-from", from);
  await page.fill("#sql-to", to);
  await page.fill("#sql-limit", "10000");
  await page.fill("textarea#sql-query", query);
}

/** Waits for an Archive run to end: its status line, or throws #sql-error's text at once. */
async function archiveDone(page, timeout = 45_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const error = await page.textContent("#sql-error");
    if (error) throw new Error(`#sql-error: ${error}`);
    const meta = await page.textContent("#sql-meta");
    if (/rows · archive: \d+ objects/.test(meta)) return meta;
    if (Date.now() > deadline) throw new Error(`no result in ${timeout} ms: ${meta}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test(
  "SQL tab, Archive mode: DuckDB-WASM over the signed URLs returns DuckDB-in-Node's rows",
  async ({ page, context, base, tokens, api, step }) => {
    // Every request of the page and its workers: DuckDB must fetch nothing off the origin (1.28
    // has the Parquet reader built in; later releases download it from extensions.duckdb.org).
    const requested = [];
    context.on("request", (r) => requested.push(r.url()));
    const t0 = Date.now();
    await archiveAll(base, tokens);
    const listed = await api("/v1/archive?limit=1000");
    const hours = listed.data.map((e) => Date.parse(e.hour));
    assert.ok(hours.length > 0, "the archive has objects");
    const from = new Date(Math.min(...hours)).toISOString();
    const to = new Date(Math.max(...hours) + HOUR).toISOString();
    const tArchive = Date.now() - t0;

    // The same files, read back from the Worker through the signed URLs (as the page reads them).
    const urls = await api(`/v1/archive/urls?from=${from}&to=${to}`);
    assert.equal(urls.data.length, listed.data.length, "one URL per object in the range");
    const dir = mkdtempSync(join(tmpdir(), "auditflare-archive-sql-"));
    for (const o of urls.data) {
      const res = await fetch(base + o.url);
      assert.equal(res.status, 200, `${o.key}: ${res.status}`);
      const file = join(dir, o.key);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, new Uint8Array(await res.arrayBuffer()));
    }

    await openArchiveMode(page, base, tokens, { from, to, query: QUERY });
    await step("archive mode");
    await checkA11y(page, "sql tab, archive mode", { include: "#view-sql" });

    const tPage0 = Date.now();
    await page.click("button#sql-run");
    const meta = await archiveDone(page);
    const tPage = Date.now() - tPage0;
    assert.equal(await page.textContent("#sql-error"), "");
    await step("archive rows");

    const tNode0 = Date.now();
    const expected = await nodeDuckdb(QUERY, dir);
    const tNode = Date.now() - tNode0;
    assert.ok(expected.rows.length >= 300, `Node read ${expected.rows.length} rows`);
    const columns = await page.locator("table#sql-result thead th").allTextContents();
    const rows = await page
      .locator("table#sql-result tbody tr")
      .evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((td) => td.textContent)));
    assert.deepEqual(columns, expected.columns);
    assert.equal(rows.length, expected.rows.length, meta);
    assert.deepEqual(
      rows,
      expected.rows.map((r) => r.map(cell)),
      "the page's rows = DuckDB in Node over the same Parquet files",
    );
    await checkA11y(page, "sql tab, archive rows", { include: "#view-sql" });
    assert.ok(
      requested.some((u) => u.startsWith(`${base}/v1/archive/object/`)),
      "DuckDB's range reads (from its Web Worker) are among the requests seen",
    );
    const offOrigin = requested.filter(
      (u) => !/^(blob|data):/.test(u) && new URL(u).origin !== base,
    );
    assert.deepEqual(offOrigin, [], "no request leaves the Worker's origin");
    console.log(
      `    archive-sql: ${urls.data.length} objects, ${rows.length} rows; archive run ${tArchive} ms, Node DuckDB ${tNode} ms, page (DuckDB load + query) ${tPage} ms`,
    );

    // The second run reuses the loaded DuckDB.
    const tAgain0 = Date.now();
    await page.fill(
      "textarea#sql-query",
      "SELECT source, count(*) AS n FROM archive GROUP BY ALL ORDER BY ALL;",
    );
    await page.click("button#sql-run");
    await until(async () => assert.match(await page.textContent("#sql-meta"), /rows · archive/));
    const counts = await page
      .locator("table#sql-result tbody tr")
      .evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((td) => td.textContent)));
    const bySource = {};
    for (const r of expected.rows) bySource[r[1]] = (bySource[r[1]] ?? 0) + 1;
    assert.deepEqual(
      counts,
      Object.entries(bySource)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([s, n]) => [s, String(n)]),
    );
    console.log(`    archive-sql: second query (DuckDB loaded) ${Date.now() - tAgain0} ms`);
  },
  { timeout: 120_000 },
);

test(
  "SQL tab, Archive mode: Cancel stops DuckDB's load, and the next run works",
  async ({ page, base, tokens, api, step }) => {
    const listed = await api("/v1/archive?limit=1000");
    const hours = listed.data.map((e) => Date.parse(e.hour));
    assert.ok(hours.length > 0, "the archive has objects (the test above made them)");
    const from = new Date(Math.min(...hours)).toISOString();
    const to = new Date(Math.max(...hours) + HOUR).toISOString();
    // Hold the engine's download, so Cancel comes while it loads.
    let release;
    const held = new Promise((r) => {
      release = r;
    });
    await page.route("**/duckdb/duckdb-eh.wasm.gz", async (route) => {
      await held;
      await route.continue().catch(() => {});
    });
    await openArchiveMode(page, base, tokens, {
      from,
      to,
      query: "SELECT count(*) AS n FROM archive",
    });
    await page.click("button#sql-run");
    await until(async () => assert.match(await page.textContent("#sql-meta"), /Loading DuckDB/));
    assert.equal(await page.isVisible("button#sql-cancel"), true);
    await page.click("button#sql-cancel");
    await until(async () => assert.match(await page.textContent("#sql-error"), /Cancelled/));
    assert.equal(await page.isVisible("button#sql-cancel"), false);
    await step("cancelled");
    release();
    await page.unroute("**/duckdb/duckdb-eh.wasm.gz");
    await page.click("button#sql-run");
    assert.match(await archiveDone(page), /1 rows · archive/);
    // DuckDB's worker ran under its own policy (scripts/duckdb-assets.mjs ASSET_HEADERS)
    const workerRes = await fetch(`${base}/duckdb/duckdb-browser-eh.worker.js`);
    assert.match(
      workerRes.headers.get("content-security-policy") ?? "",
      /^default-src 'none'; script-src 'self' 'wasm-unsafe-eval'/,
    );
    assert.equal(workerRes.headers.get("x-content-type-options"), "nosniff");
    const n = await page.textContent("table#sql-result tbody td");
    assert.equal(
      Number(n),
      listed.data.reduce((s, e) => s + e.rows, 0),
      "count(*) = the manifest's rows",
    );
    await step("after cancel");
  },
  { timeout: 90_000 },
);
