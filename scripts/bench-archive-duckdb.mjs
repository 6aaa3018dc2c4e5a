#!/usr/bin/env node
// The DuckDB-in-Node side of issue 28's archive page figure (bench/archive-read.bench.ts is the
// Worker's): the same archived day, written the same way, read with the same filter and order.
// - Data: one source (turbopuffer), 24 hourly objects of 1,000 events, event times spread over one
//   day 60 days ago, received 30 hours ago (one object per received hour), the action cycling
//   through three names; rows made by the Worker's own normalizer and row code, written by the
//   Worker's own Parquet writer (src/archive/parquet.ts toParquet) under the Worker's keys
//   (archiveKey), in the archive job's row order (receivedAt, key).
// - Query: GET /v1/logs?sourceID=turbopuffer&eventName=namespace-deleted&from=<day>&to=<day + 1>
//   &limit=100, 10 pages by keyset, as SQL: every column, WHERE eventName AND eventTime in
//   [from, to), ORDER BY eventTime DESC, id DESC (the API's default order, eventTime desc by key:
//   every eventTime here is distinct), the next page after the last (eventTime, id), written so
//   DuckDB can prune row groups by it.
// - DuckDB: the Node build of @duckdb/duckdb-wasm 1.28 (the engine the SQL tab runs in the
//   browser), reading the files from disk; bytes read counted at fs.readSync (its only read).
// Prints `BENCH archive_page_duckdb_p50_ms <ms>` (p50 of 30 pages: 3 rounds of the 10),
// `BENCH archive_page_duckdb_bytes_ratio_first` (bytes read by the first page ÷ the day's objects)
// and the per-page figures. Run by `npm run bench` (step archive-duckdb).
import fs, { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { openDuckdb } from "./lib/duckdb-wasm-node.mjs";
import { importWorkerCode, root } from "./lib/import-worker-code.mjs";

const HOUR = 3_600_000;
const DAY = 86_400_000;
const PER_HOUR = 1000;
const ACTIONS = ["session-created", "namespace-deleted", "api-key-created"];
const SOURCE = { id: "turbopuffer", type: "turbopuffer" };

const mod =
  await importWorkerCode(`export { turbopuffer } from "./src/vendors/turbopuffer/index.ts";
  export { toRow } from "./src/store/rows.ts";
  export { rowKey } from "./src/store/keys.ts";
  export { hourOf } from "./src/store/archive.ts";
  export { toParquet } from "./src/archive/parquet.ts";
  export { archiveKey } from "./src/archive/job.ts";`);

/** test/helpers.ts tpEvent, as bench/archive-read.bench.ts uses it. */
function tpEvent(i, t) {
  return {
    action: ACTIONS[i % 3],
    occurred_at: new Date(t).toISOString().replace(".000Z", "Z"),
    actor: { type: "user", id: `user_${i}`, name: `user${i}@example.com` },
    targets: [
      { type: "session", id: `sess_${i}`, name: `sess_${i}`, metadata: { user_agent: "test" } },
    ],
    context: { location: "203.0.113.7" },
    metadata: { session_id: `sess_${i}` },
  };
}

const NOW = Date.now();
const first = mod.hourOf(NOW) - 30 * HOUR;
const dayStart = Math.floor((NOW - 60 * DAY) / DAY) * DAY;
const dir = join(root, ".bench", "archive-duckdb");
rmSync(dir, { recursive: true, force: true });
let i = 0;
let partitionBytes = 0;
const files = [];
for (let h = 0; h < 24; h++) {
  const at = first + h * HOUR + 1000;
  const rows = [];
  for (let k = 0; k < PER_HOUR; k++) {
    const value = tpEvent(i, dayStart + h * HOUR + k * 3000);
    i++;
    const out = mod.turbopuffer.normalizer.normalize({ value, raw: JSON.stringify(value) });
    if (!out.ok) throw new Error(out.message);
    rows.push(mod.toRow(SOURCE, out.event, at, { view: mod.turbopuffer.view, parsed: value }));
  }
  const key = (r) => BigInt(mod.rowKey(r.eventTime, r.id));
  rows.sort((a, b) => a.receivedAt - b.receivedAt || (key(a) < key(b) ? -1 : 1));
  const buf = new Uint8Array(mod.toParquet(rows));
  const file = join(dir, mod.archiveKey(SOURCE.id, mod.hourOf(at), 0));
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, buf);
  partitionBytes += buf.byteLength;
  files.push(file);
}

