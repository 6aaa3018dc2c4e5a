import { foldName } from "./rules";
import { type CstNode, isNode } from "./walk";

/**
 * Keeps the time index in use under the views. The views show `eventTime` as ISO-8601 text, an
 * expression SQLite cannot search an index by, while the internal table is keyed by time (`rid`).
 * So where a SELECT reads one allowed relation (no join) and its WHERE bounds `eventTime` by a
 * string literal in ISO form (a top-level AND term: `>=`, `>`, `<=`, `<`, `=`, BETWEEN), the
 * relation is replaced by its own SELECT restricted to the matching key range
 * (`RangedRelation`, from the store layer). The user's condition stays as written, so the range
 * only has to hold every row the condition can keep: it is a superset, never a filter of its own.
 *
 * Why it is a superset: the views' text is fixed-width (`YYYY-MM-DDTHH:MM:SS.sssZ`), so text
 * order is time order. For a literal L that is a prefix of that form (a trailing `Z` ignored), a
 * value S >= L starts at or after L read with the missing fields at their lowest, and S <= L
 * starts before that time plus the unit of L's last field (a day for `2026-11-01`). Literals of
 * any other shape (a space instead of `T`, an offset, an invalid date) give no range.
 */

/** Builds the replacement of relation `name` for the times [from, to) in ms (either open). */
export type RangedRelation = (name: string, from?: number, to?: number) => string | undefined;

export interface TimeRangeEdit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
  /** The lower time bound this relation got (ms), if any. */
  readonly from?: number;
}

const TEMPLATE = "2000-01-01T00:00:00.000";
const SHAPE = /^\d{4}(?:-\d{2}(?:-\d{2}(?:T\d{2}(?::\d{2}(?::\d{2}(?:\.\d{1,3})?)?)?)?)?)?$/;
const DAY = 86_400_000;
/** The unit of the last field, by the literal's length. */
const SPAN: Readonly<Record<number, number>> = {
  4: 366 * DAY,
  7: 31 * DAY,
  10: DAY,
  13: 3_600_000,
  16: 60_000,
  19: 1000,
  21: 100,
  22: 10,
  23: 1,
};

/** [lowest time, time past the last field's unit) of an ISO-prefix literal; undefined otherwise. */
export function literalSpan(literal: string): readonly [number, number] | undefined {
  const text = literal.endsWith("Z") ? literal.slice(0, -1) : literal;
  const span = SPAN[text.length];
  if (span === undefined || !SHAPE.test(text)) return undefined;
  const filled = text + TEMPLATE.slice(text.length);
  const t = Date.parse(`${filled}Z`);
  // Date.parse accepts 2026-02-30; a date that does not come back the same is not a date
  if (Number.isNaN(t) || new Date(t).toISOString().slice(0, 23) !== filled) return undefined;
  return [t, t + span];
}

const COLUMN = "eventtime";
const FLIP: Readonly<Record<string, string>> = {
  ">=": "<=",
  ">": "<",
  "<=": ">=",
  "<": ">",
  "=": "=",
};

interface Bounds {
  from?: number;
  to?: number;
}

function tighten(b: Bounds, op: string, literal: string): void {
  const span = literalSpan(literal);
  if (!span) return;
  if (op === ">=" || op === ">" || op === "=") b.from = Math.max(b.from ?? span[0], span[0]);
  if (op === "<=" || op === "<" || op === "=") b.to = Math.min(b.to ?? span[1], span[1]);
}

const child = (node: CstNode, key: string) => {
  const v = node[key];
  return isNode(v) ? v : undefined;
};

/** Whether `node` is the time column of the relation named or aliased `names`. */
function isTimeColumn(node: CstNode | undefined, names: ReadonlySet<string>): boolean {
  if (node?.type === "identifier") return foldName(String(node.name)) === COLUMN;
  if (node?.type !== "member_expr") return false;
  const table = child(node, "object");
  const column = child(node, "property");
  return (
    table?.type === "identifier" &&
    names.has(foldName(String(table.name))) &&
    column?.type === "identifier" &&
    foldName(String(column.name)) === COLUMN
  );
}

