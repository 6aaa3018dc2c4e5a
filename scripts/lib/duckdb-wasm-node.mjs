// DuckDB in Node without installing anything: the Node build of @duckdb/duckdb-wasm, the pinned
// dependency whose browser build the explorer's SQL tab runs (docs/explorer.md, "SQL over the
// archive"), so both sides are the same engine (1.28.0, DuckDB 0.9.1; its wasm has the Parquet
// reader built in, no extension download). Used by the e2e archive tests and
// scripts/bench-archive-duckdb.mjs. Synchronous queries (the blocking build), one database per
// call of `openDuckdb`.
import { createRequire } from "node:module";
import { join } from "node:path";
import { root } from "./import-worker-code.mjs";

const dist = join(root, "node_modules", "@duckdb", "duckdb-wasm", "dist");

/** A DuckDB database in memory: { query(sql) → Arrow table, rows(sql) → row objects, close() }. */
export async function openDuckdb() {
  const duckdb = createRequire(import.meta.url)(join(dist, "duckdb-node-blocking.cjs"));
  const bundle = (b) => ({
    mainModule: join(dist, `duckdb-${b}.wasm`),
    mainWorker: join(dist, `duckdb-node-${b}.worker.cjs`),
  });
  const db = await duckdb.createDuckDB(
    { mvp: bundle("mvp"), eh: bundle("eh") },
    new duckdb.VoidLogger(),
    duckdb.NODE_RUNTIME,
  );
  await db.instantiate();
  db.open({ query: { castBigIntToDouble: false } });
  const c = db.connect();
  // DuckDB asks for a home directory (~/.duckdb) for some statements; the wasm build has none.
  c.query("SET home_directory = '/tmp'");
  const query = (sql) => c.query(sql);
  return {
    query,
    /** Rows as objects of plain values (BigInt kept; times as Date-able numbers, as Arrow has them). */
    rows(sql) {
      const t = c.query(sql);
      const names = t.schema.fields.map((f) => f.name);
      const out = [];
      for (let i = 0; i < t.numRows; i++) {
        out.push(Object.fromEntries(names.map((n, j) => [n, t.getChildAt(j).get(i)])));
      }
      return out;
    },
    close() {
      c.close();
      db.reset?.();
    },
  };
}

/** `dir`'s archive files (archive/v1/source=…/date=…/hour=…/*.parquet) as a DuckDB glob literal. */
export function archiveGlob(dir) {
  return `'${join(dir, "archive", "v1", "**", "*.parquet").replaceAll("'", "''")}'`;
}
