#!/usr/bin/env node
// `npm run archive:pull [-- <dir>]`: copies the local archive (written by the Worker under
// `npm start`; POST /v1/archive/run?through=now archives the current hour too) into <dir>
// (default ./archive-local) and prints its events per source and hour, read by DuckDB (the Node build of @duckdb/duckdb-wasm) with Hive
// partitioning. docs/archive.md shows the same query over R2's S3 API for a deployment.
import { join } from "node:path";
import { duckdb, pullArchive } from "./lib/archive-local.mjs";
import { root } from "./lib/import-worker-code.mjs";

const out = process.argv[2] ?? join(root, "archive-local");
const keys = await pullArchive({ out });
console.log(`archive:pull: ${keys.length} objects into ${out}`);
if (keys.length > 0) {
  const rows = await duckdb(
    "SELECT source, CAST(date AS VARCHAR) AS date, CAST(hour AS INTEGER) AS hour, CAST(count(*) AS INTEGER) AS events FROM read_parquet({archive}, hive_partitioning = true) GROUP BY ALL ORDER BY ALL",
    out,
  );
  console.table(rows);
}
