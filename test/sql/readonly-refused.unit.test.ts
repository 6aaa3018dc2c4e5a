import { describe, expect, it } from "vitest";
import { checkReadOnly, MAX_SQL_LENGTH } from "../../src/sql/readonly";
import { ALLOWED, NOT_ALLOWED, refusal } from "./helpers";

const NOT_SELECT = [
  ["INSERT INTO logs (id) VALUES (1)", "INSERT/REPLACE"],
  ["REPLACE INTO logs (id) VALUES (1)", "INSERT/REPLACE"],
  ["UPDATE logs SET eventName = 'x'", "UPDATE"],
  ["DELETE FROM logs", "DELETE"],
  ["WITH x AS (SELECT 1) DELETE FROM logs", "DELETE"],
  ["WITH x AS (SELECT 1) INSERT INTO logs SELECT * FROM x", "INSERT/REPLACE"],
  ["WITH x AS (SELECT 1) UPDATE logs SET id = 1", "UPDATE"],
  ["CREATE TABLE x (a)", "CREATE TABLE"],
  ["CREATE VIEW v AS SELECT * FROM logs", "CREATE VIEW"],
  ["CREATE TRIGGER t AFTER INSERT ON logs BEGIN DELETE FROM logs; END", "CREATE TRIGGER"],
  ["CREATE INDEX i ON logs (id)", "CREATE INDEX"],
  ["DROP TABLE logs", "DROP TABLE"],
  ["ALTER TABLE logs ADD COLUMN x", "ALTER TABLE"],
  ["VACUUM", "VACUUM"],
  ["REINDEX", "REINDEX"],
  ["ANALYZE", "ANALYZE"],
  ["PRAGMA query_only=1", "PRAGMA"],
  ["PRAGMA table_info(logs)", "PRAGMA"],
  ["ATTACH 'x' AS y", "ATTACH"],
  ["DETACH y", "DETACH"],
  ["BEGIN", "BEGIN"],
  ["COMMIT", "COMMIT"],
  ["ROLLBACK", "ROLLBACK"],
  ["SAVEPOINT s", "SAVEPOINT"],
  ["RELEASE s", "RELEASE"],
  ["EXPLAIN SELECT * FROM logs", "EXPLAIN"],
];

const REFUSED_WITH_MESSAGE = [
  ["SELECT 1; SELECT 2", "only one statement is allowed; found 2 (SELECT, SELECT)"],
  [
    "SELECT * FROM logs; DROP TABLE logs",
    "only one statement is allowed; found 2 (SELECT, DROP TABLE)",
  ],
  ["", "the SQL is empty: send one SELECT statement"],
  [" ; -- nothing\n", "the SQL is empty: send one SELECT statement"],
  [
    "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n+1 FROM c) SELECT * FROM c",
    "recursive CTEs (WITH RECURSIVE) are not allowed",
  ],
  [
    "WITH c(n) AS (SELECT 1 UNION ALL SELECT n+1 FROM c LIMIT 9) SELECT * FROM c",
    'the CTE "c" reads itself: recursive CTEs are not allowed',
  ],
  [
    "WITH c AS (SELECT 1 WHERE 1 IN (SELECT * FROM (SELECT * FROM c))) SELECT * FROM c",
    'the CTE "c" reads itself: recursive CTEs are not allowed',
  ],
  ["SELECT * FROM main.quarantine", 'schema "main" is not allowed in "main.quarantine"; '],
  ["SELECT * FROM temp.logs", 'schema "temp" is not allowed in "temp.logs"; '],
  [
    "SELECT * FROM logs WHERE",
    "the SQL does not parse: Unexpected end of input (line 1, column 25)",
  ],
  ["SELECT *\nFROM logs WHERE id = :id", "the SQL does not parse: Unexpected "],
  ["SELECT raise(IGNORE)", "unsupported syntax (raise_expr) is not allowed in a read-only query"],
  ["SELECT main.json_each('[]')", "schema-qualified function calls are not allowed"],
];