// bytes DuckDB reads: its Node runtime reads files with fs.readSync only
let bytesRead = 0;
const readSync = fs.readSync;
fs.readSync = (...a) => {
  const n = readSync(...a);
  bytesRead += n;
  return n;
};

const db = await openDuckdb();
const list = files.map((f) => `'${f.replaceAll("'", "''")}'`).join(", ");
const iso = (t) => new Date(t).toISOString().replace("T", " ").replace("Z", "");
const base = `SELECT * FROM read_parquet([${list}], hive_partitioning = true)
  WHERE source = 'turbopuffer' AND eventName = 'namespace-deleted'
    AND eventTime >= TIMESTAMP '${iso(dayStart)}' AND eventTime < TIMESTAMP '${iso(dayStart + DAY)}'`;
const page = (after) => {
  // (eventTime, id) < the last row's; the bare `eventTime <=` conjunct lets DuckDB prune row
  // groups by their statistics (it does not push an OR down)
  const at = after && `TIMESTAMP '${iso(after.t)}'`;
  const keyset = after
    ? ` AND eventTime <= ${at} AND (eventTime < ${at} OR id < '${after.id}')`
    : "";
  const t = db.query(`${base}${keyset} ORDER BY eventTime DESC, id DESC LIMIT 100`);
  const col = (name) => Array.from({ length: t.numRows }, (_, j) => t.getChild(name).get(j));
  // eventTime: TIMESTAMP (µs in Arrow), read as ms by Arrow's get
  return { ids: col("id"), times: col("eventTime"), names: col("eventName"), n: t.numRows };
};

const times = [];
const bytes = [];
let pagedIds = [];
for (let round = 0; round < 3; round++) {
  let after;
  const ids = [];
  for (let p = 0; p < 10; p++) {
    const b0 = bytesRead;
    const t0 = performance.now();
    const r = page(after);
    times.push(performance.now() - t0);
    if (round === 0) bytes.push(bytesRead - b0);
    if (r.n !== 100) throw new Error(`page ${p}: ${r.n} rows`);
    if (r.names.some((n) => n !== "namespace-deleted")) throw new Error("the filter let a row by");
    ids.push(...r.ids);
    after = { t: Number(r.times[r.n - 1]), id: r.ids[r.n - 1] };
  }
  pagedIds = ids;
}
// the 10 pages by keyset = the first 1,000 rows of the same query unpaged
const whole = db.query(`SELECT id FROM (${base}) ORDER BY eventTime DESC, id DESC LIMIT 1000`);
const wholeIds = Array.from({ length: whole.numRows }, (_, j) => whole.getChild("id").get(j));
if (wholeIds.length !== 1000 || wholeIds.some((id, j) => id !== pagedIds[j])) {
  throw new Error("the keyset pages differ from the unpaged order");
}
db.close();
fs.readSync = readSync;
rmSync(dir, { recursive: true, force: true });

const sorted = [...times].sort((a, b) => a - b);
const p50 = sorted[Math.floor(sorted.length / 2)];
console.log(`BENCH archive_page_duckdb_p50_ms ${p50.toFixed(1)}`);
console.log(`BENCH archive_page_duckdb_ms_all ${times.map((x) => x.toFixed(1)).join(",")}`);
console.log(`BENCH archive_page_duckdb_bytes ${bytes.join(",")}`);
console.log(`BENCH archive_page_duckdb_partition_bytes ${partitionBytes}`);
console.log(
  `BENCH archive_page_duckdb_bytes_ratio_first ${(bytes[0] / partitionBytes).toFixed(3)}`,
);
