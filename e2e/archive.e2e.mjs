// The R2 archive (issue 16) end to end: the Worker archives the seeded events (through=now),
// GET /v1/archive lists them, and DuckDB reads the local archive's Parquet files as they are, with
// Hive partitioning: the same counts per source and hour as D1, and `source=` pruning files.
// DuckDB is the Node build of @duckdb/duckdb-wasm (a dependency: nothing installed at test time).
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pullArchive } from "../scripts/lib/archive-local.mjs";
import { archiveGlob, openDuckdb } from "../scripts/lib/duckdb-wasm-node.mjs";
import { test } from "./harness.mjs";

const SEEDED = ["airkit", "circleci", "turbopuffer"];

test("archive: the Worker writes Parquet that DuckDB reads with the counts of D1", async ({
  base,
  stateDir,
  tokens,
  api,
}) => {
  const res = await fetch(`${base}/v1/archive/run?through=now`, {
    method: "POST",
    headers: { authorization: `Bearer ${tokens.admin}` },
  });
  const run = await res.json();
  assert.equal(res.status, 200, JSON.stringify(run));
  assert.equal(run.status, "done");
  const listed = await api("/v1/archive?limit=1000");
  assert.ok(listed.totals.rows >= 300, `archived ${listed.totals.rows} rows`);

  const out = mkdtempSync(join(tmpdir(), "auditflare-archive-"));
  const keys = await pullArchive({ out, persistTo: join(stateDir, "state") });
  assert.deepEqual(
    keys.sort(),
    listed.data.map((e) => e.key).sort(),
    "R2 holds the manifest's objects",
  );

  const archive = `read_parquet(${archiveGlob(out)}, hive_partitioning = true)`;
  const inList = SEEDED.map((s) => `'${s}'`).join(", ");
  const fromDuckdb = await withDuckdb((db) =>
    db.rows(
      `SELECT source, strftime(receivedAt, '%Y-%m-%dT%H') AS h, count(*) AS n
       FROM ${archive} WHERE source IN (${inList})
       GROUP BY ALL ORDER BY ALL`,
    ),
  );
  const fromD1 = await api("/v1/sql", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      query: `SELECT sourceID, substr(receivedAt, 1, 13) AS h, count(*) AS n FROM logs
              WHERE sourceID IN (${inList}) GROUP BY 1, 2 ORDER BY 1, 2`,
    }),
  });
  assert.deepEqual(
    fromDuckdb.map((r) => [r.source, r.h, Number(r.n)]),
    fromD1.rows,
    "events per source and hour: DuckDB over the archive = D1",
  );
  assert.ok(fromD1.rows.length >= 3);

  // Partition pruning: a filter on source= reads that source's files only. The plan says so
  // (DuckDB 0.9 prints the file filter, not a count of files), and the files prove it: with
  // every turbopuffer object overwritten by bytes that are not Parquet, circleci's count is
  // still D1's, while a query that must open them fails. (A new database: DuckDB-WASM keeps
  // the file pages it read, so the one above would still see the old turbopuffer files.)
  const spoiled = keys.filter((k) => k.includes("/source=turbopuffer/"));
  assert.ok(spoiled.length > 0, "turbopuffer has archived objects");
  for (const k of spoiled) writeFileSync(join(out, k), "not parquet");
  const where = "WHERE source = 'circleci'";
  const circleci = fromD1.rows.filter(([s]) => s === "circleci").reduce((n, [, , c]) => n + c, 0);
  await withDuckdb((db) => {
    const plan = db
      .rows(`EXPLAIN SELECT count(*) FROM ${archive} ${where}`)
      .map((r) => Object.values(r).join("\n"))
      .join("\n");
    // the plan's boxes wrap the filter's text: compare with the frame and line breaks removed
    assert.match(plan.replace(/[│\s]+/g, " "), /File Filters: \(source = 'circleci'\)/, plan);
    const [pruned] = db.rows(`SELECT count(*) AS n FROM ${archive} ${where}`);
    assert.equal(Number(pruned.n), circleci, "source = 'circleci' never opens turbopuffer's files");
    assert.throws(
      () => db.query(`SELECT count(*) FROM ${archive} WHERE source <> 'circleci'`),
      /parquet|magic|file/i,
      "the control: a query over turbopuffer's spoiled files fails",
    );
  });
  const scanned = keys.filter((k) => k.includes("/source=circleci/")).length;
  assert.ok(scanned < keys.length);
  console.log(
    `    archive: ${keys.length} objects, ${listed.totals.rows} rows; source= scans ${scanned}/${keys.length} files`,
  );
});

/** `fn(db)` with a new in-memory DuckDB (the Node build of @duckdb/duckdb-wasm), closed after. */
async function withDuckdb(fn) {
  const db = await openDuckdb();
  try {
    return await fn(db);
  } finally {
    db.close();
  }
}
