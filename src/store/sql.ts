import { getTableConfig } from "drizzle-orm/sqlite-core";
import { type CostContext, costRefusal, type PlanRow } from "../sql/cost";
import { checkReadOnly } from "../sql/readonly";
import { logs } from "./schema";
import type { ViewCatalog } from "./views";

/** What the gate needs of the views (src/catalog.ts `catalog()`). */
type Views = Pick<ViewCatalog, "queryable" | "rangedRelation">;

/**
 * `POST /v1/sql`: one read-only SELECT over the views (src/store/views.ts), run on D1. The gate
 * (src/sql/readonly.ts) parses it and refuses anything else; what it lets through runs wrapped
 * in an outer LIMIT. Before anything runs, its plan (`EXPLAIN QUERY PLAN`, compiled, not run)
 * must be within the cost bound (src/sql/cost.ts). Column names come from a first run under
 * `LIMIT 0` (SQLite stops before reading a row); the rows then come under positional names (`c0`,
 * `c1`, …), so duplicate or numeric column names (`SELECT a.id, b.id`, `SELECT 1`) keep their
 * place. Integers beyond ±(2^53 − 1), which a JS number would round, come back as their decimal
 * text. D1 stops sending rows once their raw bytes pass `maxBytes` (the route cuts the exact
 * response; this only keeps a huge result out of the isolate's memory).
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

/** Why a query did not run: refused by the gate or the cost bound, or failed in D1 (its message). */
export class SqlFailure extends Error {
  constructor(
    readonly kind: "not_allowed" | "too_costly" | "d1",
    message: string,
  ) {
    super(message);
  }
}

/** A stack frame (`at f (file:1:2)`, `at file:1:2`) inside a message. */
const FRAME = /\s+at\s+(?:[^\s()]+\s+)?\(?[^\s()]+:\d+:\d+\)?/g;

/**
 * D1's message for a response: its first line, without stack frames, its transport prefix
 * (`D1_ERROR: `, `Error: `) or SQLite code suffix (`: SQLITE_ERROR`).
 */
export function d1Message(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const first = (text.split("\n")[0] ?? "").replace(FRAME, "");
  return first
    .replace(/^(?:D1_[A-Z_]+:\s*)?(?:[A-Za-z]*Error:\s*)?/, "")
    .replace(/:\s*SQLITE_[A-Z_]+$/, "")
    .trim();
}

async function attempt<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw new SqlFailure("d1", d1Message(error));
  }
}

/** The statement the gate lets through (with the time-index rewrite); throws SqlFailure. */
export function allowedSql(query: string, views: Views): string {
  return checkedSql(query, views).sql;
}

type Checked = Extract<ReturnType<typeof checkReadOnly>, { ok: true }>;

function checkedSql(query: string, views: Views): Checked {
  const check = checkReadOnly(query, views.queryable, views.rangedRelation);
  if (!check.ok) throw new SqlFailure("not_allowed", check.message);
  return check;
}

/** The unique indexes of the events table, by name, with their number of columns. */
const UNIQUE_INDEXES: ReadonlyMap<string, number> = new Map(
  getTableConfig(logs)
    .indexes.filter((i) => i.config.unique)
    .map((i) => [i.config.name, i.config.columns.length]),
);

async function costOf(db: D1Database, checked: Checked): Promise<string | undefined> {
  const { results } = await attempt(() =>
    db.prepare(`EXPLAIN QUERY PLAN ${checked.sql}`).all<PlanRow>(),
  );
  const ctx: CostContext = { functions: checked.functions, uniqueIndexes: UNIQUE_INDEXES };
  return costRefusal(results, ctx);
}

/** Why the cost bound refuses `query`, or undefined (throws SqlFailure when the gate refuses). */
export function planRefusal(
  db: D1Database,
  query: string,
  views: Views,
): Promise<string | undefined> {
  return costOf(db, checkedSql(query, views));
}

/** The names without the `:1`, `:2` … SQLite adds to a repeated name in a subquery. */
function unnumbered(names: readonly string[]): string[] {
  return names.map((n, i) => {
    const m = /^(.*):\d+$/.exec(n);
    return m && names.slice(0, i).includes(m[1] as string) ? (m[1] as string) : n;
  });
}

/** The largest integer a JS number holds exactly. */
const SAFE = "9007199254740991";

/** Column `c` as it leaves D1: an integer a JS number would round becomes its decimal text. */
const exact = (c: string) =>
  `CASE WHEN typeof(${c}) = 'integer' AND (${c} > ${SAFE} OR ${c} < -${SAFE}) THEN CAST(${c} AS TEXT) ELSE ${c} END AS ${c}`;

/**
 * The query as run: at most `limit + 1` rows, each column through `exact`, and no row after the
 * one whose raw bytes (text and blobs as stored) pass `maxBytes`.
 */
function wrappedSql(sql: string, positional: readonly string[], limit: number, maxBytes: number) {
  const bytes = positional.map((c) => `coalesce(length(CAST(${c} AS BLOB)), 0)`).join(" + ") || "0";
  return `WITH _auditflare_q(${positional.join(", ")}) AS (${sql}\n)
SELECT * FROM (
  SELECT ${positional.map(exact).join(", ")}, ${bytes} AS _auditflare_row,
    sum(${bytes}) OVER (ROWS UNBOUNDED PRECEDING) AS _auditflare_bytes
  FROM (SELECT * FROM _auditflare_q LIMIT ${limit + 1})
) WHERE _auditflare_bytes - _auditflare_row <= ${maxBytes}`;
}

/** The column names of an allowed statement (`allowedSql`), from D1 without reading a row. */
export async function queryColumns(db: D1Database, sql: string): Promise<string[]> {
  const [names] = await attempt(() =>
    db.prepare(`SELECT * FROM (${sql}\n) LIMIT 0`).raw({ columnNames: true }),
  );
  return unnumbered((names ?? []) as string[]);
}

export async function runSql(
  db: D1Database,
  query: string,
  limit: number,
  maxBytes: number,
  views: Views,
): Promise<SqlResult> {
  const checked = checkedSql(query, views);
  const tooCostly = await costOf(db, checked);
  if (tooCostly) throw new SqlFailure("too_costly", tooCostly);
  const { sql, from } = checked;
  const columns = await queryColumns(db, sql);
  const positional = columns.map((_, i) => `c${i}`);
  const wrapped = wrappedSql(sql, positional, limit, maxBytes);
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
