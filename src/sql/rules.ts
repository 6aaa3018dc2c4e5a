/**
 * The fixed lists behind the read-only SQL gate (readonly.ts). Every list is an allow-list where
 * that is possible, so syntax a newer parser learns fails closed until it is added here on purpose.
 */

/** The only schema prefix a relation may carry; it is stripped before the SQL reaches D1. */
export const SCHEMA_PREFIX = "auditflare";

/**
 * CST node types a read-only SELECT may contain (sql-parser-cst 0.42, dialect "sqlite"). A node of
 * any other type refuses the query ("unsupported syntax"): RAISE, PostgreSQL/BigQuery/MySQL-only
 * forms the parser knows from other dialects, and whatever a later parser version adds.
 */
export const READ_NODE_TYPES: ReadonlySet<string> = new Set([
  "program",
  "empty",
  // queries and their clauses
  "select_stmt",
  "compound_select_stmt",
  "with_clause",
  "common_table_expr",
  "select_clause",
  "select_all",
  "select_distinct",
  "values_clause",
  "from_clause",
  "where_clause",
  "group_by_clause",
  "having_clause",
  "window_clause",
  "named_window",
  "window_definition",
  "order_by_clause",
  "sort_specification",
  "sort_direction_asc",
  "sort_direction_desc",
  "partition_by_clause",
  "limit_clause",
  "frame_clause",
  "frame_between",
  "frame_bound_current_row",
  "frame_bound_preceding",
  "frame_bound_following",
  "frame_unbounded",
  "frame_exclusion",
  // FROM items
  "join_expr",
  "join_on_specification",
  "join_using_specification",
  "indexed_table",
  "not_indexed_table",
  "alias",
  // expressions
  "list_expr",
  "paren_expr",
  "binary_expr",
  "prefix_op_expr",
  "postfix_op_expr",
  "between_expr",
  "case_expr",
  "case_when",
  "case_else",
  "cast_expr",
  "cast_arg",
  "data_type_name",
  "modified_data_type",
  "func_call",
  "func_args",
  "filter_arg",
  "over_arg",
  "member_expr",
  "all_columns",
  "identifier",
  "keyword",
  "parameter",
  // literals
  "string_literal",
  "number_literal",
  "blob_literal",
  "boolean_literal",
  "null_literal",
]);

/** Node types that are single tokens of the source text (see lexical.ts). */
export const TOKEN_NODE_TYPES: ReadonlySet<string> = new Set([
  "keyword",
  "identifier",
  "parameter",
  "all_columns",
  "empty",
  "string_literal",
  "number_literal",
  "blob_literal",
  "boolean_literal",
  "null_literal",
]);

/** Table-valued functions allowed in FROM (and after IN): they only read their arguments. */
export const TABLE_FUNCTIONS: ReadonlySet<string> = new Set(["json_each", "json_tree"]);

/** Functions that reach outside the query (files, extensions, the FTS tokenizer pointer). */
export const DENIED_FUNCTIONS: ReadonlySet<string> = new Set([
  "load_extension",
  "readfile",
  "writefile",
  "edit",
  "fts3_tokenizer",
]);

/**
 * Prefixes of function names refused: the PRAGMA functions (`pragma_table_info(…)` reads the
 * schema), and SQLite's introspection functions, which D1 refuses anyway ("not authorized to use
 * function: sqlite_version"), so refusing them here only gives the clearer message.
 */
export const DENIED_FUNCTION_PREFIXES: readonly string[] = ["pragma_", "sqlite_"];

/** Prefixes of relation names refused even when the caller lists them: SQLite's and D1's own. */
export const INTERNAL_PREFIXES: readonly string[] = ["sqlite_", "_cf_"];

const STATEMENT_LABELS: Readonly<Record<string, string>> = {
  insert_stmt: "INSERT/REPLACE",
  start_transaction_stmt: "BEGIN",
  commit_transaction_stmt: "COMMIT",
  rollback_transaction_stmt: "ROLLBACK",
  release_savepoint_stmt: "RELEASE",
  attach_database_stmt: "ATTACH",
  detach_database_stmt: "DETACH",
};

/** "delete_stmt" → "DELETE", "create_table_stmt" → "CREATE TABLE", "pragma_stmt" → "PRAGMA". */
export function statementLabel(type: string): string {
  return (
    STATEMENT_LABELS[type] ??
    type
      .replace(/_stmt$/, "")
      .replaceAll("_", " ")
      .toUpperCase()
  );
}

export function isSelectType(type: string): boolean {
  return type === "select_stmt" || type === "compound_select_stmt";
}

/** SQLite folds only ASCII letters when it compares names. */
export function foldName(name: string): string {
  return name.replace(/[A-Z]/g, (c) => c.toLowerCase());
}
