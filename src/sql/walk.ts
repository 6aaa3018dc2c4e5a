import type { TableFunction } from "./cost";
import {
  DENIED_FUNCTION_PREFIXES,
  DENIED_FUNCTIONS,
  foldName,
  INTERNAL_PREFIXES,
  isSelectType,
  READ_NODE_TYPES,
  SCHEMA_PREFIX,
  statementLabel,
  TABLE_FUNCTIONS,
} from "./rules";

/**
 * The generic walk behind the read-only gate: every node of the CST is visited (every property,
 * every array), its type must be on READ_NODE_TYPES, and the few places where SQLite reads a
 * relation or calls a function are decided on the way. Relation positions are the FROM clause
 * (through joins, aliases, parentheses, INDEXED BY) and the right side of `IN`; every other
 * property of those nodes is walked like any other expression.
 */

export interface CstNode {
  readonly type: string;
  readonly range?: readonly [number, number];
  readonly [key: string]: unknown;
}

/** Thrown to refuse the query; its message goes back to the caller. */
export class Refusal extends Error {}

export interface WalkContext {
  /** Allowed relations, folded name → name as the caller spelled it. */
  readonly allowed: ReadonlyMap<string, string>;
  /** Source ranges [start, end) to delete: the `auditflare.` prefixes. */
  readonly edits: Array<readonly [number, number]>;
  /** The FROM nodes that name an allowed relation (not a CTE), with its name as allowed. */
  readonly real: Map<CstNode, string>;
  /** WITH clauses already opened by the compound SELECT they lead. */
  readonly opened: WeakSet<object>;
  /** The table-valued functions read, under each name the query plan can show (cost.ts). */
  readonly functions: TableFunction[];
}

/** The CTE names one WITH clause defines; `defining` is set while walking that CTE's body. */
interface Scope {
  readonly ctes: ReadonlySet<string>;
  readonly defining?: string;
  readonly parent: Scope | undefined;
}

type Handler = (node: CstNode, scope: Scope | undefined, ctx: WalkContext) => Handled | undefined;
/** Properties a handler walked itself, and the scope for the rest. */
interface Handled {
  readonly skip: readonly string[];
  readonly scope?: Scope;
}

export function isNode(value: unknown): value is CstNode {
  return typeof value === "object" && value !== null && typeof (value as CstNode).type === "string";
}

function child(node: CstNode, key: string): CstNode | undefined {
  const value = node[key];
  return isNode(value) ? value : undefined;
}

function start(node: CstNode): number {
  if (!node.range) throw new Refusal("the SQL could not be checked (the parser gave no ranges)");
  return node.range[0];
}

export function walk(value: unknown, scope: Scope | undefined, ctx: WalkContext): void {
  if (Array.isArray(value)) {
    for (const item of value) walk(item, scope, ctx);
    return;
  }
  if (typeof value !== "object" || value === null) return;
  if (!isNode(value)) {
    // not a node, but it could hold nodes
    for (const item of Object.values(value)) walk(item, scope, ctx);
    return;
  }
  checkType(value.type);
  const handled = HANDLERS[value.type]?.(value, scope, ctx);
  walkRest(value, handled?.scope ?? scope, ctx, handled?.skip ?? []);
}

function walkRest(
  node: CstNode,
  scope: Scope | undefined,
  ctx: WalkContext,
  skip: readonly string[],
) {
  for (const [key, value] of Object.entries(node)) {
    if (key !== "type" && key !== "range" && !skip.includes(key)) walk(value, scope, ctx);
  }
}

function checkType(type: string): void {
  if (type.endsWith("_stmt") && !isSelectType(type))
    throw new Refusal(`${statementLabel(type)} statements are not allowed inside a query`);
  if (!READ_NODE_TYPES.has(type))
    throw new Refusal(`unsupported syntax (${type}) is not allowed in a read-only query`);
}

// --- WITH and CTE scopes ---------------------------------------------------------------------

function withClauseOf(select: CstNode | undefined): CstNode | undefined {
  const clauses = select?.clauses;
  if (!Array.isArray(clauses)) return undefined;
  return clauses.find((c): c is CstNode => isNode(c) && c.type === "with_clause");
}

/** Walks the CTE bodies of `withClause` and returns the scope its statement sees. */
function openWith(withClause: CstNode, outer: Scope | undefined, ctx: WalkContext): Scope {
  ctx.opened.add(withClause);
  if (withClause.recursiveKw) throw new Refusal("recursive CTEs (WITH RECURSIVE) are not allowed");
  const list = child(withClause, "tables");
  const items = Array.isArray(list?.items) ? (list.items as unknown[]) : [];
  const ctes = items.map((item) => {
    const table = isNode(item) ? child(item, "table") : undefined;
    if (!isNode(item) || item.type !== "common_table_expr" || table?.type !== "identifier")
      throw new Refusal("unsupported syntax in the WITH clause");
    return { item, name: foldName(String(table.name)) };
  });
  const scope: Scope = { ctes: new Set(ctes.map((c) => c.name)), parent: outer };
  // SQLite lets every CTE of a WITH see every other one; a CTE that sees itself recurses
  for (const { item, name } of ctes) walk(item, { ...scope, defining: name }, ctx);
  walkRest(withClause, outer, ctx, ["tables"]);
  return scope;
}

