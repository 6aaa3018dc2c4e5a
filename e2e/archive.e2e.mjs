// The R2 archive (issue 16) end to end: the Worker archives the seeded events (through=now),
// GET /v1/archive lists them, and DuckDB reads the local archive's Parquet files as they are, with
// Hive partitioning: the same counts per source and hour as D1, and `source=` pruning files.
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { duckdb, pullArchive } from "../scripts/lib/archive-local.mjs";
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

  const inList = SEEDED.map((s) => `'${s}'`).join(", ");
  const fromDuckdb = await duckdb(
    `SELECT source, strftime(receivedAt, '%Y-%m-%dT%H') AS h, count(*) AS n
     FROM read_parquet({archive}, hive_partitioning = true) WHERE source IN (${inList})
     GROUP BY ALL ORDER BY ALL`,
    out,
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

  // partition pruning: a filter on source= reads that source's files only
  const plan = (
    await duckdb(
      "EXPLAIN SELECT count(*) FROM read_parquet({archive}, hive_partitioning = true) WHERE source = 'circleci'",
      out,
    )
  )
    .map((r) => Object.values(r).join("\n"))
    .join("\n");
  const [, scanned, total] = /Scanning Files: (\d+)\/(\d+)/.exec(plan) ?? [];
  assert.ok(Number(total) === keys.length, plan);
  assert.ok(Number(scanned) < Number(total), `pruned: ${scanned} of ${total} files`);
  console.log(
    `    archive: ${keys.length} objects, ${listed.totals.rows} rows; source= scans ${scanned}/${total} files`,
  );
});
