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
// 6. scripts/bench-quarantine.mjs: peak heap of an 8 MiB push body whose records all fail;
// 7. scripts/bench-push-http.mjs: push ingest through a real `wrangler dev` over HTTP (batches
//    of 1,000, with and without alert destinations, starter rules and + 50 rules, a quarter of
//    the events matching) with raw SQLite inserting the same rows in the same run (issue 27),
//    the profile of one push and what detections cost of it.
//
// The regression gate (issue 27): the figures are compared with bench/baseline.json (the last
// recorded ones, committed); each that got worse by more than 20% is printed. Options:
//   --gate            exit 1 when one did (without it the comparison only prints)
//   --record          write this run's figures into bench/baseline.json (merged: a figure not
//                     measured this run keeps its recorded value)
//   --only=a,b        run only these steps: workerd, sqlite, query, stream, csv, enrich,
//                     quarantine, push-http, archive-duckdb
import { execSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { loadavg, uptime as osUptime } from "node:os";

const MACHINE = new Set([
  "normalize_events_per_s",
  "push_ingest_events_per_s",
  "sqlite_insert_rows_per_s",
  "push_ingest_ratio",
  "d1_bytes_per_event",
  "rows_written_per_event",
  "gzip_decompressed_ratio",
  "query_p50_ratio",
  "query_p50_ratio_prepared",
  "detection_overhead_ratio",
  "explore_p50_ms",
  "archive_parquet_bytes_per_event",
  "archive_bytes_ratio",
  "archive_events_per_s",
  "push_http_events_per_s",
  "sqlite_http_insert_rows_per_s",
  "push_http_ratio",
  "detection_cost_ratio",
  "detection_cpu_cost_ratio",
  "detection_cpu_cost_ratio_workerd",
  "detection_share",
]);
const args = process.argv.slice(2);
const only = args
  .find((a) => a.startsWith("--only="))
  ?.slice(7)
  .split(",");
const step = (name) => !only || only.includes(name);
/** Figures other figures are computed from (recorded, shown in the table only). */
const INPUTS =
  /^(query_worker_p50_ms|query_sqlite_p50_ms|query_sqlite_prepared_p50_ms|query_part_p50_ms)( |$)/;
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

if (step("workerd"))
  run("npx", ["vitest", "run", "--config", "vitest.bench.config.ts", "--silent=false"]);
if (step("sqlite")) run(process.execPath, ["scripts/bench-sqlite.mjs"]);
const push = figures.get("push_ingest_events_per_s");
const sqlite = figures.get("sqlite_insert_rows_per_s");
if (push && sqlite) emit(`push_ingest_ratio ${(push / sqlite).toFixed(3)}`);
if (step("query")) run(process.execPath, ["scripts/bench-query.mjs"]);
for (const filter of ["source", "eventName", "actor", "time"]) {
  const worker = figures.get(`query_worker_p50_ms ${filter}`);
  const raw = figures.get(`query_sqlite_p50_ms ${filter}`);
  if (worker && raw) emit(`query_p50_ratio ${filter} ${(worker / raw).toFixed(2)}`);
  // stricter: against the statement run by better-sqlite3 with no ORM (drizzle's row mapping
  // is most of query_sqlite_p50_ms)
  const prepared = figures.get(`query_sqlite_prepared_p50_ms ${filter}`);
  if (worker && prepared)
    emit(`query_p50_ratio_prepared ${filter} ${(worker / prepared).toFixed(2)}`);
  // the floor: the page's statement alone through local D1, read as arrays (bench/query.bench.ts
  // `d1_page`): the time of a Worker that did nothing else, and its ratios
  const floor = figures.get(`query_part_p50_ms ${filter} d1_page`);
  if (floor && raw) {
    emit(`query_floor_p50_ms ${filter} ${floor.toFixed(2)}`);
    emit(`query_floor_ratio ${filter} ${(floor / raw).toFixed(2)}`);
    if (prepared) emit(`query_floor_ratio_prepared ${filter} ${(floor / prepared).toFixed(2)}`);
  }
}
if (step("stream")) run(process.execPath, ["scripts/bench-stream.mjs"]);
if (step("csv")) run(process.execPath, ["scripts/bench-csv.mjs"]);
if (step("enrich")) run(process.execPath, ["scripts/bench-enrich.mjs"]);
if (step("quarantine")) run(process.execPath, ["scripts/bench-quarantine.mjs"]);
if (step("push-http")) run(process.execPath, ["scripts/bench-push-http.mjs"]);
if (step("archive-duckdb")) run(process.execPath, ["scripts/bench-archive-duckdb.mjs"]);
const pageMs = (name) => Number(table.find((l) => l.startsWith(`${name} `))?.split(/\s+/)[1]);
const archivePage = pageMs("archive_page_p50_ms") / pageMs("archive_page_duckdb_p50_ms");
if (Number.isFinite(archivePage) && archivePage > 0)
  emit(`archive_page_p50_ratio_worker_to_duckdb ${archivePage.toFixed(2)}`);

console.log("\nfigure                                                value");
for (const line of table) {
  const m = line.match(/^(.*\S)\s+(\S+)$/);
  console.log(m && MACHINE.has(line.split(/\s+/)[0]) ? `${m[1].padEnd(54)}${m[2]}` : line);
}

// The regression gate: this run against the last recorded figures.
const BASELINE = "bench/baseline.json";
/** Figures where more is better; every other figure is better lower (bytes, ms, ratios of cost). */
const HIGHER_IS_BETTER =
  /^(normalize_events_per_s|push_ingest_events_per_s|sqlite_insert_rows_per_s|push_ingest_ratio|archive_events_per_s|push_http_events_per_s|sqlite_http_insert_rows_per_s|push_http_ratio)( |$)/;
const recorded = existsSync(BASELINE) ? JSON.parse(readFileSync(BASELINE, "utf8")) : null;
const load = `uptime ${Math.round(osUptime())} s, load average ${loadavg()
  .map((x) => x.toFixed(2))
  .join(", ")}`;
const worse = [];
if (recorded) {
  for (const [name, value] of figures) {
    if (!MACHINE.has(name.split(" ")[0])) continue;
    const was = recorded.figures[name];
    if (typeof was !== "number" || was === 0) continue;
    const higher = HIGHER_IS_BETTER.test(name);
    // Ratios of a cost near 0 (detection_cost_ratio) move by more than 20% on noise alone:
    // those are compared in absolute terms (0.05).
    const change = higher ? (was - value) / was : (value - was) / Math.abs(was);
    const small = Math.abs(was) < 0.25 && /_(cost_ratio|share)( |$)/.test(name);
    if (small ? value - was > 0.05 : change > 0.2)
      worse.push(`${name}: ${value} against ${was} recorded (${(change * 100).toFixed(0)}% worse)`);
  }
  console.log(
    `\nagainst ${BASELINE} (recorded ${recorded.recordedAt} at ${recorded.commit}, ${recorded.load}); this run: ${load}`,
  );
  if (worse.length === 0) console.log("no figure got worse by more than 20%");
  for (const w of worse) console.log(`WORSE ${w}`);
} else console.log(`\nno ${BASELINE} yet: \`npm run bench -- --record\` writes it`);

if (args.includes("--record")) {
  let commit = "unknown";
  try {
    commit = execSync("git rev-parse --short HEAD", { encoding: "utf8" }).trim();
  } catch {}
  const merged = { ...(recorded?.figures ?? {}) };
  for (const [name, value] of figures) if (MACHINE.has(name.split(" ")[0])) merged[name] = value;
  const sorted = Object.fromEntries(Object.entries(merged).sort(([a], [b]) => a.localeCompare(b)));
  writeFileSync(
    BASELINE,
    `${JSON.stringify({ recordedAt: new Date().toISOString(), commit, load, figures: sorted }, null, 2)}\n`,
  );
  console.log(`recorded ${figures.size} figures in ${BASELINE}`);
}
if (args.includes("--gate") && worse.length > 0) process.exit(1);
