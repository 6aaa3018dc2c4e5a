// The better-sqlite3 side of the benchmarks (scripts/bench-sqlite.mjs, scripts/bench-query.mjs):
// a fresh database file under .bench/ with the Worker's schema (every migrations/*.sql, as
// wrangler applies them), WAL, and the Worker's column order for inserts. better-sqlite3 is an
// optional dependency: `loadSqlite()` says so instead of failing.
import { mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { importWorkerCode, root } from "./import-worker-code.mjs";

/** better-sqlite3, or null (with a BENCH line naming `figure` as unavailable) when missing. */
export function loadSqlite(figure) {
  try {
    return createRequire(import.meta.url)("better-sqlite3");
  } catch {
    console.log(`BENCH ${figure} unavailable (optional better-sqlite3 not installed)`);
    return null;
  }
}

/** A new database `.bench/<name>.db` holding the migrated schema, in WAL mode. */
export function freshDatabase(Database, name) {
  const dir = join(root, ".bench");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.db`);
  for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  const migrations = join(root, "migrations");
  for (const f of readdirSync(migrations)
    .filter((x) => x.endsWith(".sql"))
    .sort()) {
    db.exec(readFileSync(join(migrations, f), "utf8").replaceAll("--> statement-breakpoint", ""));
  }
  return db;
}

/** A function inserting rows (LogRow objects) with their time-ordered keys, one at a time. */
export function rowInserter(db, columns, rowKey) {
  const all = ["rid", ...columns];
  const insert = db.prepare(
    `INSERT INTO events (${all.join(", ")}) VALUES (${all.map(() => "?").join(", ")}) ON CONFLICT DO NOTHING`,
  );
  return (r) => insert.run([BigInt(rowKey(r.eventTime, r.id)), ...columns.map((c) => r[c])]);
}

/**
 * Turbopuffer events (objects) as the Worker stores them: its own normalizer and row code.
 * Returns { rows, LOG_COLUMNS, rowKey } for `rowInserter`.
 */
export async function turbopufferRows(events) {
  const mod =
    await importWorkerCode(`export { turbopuffer } from "./src/vendors/turbopuffer/index.ts";
  export { toRow, LOG_COLUMNS } from "./src/store/rows.ts";
  export { rowKey } from "./src/store/keys.ts";`);
  const source = { id: "turbopuffer", type: "turbopuffer" };
  const rows = [];
  for (const value of events) {
    const out = mod.turbopuffer.normalizer.normalize({ value, raw: JSON.stringify(value) });
    if (!out.ok) throw new Error(out.message);
    const raw = { view: mod.turbopuffer.view, parsed: value };
    rows.push(mod.toRow(source, out.event, Date.now(), raw));
  }
  return { rows, LOG_COLUMNS: mod.LOG_COLUMNS, rowKey: mod.rowKey };
}

/** Inserts rows in one transaction; rows per second. */
export function insertRate(db, insert, rows) {
  const started = performance.now();
  db.transaction(() => {
    for (const r of rows) insert(r);
  })();
  return rows.length / ((performance.now() - started) / 1000);
}
