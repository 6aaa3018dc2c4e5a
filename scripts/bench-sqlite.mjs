#!/usr/bin/env node
// The raw-SQLite baseline of `npm run bench`: the rows the push benchmark stores (10 x 1,000
// Turbopuffer events, bench/perf.bench.ts), built by the Worker's own normalizer and row code,
// inserted with better-sqlite3 into the same schema (migrations/*.sql) in a file on disk, WAL,
// one transaction. Prints `BENCH sqlite_insert_rows_per_s <n>`. better-sqlite3 is an optional
// dependency (a native module): without it this prints why and exits 0.
import { mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { importWorkerCode, root } from "./lib/import-worker-code.mjs";

let Database;
try {
  Database = createRequire(import.meta.url)("better-sqlite3");
} catch {
  console.log("BENCH sqlite_insert_rows_per_s unavailable (optional better-sqlite3 not installed)");
  process.exit(0);
}

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
  const out = await mod.turbopuffer.normalizer.normalize({ value, raw });
  if (!out.ok) throw new Error(out.message);
  rows.push(
    await mod.toRow(source, out.event, Date.now(), { view: mod.turbopuffer.view, parsed: value }),
  );
}

const dir = join(root, ".bench");
mkdirSync(dir, { recursive: true });
const file = join(dir, "sqlite-baseline.db");
for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
const db = new Database(file);
db.pragma("journal_mode = WAL");
const migrations = join(root, "migrations");
for (const f of readdirSync(migrations)
  .filter((x) => x.endsWith(".sql"))
  .sort()) {
  db.exec(readFileSync(join(migrations, f), "utf8").replaceAll("--> statement-breakpoint", ""));
}
const columns = ["rid", ...mod.LOG_COLUMNS];
const insert = db.prepare(
  `INSERT INTO logs (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")}) ON CONFLICT DO NOTHING`,
);
const values = rows.map((r) => [
  BigInt(mod.rowKey(r.eventTime, r.id)),
  ...mod.LOG_COLUMNS.map((c) => r[c]),
]);
const started = performance.now();
db.transaction(() => {
  for (const v of values) insert.run(v);
})();
const seconds = (performance.now() - started) / 1000;
db.close();
console.log(`BENCH sqlite_insert_rows_per_s ${Math.round(values.length / seconds)}`);
