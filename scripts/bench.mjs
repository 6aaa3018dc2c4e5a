#!/usr/bin/env node
// `npm run bench`: runs every benchmark. The figures of issue 11 come first, one machine-readable
// line each (`BENCH <name> [<vendor|filter>] <n>`), then a human table of every figure:
// 1. bench/*.bench.ts in workerd with local D1: normalize events/s per vendor, push ingest
//    events/s, rows written per event, D1 bytes per stored event;
// 2. scripts/bench-sqlite.mjs: the same push rows into better-sqlite3 (disk, WAL, one
//    transaction), the baseline of push_ingest_ratio, measured in this same run;
//    scripts/bench-query.mjs: the query data set (1 M events) in better-sqlite3 and the same
//    queries, the baseline of query_p50_ratio (bench/query.bench.ts is the Worker side);
// 3. scripts/bench-stream.mjs: the streaming parser on a 100 MB gzip file, heap capped at 128 MB;
// 4. scripts/bench-csv.mjs: CSV (papaparse) against NDJSON of the same events;
// 5. scripts/bench-enrich.mjs: IP database load cost and lookups/s;
// 6. scripts/bench-quarantine.mjs: peak heap of an 8 MiB push body whose records all fail.
import { spawnSync } from "node:child_process";

const MACHINE = new Set([
  "normalize_events_per_s",
  "push_ingest_events_per_s",
  "sqlite_insert_rows_per_s",
  "push_ingest_ratio",
  "d1_bytes_per_event",
  "rows_written_per_event",
  "gzip_decompressed_ratio",
  "query_p50_ratio",
  "detection_overhead_ratio",
  "explore_p50_ms",
  "archive_parquet_bytes_per_event",
  "archive_bytes_ratio",
  "archive_events_per_s",
]);
/** Figures other figures are computed from (recorded, shown in the table only). */
const INPUTS = /^(query_worker_p50_ms|query_sqlite_p50_ms) /;
const table = [];
const figures = new Map();

function emit(line) {
  const name = line.split(/\s+/)[0];
  const parts = line.split(/\s+/);
  if (MACHINE.has(name) || INPUTS.test(line))
    figures.set(parts.slice(0, -1).join(" "), Number(parts.at(-1)));
  if (MACHINE.has(name)) console.log(`BENCH ${line}`);
  table.push(line);
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: "utf8", env: { ...process.env, FORCE_COLOR: "0" } });
  const out = `${r.stdout}\n${r.stderr}`;
  for (const l of out.split("\n").filter((line) => line.includes("BENCH "))) {
    emit(l.slice(l.indexOf("BENCH ") + 6).trim());
  }
  if (r.status !== 0) {
    console.error(out);
    process.exit(r.status ?? 1);
  }
}

run("npx", ["vitest", "run", "--config", "vitest.bench.config.ts", "--silent=false"]);
run(process.execPath, ["scripts/bench-sqlite.mjs"]);
const push = figures.get("push_ingest_events_per_s");
const sqlite = figures.get("sqlite_insert_rows_per_s");
if (push && sqlite) emit(`push_ingest_ratio ${(push / sqlite).toFixed(3)}`);
run(process.execPath, ["scripts/bench-query.mjs"]);
for (const filter of ["source", "eventName", "actor", "time"]) {
  const worker = figures.get(`query_worker_p50_ms ${filter}`);
  const raw = figures.get(`query_sqlite_p50_ms ${filter}`);
  if (worker && raw) emit(`query_p50_ratio ${filter} ${(worker / raw).toFixed(2)}`);
}
run(process.execPath, ["scripts/bench-stream.mjs"]);
run(process.execPath, ["scripts/bench-csv.mjs"]);
run(process.execPath, ["scripts/bench-enrich.mjs"]);
run(process.execPath, ["scripts/bench-quarantine.mjs"]);

console.log("\nfigure                                                value");
for (const line of table) {
  const m = line.match(/^(.*\S)\s+(\S+)$/);
  console.log(m && MACHINE.has(line.split(/\s+/)[0]) ? `${m[1].padEnd(54)}${m[2]}` : line);
}