/** The select whose WITH clause covers a whole compound SELECT (the parser puts it leftmost). */
function leadSelect(node: CstNode): CstNode | undefined {
  let current: CstNode | undefined = node;
  while (current?.type === "compound_select_stmt") current = child(current, "left");
  return current?.type === "select_stmt" ? current : undefined;
}

function onSelect(node: CstNode, scope: Scope | undefined, ctx: WalkContext): Handled | undefined {
  const withClause = withClauseOf(node);
  if (!withClause) return undefined;
  const inner = ctx.opened.has(withClause) ? scope : openWith(withClause, scope, ctx);
  const clauses = node.clauses as unknown[];
  for (const clause of clauses) if (clause !== withClause) walk(clause, inner, ctx);
  return { skip: ["clauses"], scope: inner };
}

function onCompound(node: CstNode, scope: Scope | undefined, ctx: WalkContext) {
  const withClause = withClauseOf(leadSelect(node));
  if (!withClause || ctx.opened.has(withClause)) return undefined;
  return { skip: [], scope: openWith(withClause, scope, ctx) };
}

/** The CTE a bare name resolves to, or undefined for a real relation. */
function resolveCte(name: string, scope: Scope | undefined): Scope | undefined {
  for (let s = scope; s; s = s.parent) if (s.ctes.has(name)) return s;
  return undefined;
}

// --- relations --------------------------------------------------------------------------------

function refuseRelation(name: string, ctx: WalkContext): never {
  const names = [...ctx.allowed.values()];
  const hint = names.length ? `query one of: ${names.join(", ")}` : "no relation is allowed";
  throw new Refusal(`relation "${name}" is not allowed; ${hint}`);
}

function checkRealRelation(node: CstNode, name: string, ctx: WalkContext): void {
  const folded = foldName(name);
  const allowed = ctx.allowed.get(folded);
  if (INTERNAL_PREFIXES.some((p) => folded.startsWith(p)) || allowed === undefined)
    refuseRelation(name, ctx);
  ctx.real.set(node, allowed);
}

function bareRelation(node: CstNode, scope: Scope | undefined, ctx: WalkContext): void {
  const name = String(node.name);
  const folded = foldName(name);
  const cte = resolveCte(folded, scope);
  if (!cte) checkRealRelation(node, name, ctx);
  else if (cte.defining === folded)
    throw new Refusal(`the CTE "${name}" reads itself: recursive CTEs are not allowed`);
}

function qualifiedRelation(node: CstNode, scope: Scope | undefined, ctx: WalkContext): void {
  const schema = child(node, "object");
  const table = child(node, "property");
  if (schema?.type !== "identifier" || table?.type !== "identifier")
    throw new Refusal("unsupported relation name in FROM");
  const [schemaName, name] = [String(schema.name), String(table.name)];
  if (foldName(schemaName) !== SCHEMA_PREFIX)
    throw new Refusal(
      `schema "${schemaName}" is not allowed in "${schemaName}.${name}"; ` +
        `name the relation alone or with the "${SCHEMA_PREFIX}." prefix`,
    );
  checkRealRelation(node, name, ctx);
  if (resolveCte(foldName(name), scope))
    throw new Refusal(`"${SCHEMA_PREFIX}.${name}" would read the CTE "${name}"; rename the CTE`);
  ctx.edits.push([start(node), start(table)]);
}

/** FROM-item nodes, and the properties of each that hold FROM items; the rest are expressions. */
const ITEM_KEYS: Readonly<Record<string, readonly string[]>> = {
  alias: ["expr"],
  paren_expr: ["expr"],
  indexed_table: ["table"],
  not_indexed_table: ["table"],
  join_expr: ["left", "right"],
};

/** A FROM item, or the right side of `IN` when it names a relation or a function. */
function relationItem(node: CstNode, scope: Scope | undefined, ctx: WalkContext): void {
  checkType(node.type);
  if (node.type === "identifier") bareRelation(node, scope, ctx);
  else if (node.type === "member_expr") qualifiedRelation(node, scope, ctx);
  else if (isSelectType(node.type)) walk(node, scope, ctx);
  else if (node.type === "func_call") {
    checkFunction(node, true);
    recordFunction(node, child(node, "name"), ctx);
    walkRest(node, scope, ctx, ["name"]);
  } else {
    const expr = node.type === "alias" ? child(node, "expr") : undefined;
    if (expr?.type === "func_call") recordFunction(expr, child(node, "alias"), ctx);
    const keys = ITEM_KEYS[node.type];
    if (!keys) throw new Refusal(`unsupported FROM item (${node.type})`);
    for (const key of keys) {
      const item = child(node, key);
      if (!item) throw new Refusal(`unsupported FROM item (${node.type} without ${key})`);
      relationItem(item, scope, ctx);
    }
    walkRest(node, scope, ctx, keys);
  }
}