const stringValue = (node: CstNode | undefined) =>
  node?.type === "string_literal" ? String(node.value) : undefined;

/** The AND terms of a WHERE condition, through parentheses. */
function conjuncts(node: CstNode | undefined, out: CstNode[] = []): CstNode[] {
  if (!node) return out;
  if (node.type === "paren_expr") return conjuncts(child(node, "expr"), out);
  const op = node.operator;
  if (node.type === "binary_expr" && isNode(op) && String(op.name).toUpperCase() === "AND") {
    conjuncts(child(node, "left"), out);
    conjuncts(child(node, "right"), out);
  } else out.push(node);
  return out;
}

function boundsOf(where: CstNode | undefined, names: ReadonlySet<string>): Bounds {
  const b: Bounds = {};
  for (const term of conjuncts(where)) {
    if (term.type === "between_expr" && isTimeColumn(child(term, "left"), names)) {
      const [lo, hi] = [stringValue(child(term, "begin")), stringValue(child(term, "end"))];
      if (lo !== undefined) tighten(b, ">=", lo);
      if (hi !== undefined) tighten(b, "<=", hi);
    } else if (term.type === "binary_expr" && typeof term.operator === "string") {
      const op = FLIP[term.operator] && term.operator;
      const [left, right] = [child(term, "left"), child(term, "right")];
      if (!op) continue;
      const onLeft = stringValue(right);
      const onRight = stringValue(left);
      if (onLeft !== undefined && isTimeColumn(left, names)) tighten(b, op, onLeft);
      else if (onRight !== undefined && isTimeColumn(right, names))
        tighten(b, FLIP[op] as string, onRight);
    }
  }
  return b;
}

function clauseOf(select: CstNode, type: string): CstNode | undefined {
  const clauses = Array.isArray(select.clauses) ? (select.clauses as unknown[]) : [];
  return clauses.find((c): c is CstNode => isNode(c) && c.type === type);
}

/** The edit for one SELECT, when it reads a single real relation and bounds its time. */
function editFor(
  select: CstNode,
  real: ReadonlyMap<CstNode, string>,
  ranged: RangedRelation,
): TimeRangeEdit | undefined {
  const item = child(clauseOf(select, "from_clause") ?? select, "expr");
  const relation = item?.type === "alias" ? child(item, "expr") : item;
  const name = relation && real.get(relation);
  if (!item || !relation?.range || name === undefined) return undefined;
  const aliasNode = item.type === "alias" ? child(item, "alias") : undefined;
  const alias = aliasNode?.type === "identifier" ? String(aliasNode.name) : undefined;
  const names = new Set([foldName(alias ?? name)]);
  const where = child(clauseOf(select, "where_clause") ?? select, "expr");
  const { from, to } = boundsOf(where, names);
  if (from === undefined && to === undefined) return undefined;
  const body = ranged(name, from, to);
  if (!body) return undefined;
  const [start, end] = relation.range;
  return { start, end, text: `(${body})${alias === undefined ? ` AS ${name}` : ""}`, from };
}

/**
 * The edits that put a key-ranged SELECT in place of each relation that can have one. `real` maps
 * the FROM nodes the gate resolved to allowed relations (not CTEs) to their names.
 */
export function timeRangeEdits(
  statement: CstNode,
  real: ReadonlyMap<CstNode, string>,
  ranged: RangedRelation,
): { edits: TimeRangeEdit[]; from: number | undefined } {
  const edits: TimeRangeEdit[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) for (const v of value) visit(v);
    else if (typeof value === "object" && value !== null) {
      if (isNode(value) && value.type === "select_stmt") {
        const edit = editFor(value, real, ranged);
        if (edit) edits.push(edit);
      }
      for (const [k, v] of Object.entries(value)) if (k !== "range") visit(v);
    }
  };
  visit(statement);
  // the earliest time the query can read: known only when every relation it reads is bounded
  const bounded = edits.length === real.size && edits.every((e) => e.from !== undefined);
  return {
    edits,
    from: bounded ? Math.min(...edits.map((e) => e.from as number)) : undefined,
  };
}