const REFUSED_RELATIONS = [
  "SELECT * FROM quarantine",
  'SELECT * FROM "QUARANTINE"',
  "SELECT * FROM sqlite_master",
  "SELECT * FROM sqlite_schema",
  "SELECT * FROM sqlite_temp_master",
  "SELECT * FROM sqlite_sequence",
  "SELECT * FROM _cf_KV",
  "SELECT * FROM dbstat",
  "SELECT * FROM pragma_table_list",
  "SELECT * FROM (SELECT * FROM sqlite_master)",
  "SELECT (SELECT count(*) FROM quarantine)",
  "SELECT * FROM logs WHERE id IN (SELECT id FROM alerts)",
  "SELECT * FROM logs WHERE id NOT IN detections",
  "SELECT * FROM logs WHERE EXISTS (SELECT 1 FROM rules)",
  "SELECT * FROM logs JOIN (deliveries) ON 1",
  "SELECT * FROM logs NATURAL JOIN subscriptions",
  "SELECT * FROM logs, cursors INDEXED BY i",
  "SELECT * FROM objects NOT INDEXED",
  "SELECT id FROM logs UNION SELECT id FROM source_stats",
  "WITH x AS (SELECT * FROM rule_stats) SELECT * FROM x",
  "WITH x AS (SELECT 1) SELECT * FROM logs UNION SELECT * FROM destination_health",
  "SELECT * FROM logs ORDER BY (SELECT max(id) FROM quarantine) LIMIT (SELECT 1 FROM alerts)",
  "SELECT json_extract((SELECT rawLog FROM quarantine LIMIT 1), '$')",
  "SELECT * FROM json_each((SELECT group_concat(rawLog) FROM quarantine))",
];

const REFUSED_FUNCTIONS = [
  ["SELECT * FROM pragma_table_info('logs')", "pragma_table_info"],
  ["SELECT name FROM logs, PRAGMA_TABLE_INFO('logs')", "PRAGMA_TABLE_INFO"],
  ["SELECT (SELECT count(*) FROM pragma_table_list())", "pragma_table_list"],
  ["SELECT 1 WHERE 'id' IN pragma_table_info('logs')", "pragma_table_info"],
  ["SELECT pragma_user_version()", "pragma_user_version"],
  ["SELECT load_extension('x')", "load_extension"],
  ["SELECT LOAD_EXTENSION('x', 'y')", "LOAD_EXTENSION"],
  ["SELECT \"load_extension\"('x')", "load_extension"],
  ["SELECT readfile('/etc/passwd')", "readfile"],
  ["SELECT writefile('x', 'y')", "writefile"],
  ["SELECT edit('x')", "edit"],
  ["SELECT fts3_tokenizer('simple')", "fts3_tokenizer"],
  ["SELECT sqlite_compileoption_get(0)", "sqlite_compileoption_get"],
  ["SELECT sqlite_version()", "sqlite_version"],
  ["SELECT * FROM logs WHERE 1 = (SELECT Sqlite_Source_Id())", "Sqlite_Source_Id"],
];

describe("checkReadOnly refuses", () => {
  it.each(NOT_SELECT)("%s (%s)", (sql, label) => {
    expect(refusal(sql)).toBe(`only a SELECT statement is allowed, not ${label}`);
  });

  it.each(REFUSED_WITH_MESSAGE)("%s", (sql, message) => {
    expect(refusal(sql).slice(0, message.length)).toBe(message);
  });

  it.each(REFUSED_RELATIONS)("%s (a relation that is not allowed)", (sql) => {
    expect(refusal(sql)).toMatch(NOT_ALLOWED);
  });

  it.each(REFUSED_FUNCTIONS)("%s (function %s)", (sql, name) => {
    expect(refusal(sql)).toBe(`the function ${name}() is not allowed`);
  });

  it("table-valued functions other than json_each and json_tree", () => {
    for (const sql of [
      "SELECT * FROM generate_series(1, 10)",
      "SELECT * FROM logs, zipfile('x.zip') z",
      "SELECT 1 WHERE 1 IN fts5_vocab('x')",
    ])
      expect(refusal(sql)).toMatch(
        /^the table-valued function \w+\(\) is not allowed; only json_each/,
      );
  });

  it("SQL that is too long or too deeply nested, without throwing", () => {
    expect(refusal(`SELECT 1 ${" ".repeat(MAX_SQL_LENGTH)}`)).toBe(
      `the SQL is longer than ${MAX_SQL_LENGTH} characters`,
    );
    const deep = `SELECT ${"(".repeat(20_000)}1${")".repeat(20_000)}`;
    expect(checkReadOnly(deep, ALLOWED)).toEqual({
      ok: false,
      message: "the SQL is too deeply nested to check",
    });
  });
});
