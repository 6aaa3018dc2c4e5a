#!/usr/bin/env node
// The raw-SQLite baseline of `npm run bench`: the rows the push benchmark stores (10 x 1,000
// Turbopuffer events, bench/perf.bench.ts), built by the Worker's own normalizer and row code,
// inserted with better-sqlite3 into the same schema (migrations/*.sql) in a file on disk, WAL,
// one transaction. Prints `BENCH sqlite_insert_rows_per_s <n>`. better-sqlite3 is an optional
// dependency (a native module): without it this prints why and exits 0.
import { importWorkerCode } from "./lib/import-worker-code.mjs";
import { freshDatabase, loadSqlite, rowInserter } from "./lib/sqlite-baseline.mjs";

const Database = loadSqlite("sqlite_insert_rows_per_s");
if (!Database) process.exit(0);
const mod =
  await importWorkerCode(`export { turbopuffer } from "./src/vendors/turbopuffer/index.ts";
  export { toRow, LOG_COLUMNS } from "./src/store/rows.ts";
  export { rowKey } from "./src/store/keys.ts";
  export { benchEvent } from "./bench/events.ts";`);

const source = { id: "turbopuffer", type: "turbopuffer" };
const rows = [];
for (let i = 0; i < 10_000; i++) {
  const value = mod.benchEvent("turbopuffer", 2_000_000 + i);
  const raw = JSON.stringify(value);
  const out = mod.turbopuffer.normalizer.normalize({ value, raw });
  if (!out.ok) throw new Error(out.message);
  rows.push(
    mod.toRow(source, out.event, Date.now(), { view: mod.turbopuffer.view, parsed: value }),
  );
}

const db = freshDatabase(Database, "sqlite-baseline");
const insert = rowInserter(db, mod.LOG_COLUMNS, mod.rowKey);
const started = performance.now();
db.transaction(() => {
  for (const r of rows) insert(r);
})();
const seconds = (performance.now() - started) / 1000;
db.close();
console.log(`BENCH sqlite_insert_rows_per_s ${Math.round(rows.length / seconds)}`);
