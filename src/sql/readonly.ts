import { parse } from "sql-parser-cst";
import type { TableFunction } from "./cost";
import { checkGaps, checkText } from "./lexical";
import { foldName, isSelectType, statementLabel } from "./rules";
import { type RangedRelation, type TimeRangeEdit, timeRangeEdits } from "./time-range";
import { type CstNode, isNode, Refusal, type WalkContext, walk } from "./walk";

/**
 * The read-only gate for `POST /v1/sql` (issue 15). D1 has no read-only connection, so the SQL is
 * parsed with a real SQLite-dialect parser (sql-parser-cst) and let through only when it is exactly
 * one SELECT — plain, compound (UNION / INTERSECT / EXCEPT), VALUES, or with non-recursive CTEs —
 * that reads nothing but the allowed relations.
 *
 * What is refused, each with a message naming the problem:
 * - any statement other than one SELECT: writes (INSERT, REPLACE, UPDATE, DELETE, also behind a
 *   WITH), DDL, PRAGMA, ATTACH/DETACH, BEGIN/COMMIT/ROLLBACK/SAVEPOINT/RELEASE, VACUUM, REINDEX,
 *   ANALYZE, EXPLAIN; and more than one statement (empty statements, i.e. extra `;`, are ignored);
 * - recursive CTEs: `WITH RECURSIVE`, and a CTE that reads itself (SQLite recurses without the
 *   keyword);
 * - a relation that is not allowed, wherever it appears (FROM, JOIN, subqueries, CTE bodies,
 *   `IN (SELECT …)`, `IN table`, EXISTS). Names compare like SQLite's (ASCII case-insensitive,
 *   quotes removed). A CTE name counts as a relation inside the statement that defines it, with
 *   SQLite's scoping: it shadows a real table only where SQLite would resolve the name to the CTE
 *   (never through a schema prefix). `sqlite_*` and `_cf_*` names are refused even if allowed;
 * - a schema prefix other than `auditflare.`; `auditflare.` is removed from the returned SQL;
 * - table-valued functions other than json_each / json_tree (so every `pragma_*(…)`, which D1
 *   would run); the functions load_extension, readfile, writefile, edit, fts3_tokenizer, every
 *   `pragma_*` and every `sqlite_*` one (sqlite_version included: D1 refuses those itself, the gate
 *   only says so first); schema-qualified function calls;
 * - syntax outside a fixed list of node types (rules.ts), e.g. RAISE; bound parameters other than
 *   `?` and `?NNN`;
 * - text SQLite would read differently from the parser (lexical.ts): `#` comments, the parser's
 *   `sql-parser-cst-disable` directive, a NUL character;
 * - SQL that does not parse, longer than MAX_SQL_LENGTH, or too deeply nested to walk.
 *
 * On success `sql` is the statement's own text: comments and `;` around it are dropped (comments
 * inside stay), and `auditflare.` prefixes are removed, so it can be wrapped in a subquery as is.
 * With `ranged`, a relation whose `eventTime` the query bounds is replaced by its key-ranged
 * SELECT, so the time index serves the range (time-range.ts).
 */

/**
 * `from`: the earliest event time the query reads, when every relation is bounded below;
 * `functions`: the table-valued functions it reads, for the cost bound (cost.ts).
 */
export type SqlCheck = ({ ok: true } & Checked) | { ok: false; message: string };

interface Checked {
  sql: string;
  from?: number;
  functions: TableFunction[];
}

export const MAX_SQL_LENGTH = 100_000;

export function checkReadOnly(
  sql: string,
  allowed: ReadonlySet<string>,
  ranged?: RangedRelation,
): SqlCheck {
  try {
    return { ok: true, ...check(sql, allowed, ranged) };
  } catch (error) {
    if (error instanceof Refusal) return { ok: false, message: error.message };
    if (error instanceof RangeError)
      return { ok: false, message: "the SQL is too deeply nested to check" };
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, message: `the SQL could not be checked: ${reason}` };
  }
}

function check(sql: string, allowed: ReadonlySet<string>, ranged?: RangedRelation): Checked {
  if (sql.length > MAX_SQL_LENGTH)
    throw new Refusal(`the SQL is longer than ${MAX_SQL_LENGTH} characters`);
  checkText(sql);
  const program = parseSql(sql);
  const statement = singleStatement(program);
  checkGaps(sql, program);
  const ctx: WalkContext = {
    allowed: new Map([...allowed].map((name) => [foldName(name), name])),
    edits: [],
    real: new Map(),
    opened: new WeakSet(),
    functions: [],
  };
  walk(statement, undefined, ctx);
  const edits: TimeRangeEdit[] = ctx.edits.map(([start, end]) => ({ start, end, text: "" }));
  const ranges = ranged ? timeRangeEdits(statement, ctx.real, ranged) : undefined;
  edits.push(...(ranges?.edits ?? []));
  return { sql: rewrite(sql, statement, edits), from: ranges?.from, functions: ctx.functions };
}

function parseSql(sql: string): CstNode {
  try {
    const program = parse(sql, { dialect: "sqlite", includeRange: true, paramTypes: ["?", "?nr"] });
    return program as unknown as CstNode;
  } catch (error) {
    if (error instanceof RangeError) throw error;
    // FormattedSyntaxError: "Syntax Error: Unexpected …\nWas expecting …\n--> file:line:column\n…"
    const text = error instanceof Error ? error.message : String(error);
    const found = /^Syntax Error: (.*)$/m.exec(text)?.[1] ?? text.split("\n")[0];
    const at = /^--> .*:(\d+):(\d+)$/m.exec(text);
    const where = at ? ` (line ${at[1]}, column ${at[2]})` : "";
    throw new Refusal(`the SQL does not parse: ${found}${where}`);
  }
}

function singleStatement(program: CstNode): CstNode {
  const all = Array.isArray(program.statements) ? (program.statements as unknown[]) : [];
  const statements = all.filter((s): s is CstNode => isNode(s) && s.type !== "empty");
  const [first] = statements;
  if (!first) throw new Refusal("the SQL is empty: send one SELECT statement");
  if (statements.length > 1) {
    const labels = statements.map((s) =>
      isSelectType(s.type) ? "SELECT" : statementLabel(s.type),
    );
    throw new Refusal(
      `only one statement is allowed; found ${statements.length} (${labels.join(", ")})`,
    );
  }
  if (!isSelectType(first.type))
    throw new Refusal(`only a SELECT statement is allowed, not ${statementLabel(first.type)}`);
  return first;
}

/**
 * The statement's text with `edits` applied: the `auditflare.` prefixes removed, ranged relations
 * put in. An edit inside one already applied (a prefix of a replaced relation) is dropped.
 */
function rewrite(sql: string, statement: CstNode, edits: readonly TimeRangeEdit[]) {
  const [from, to] = statement.range ?? [0, sql.length];
  let out = "";
  let at = from;
  const sorted = [...edits].sort((a, b) => a.start - b.start || b.end - a.end);
  for (const { start, end, text } of sorted) {
    if (start < at) continue;
    out += sql.slice(at, start) + text;
    at = end;
  }
  return out + sql.slice(at, to);
}
