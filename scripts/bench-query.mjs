#!/usr/bin/env node
// The raw-SQLite side of `query_p50_ratio` (`npm run bench`): the query benchmark's rows
// (bench/events.ts `queryRow`, the very rows the Worker side stores), in better-sqlite3
// (same schema: migrations/*.sql, a file on disk, WAL), queried with the Worker's own query
// builder (src/store/query.ts `logsQuery`), so both sides run the same SQL over the same rows.
// Prints `BENCH query_sqlite_p50_ms <filter> <ms>` (and p95), `query_sqlite_prepared_p50_ms` (the
// same statement prepared and run with no ORM, rows as objects: the baseline of
// query_p50_ratio_prepared) and `query_sqlite_raw_p50_ms` (prepared once, rows as arrays).
// better-sqlite3 is optional.
import { importWorkerCode } from "./lib/import-worker-code.mjs";
import { freshDatabase, loadSqlite, rowInserter } from "./lib/sqlite-baseline.mjs";

const Database = loadSqlite("query_sqlite_p50_ms");
if (!Database) process.exit(0);
const { drizzle } = await import("drizzle-orm/better-sqlite3");

const mod = await importWorkerCode(`export { LOG_COLUMNS } from "./src/store/rows.ts";
  export { rowKey } from "./src/store/keys.ts";
  export { logsQuery } from "./src/store/query.ts";
  // (registers the vendors whose map markers the filters read, as the Worker does when it starts)
  export { catalog } from "./src/catalog.ts";
  export * from "./bench/events.ts";`);

const db = freshDatabase(Database, "sqlite-query");
const insert = rowInserter(db, mod.LOG_COLUMNS, mod.rowKey);
const insertAll = db.transaction((rows) => {
  for (const r of rows) insert(r);
});
for (let b = 0; b < mod.QUERY_EVENTS; b += 10_000) {
  const rows = [];
  for (let i = b; i < Math.min(b + 10_000, mod.QUERY_EVENTS); i++) rows.push(mod.queryRow(i));
  insertAll(rows);
}
db.exec("ANALYZE");

const orm = drizzle(db);
const percentile = (xs, p) => [...xs].sort((a, b) => a - b)[Math.floor((p / 100) * xs.length)];
for (const [name, params] of Object.entries(mod.QUERY_FILTERS)) {
  const q = {
    ...params,
    from: params.from ? Date.parse(params.from) : undefined,
    to: params.to ? Date.parse(params.to) : undefined,
    timeField: "eventTime",
    order: "desc",
    limit: 101,
  };
  // 40 queries or 6 s of them, after 5 warm-up ones (a precise clock: single queries)
  const timed = (fn) => {
    const times = [];
    const until = performance.now() + 6000;
    for (let r = 0; r < 45 && (r < 8 || performance.now() < until); r++) {
      const t = performance.now();
      const rows = fn();
      if (rows.length === 0) throw new Error(`${name}: no rows`);
      if (r >= 5) times.push(performance.now() - t);
    }
    return times;
  };
  // The same code as the Worker's on SQLite (the figure of issue 27's goal, as it measured it):
  // drizzle builds the page's statement (logsQuery) and maps its rows.
  const times = timed(() => mod.logsQuery(orm, q).all());
  console.log(`BENCH query_sqlite_p50_ms ${name} ${percentile(times, 50).toFixed(2)}`);
  console.log(`BENCH query_sqlite_p95_ms ${name} ${percentile(times, 95).toFixed(2)}`);
  // Stricter: the same statement prepared and run by better-sqlite3, its rows as objects, no ORM
  // between (drizzle's row mapping is most of the time above).
  const { sql, params: bound } = mod.logsQuery(orm, q).toSQL();
  const prepared = timed(() => db.prepare(sql).all(...bound));
  console.log(`BENCH query_sqlite_prepared_p50_ms ${name} ${percentile(prepared, 50).toFixed(2)}`);
  // SQLite's own part of it: the statement prepared once, its rows as arrays
  const stmt = db.prepare(sql).raw(true);
  const raw = timed(() => stmt.all(...bound));
  console.log(`BENCH query_sqlite_raw_p50_ms ${name} ${percentile(raw, 50).toFixed(2)}`);
}
db.close();
