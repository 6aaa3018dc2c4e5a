import { checkReadOnly } from "../sql/readonly";
import { QUERYABLE, rangedRelation } from "./views";

/**
 * `POST /v1/sql`: one read-only SELECT over the views (src/store/views.ts), run on D1. The gate
 * (src/sql/readonly.ts) parses it and refuses anything else; what it lets through runs wrapped
 * in an outer LIMIT. Column names come from a first run under `LIMIT 0` (SQLite stops before
 * reading a row); the rows then come under positional names (`c0`, `c1`, …), so duplicate or
 * numeric column names (`SELECT a.id, b.id`, `SELECT 1`) keep their place.
 */

export type SqlValue = string | number | null | ArrayBuffer | number[];

export interface SqlResult {
  columns: string[];
  rows: SqlValue[][];
  rowsRead: number;
  truncated: boolean;
  /** The earliest event time the query reads, when every relation is bounded below by time. */
  from?: number;
}

/** Why a query did not run: refused by the gate, or failed in D1 (its message). */
export class SqlFailure extends Error {
  constructor(
    readonly kind: "not_allowed" | "d1",
    message: string,
  ) {
    super(message);
  }
}

/** D1's message without its transport prefix and SQLite code suffix. */
const d1Message = (error: unknown) =>
  (error instanceof Error ? error.message : String(error))
    .replace(/^D1_ERROR:\s*/, "")
    .replace(/:\s*SQLITE_[A-Z_]+$/, "");

async function attempt<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw new SqlFailure("d1", d1Message(error));
  }
}

/** The statement the gate lets through (with the time-index rewrite); throws SqlFailure. */
export function allowedSql(query: string): string {
  return checkedSql(query).sql;
}

function checkedSql(query: string): { sql: string; from?: number } {
  const check = checkReadOnly(query, QUERYABLE, rangedRelation);
  if (!check.ok) throw new SqlFailure("not_allowed", check.message);
  return check;
}

/** The names without the `:1`, `:2` … SQLite adds to a repeated name in a subquery. */
function unnumbered(names: readonly string[]): string[] {
  return names.map((n, i) => {
    const m = /^(.*):\d+$/.exec(n);
    return m && names.slice(0, i).includes(m[1] as string) ? (m[1] as string) : n;
  });
}

export async function runSql(db: D1Database, query: string, limit: number): Promise<SqlResult> {
  const { sql, from } = checkedSql(query);
  const [names] = await attempt(() =>
    db.prepare(`SELECT * FROM (${sql}\n) LIMIT 0`).raw({ columnNames: true }),
  );
  const columns = unnumbered((names ?? []) as string[]);
  const positional = columns.map((_, i) => `c${i}`);
  const wrapped = `WITH _auditflare_q(${positional.join(", ")}) AS (${sql}\n) SELECT * FROM _auditflare_q LIMIT ${limit + 1}`;
  const result = await attempt(() => db.prepare(wrapped).all<Record<string, SqlValue>>());
  const rows = result.results.map((r) => positional.map((c) => r[c] ?? null));
  return {
    columns,
    rows: rows.slice(0, limit),
    rowsRead: result.meta.rows_read ?? 0,
    truncated: rows.length > limit,
    from,
  };
}