// --- table-valued functions ---------------------------------------------------------------------

const PATH_OPERATORS = new Set(["->", "->>"]);

/** A column of a row (`l.actor`, `actor`, `[actor]`; not `"actor"`, which SQLite may read as text). */
function isColumn(node: CstNode | undefined): boolean {
  if (node?.type === "member_expr")
    return child(node, "object")?.type === "identifier" && isColumn(child(node, "property"));
  return node?.type === "identifier" && !String(node.text ?? "").startsWith('"');
}

/** A column, or a path into one (`actor -> '$.roles'`). */
function isColumnValue(node: CstNode | undefined): boolean {
  if (node?.type === "paren_expr") return isColumnValue(child(node, "expr"));
  if (node?.type === "binary_expr" && PATH_OPERATORS.has(String(node.operator)))
    return isColumnValue(child(node, "left")) && child(node, "right")?.type === "string_literal";
  return isColumn(node);
}

/** Whether a table-valued function reads only a column of the row in hand (and a literal path). */
function readsColumn(call: CstNode): boolean {
  const args = child(call, "args");
  const list = args ? child(args, "expr") : undefined;
  const items = list ? child(list, "args")?.items : undefined;
  if (!Array.isArray(items) || items.length === 0 || items.length > 2) return false;
  const [value, path] = items as unknown[];
  return (
    isNode(value) &&
    isColumnValue(value) &&
    (path === undefined || (isNode(path) && path.type === "string_literal"))
  );
}

function recordFunction(call: CstNode, name: CstNode | undefined, ctx: WalkContext): void {
  if (name?.type !== "identifier") return;
  ctx.functions.push({ name: foldName(String(name.name)), rowBound: readsColumn(call) });
}

// --- functions and expressions ------------------------------------------------------------------

function checkFunction(node: CstNode, asTable: boolean): void {
  const nameNode = child(node, "name");
  if (nameNode?.type !== "identifier")
    throw new Refusal("schema-qualified function calls are not allowed");
  const name = String(nameNode.name);
  const folded = foldName(name);
  if (DENIED_FUNCTIONS.has(folded) || DENIED_FUNCTION_PREFIXES.some((p) => folded.startsWith(p)))
    throw new Refusal(`the function ${name}() is not allowed`);
  if (asTable && !TABLE_FUNCTIONS.has(folded))
    throw new Refusal(
      `the table-valued function ${name}() is not allowed; only ${[...TABLE_FUNCTIONS].join("(), ")}() may be read from`,
    );
}

function isInOperator(operator: unknown): boolean {
  const words = (Array.isArray(operator) ? operator : [operator]).map((k) =>
    isNode(k) ? String(k.name) : String(k),
  );
  return words[words.length - 1]?.toUpperCase() === "IN";
}

function onBinary(node: CstNode, scope: Scope | undefined, ctx: WalkContext) {
  const right = child(node, "right");
  if (!right || !isInOperator(node.operator)) return undefined;
  if (!["identifier", "member_expr", "func_call"].includes(right.type)) return undefined;
  relationItem(right, scope, ctx); // `x IN logs`, `x IN json_each(…)`: SQLite reads a relation
  return { skip: ["right"] };
}

/** `auditflare.logs.id` names a column through the schema: drop the prefix there too. */
function onMember(node: CstNode, _scope: Scope | undefined, ctx: WalkContext) {
  const table = child(node, "object");
  const schema = table?.type === "member_expr" ? child(table, "object") : undefined;
  const tableName = table ? child(table, "property") : undefined;
  if (
    table &&
    tableName &&
    schema?.type === "identifier" &&
    foldName(String(schema.name)) === SCHEMA_PREFIX
  )
    ctx.edits.push([start(table), start(tableName)]);
  return undefined;
}

const HANDLERS: Readonly<Record<string, Handler>> = {
  select_stmt: onSelect,
  compound_select_stmt: onCompound,
  with_clause: (node, scope, ctx) => {
    // only reached when no select leads it; its names then stay inside the clause
    if (!ctx.opened.has(node)) openWith(node, scope, ctx);
    return { skip: Object.keys(node) };
  },
  from_clause: (node, scope, ctx) => {
    const item = child(node, "expr");
    if (item) relationItem(item, scope, ctx);
    return { skip: ["expr"] };
  },
  binary_expr: onBinary,
  func_call: (node) => {
    checkFunction(node, false);
    return { skip: ["name"] };
  },
  member_expr: onMember,
};
