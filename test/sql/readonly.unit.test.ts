import { describe, expect, it } from "vitest";
import { allowedSql, NOT_ALLOWED, refusal } from "./helpers";

const READ_ONLY = [
  "SELECT id, eventName FROM logs WHERE eventTime > 0 ORDER BY eventTime DESC LIMIT 10",
  "select * from Logs",
  'SELECT * FROM "LOGS"',
  "SELECT * FROM [logs]",
  "SELECT l.id, t.actor FROM logs AS l JOIN turbopuffer_audit_logs t ON t.id = l.id",
  "SELECT * FROM circleci_audit_logs LEFT JOIN airkit_audit_logs USING (id), planetscale_logs",
  "SELECT id FROM turso_audit_logs UNION SELECT id FROM auditflare_audit_logs",
  "SELECT id FROM logs INTERSECT SELECT id FROM logs EXCEPT SELECT id FROM logs ORDER BY 1",
  "WITH recent AS (SELECT * FROM logs WHERE eventTime > 0) SELECT count(*) FROM recent",
  "WITH a AS (SELECT id FROM logs), b AS (SELECT id FROM a) SELECT * FROM b",
  "WITH a AS (SELECT * FROM b), b AS (SELECT id FROM logs) SELECT * FROM a",
  "WITH x AS (SELECT id FROM logs) SELECT id FROM x UNION SELECT id FROM x ORDER BY 1",
  "WITH ids AS (SELECT id FROM logs) SELECT * FROM logs WHERE id IN ids",
  "SELECT j.value FROM logs, json_each(logs.actor) AS j WHERE j.key = 'id'",
  "SELECT * FROM logs l JOIN json_tree(l.resources) t ON t.atom IS NOT NULL",
  "SELECT value FROM json_each('[1, 2, 3]')",
  "SELECT * FROM logs l WHERE EXISTS (SELECT 1 FROM json_each(l.tags) WHERE value = 'x')",
  "SELECT (SELECT count(*) FROM logs), * FROM (SELECT id FROM logs) AS s",
  "SELECT * FROM logs WHERE id IN (SELECT id FROM turbopuffer_audit_logs)",
  "SELECT * FROM logs WHERE actor = '#1; DROP TABLE logs; -- sqlite_master'",
  "SELECT * FROM logs WHERE id = ? AND sourceID = ?2",
  "VALUES (1, 'a'), (2, 'b')",
  "SELECT sourceType, count(*) AS n, row_number() OVER (ORDER BY count(*) DESC) FROM logs " +
    "GROUP BY sourceType HAVING n > 1 WINDOW w AS (PARTITION BY sourceType)",
  "SELECT CASE WHEN readOnly THEN 'r' ELSE 'w' END, CAST(eventTime AS TEXT), " +
    "actor ->> '$.email', eventName LIKE 'x%' ESCAPE '\\', id BETWEEN 1 AND 2 FROM logs",
];

describe("checkReadOnly lets one read-only SELECT through", () => {
  it.each(READ_ONLY)("%s", (sql) => {
    expect(allowedSql(sql)).toBe(sql);
  });

  it("a CTE named like an internal table shadows it only inside its statement", () => {
    const sql = "WITH quarantine AS (SELECT * FROM logs) SELECT * FROM quarantine";
    expect(allowedSql(sql)).toBe(sql);
    expect(refusal("SELECT * FROM quarantine")).toMatch(NOT_ALLOWED);
    // the CTE of a subquery does not reach the outer query
    expect(
      refusal("SELECT * FROM (WITH quarantine AS (SELECT 1) SELECT * FROM quarantine), quarantine"),
    ).toMatch(NOT_ALLOWED);
    // a schema prefix goes past a CTE in SQLite, so it never names one
    expect(refusal("WITH quarantine AS (SELECT 1) SELECT * FROM main.quarantine")).toMatch(
      /^schema "main" is not allowed/,
    );
    // its body is checked even when nothing reads it
    expect(refusal("WITH logs AS (SELECT * FROM alerts) SELECT 1")).toMatch(NOT_ALLOWED);
  });
});

describe("checkReadOnly returns the statement to run", () => {
  it("removes the auditflare. prefix from relations and columns", () => {
    expect(allowedSql("SELECT * FROM auditflare.logs")).toBe("SELECT * FROM logs");
    expect(allowedSql('SELECT * FROM "auditflare"."LOGS" AS l')).toBe('SELECT * FROM "LOGS" AS l');
    expect(
      allowedSql(
        "SELECT auditflare.logs.id FROM AuditFlare . logs JOIN auditflare.turso_audit_logs t " +
          "ON t.id = auditflare.logs.id WHERE 1 IN auditflare.logs",
      ),
    ).toBe("SELECT logs.id FROM logs JOIN turso_audit_logs t ON t.id = logs.id WHERE 1 IN logs");
    expect(refusal("WITH logs AS (SELECT 1) SELECT * FROM auditflare.logs")).toBe(
      '"auditflare.logs" would read the CTE "logs"; rename the CTE',
    );
    expect(refusal("SELECT * FROM auditflare.quarantine")).toMatch(NOT_ALLOWED);
  });

  it("drops a trailing semicolon and the comments around the statement", () => {
    expect(allowedSql("SELECT * FROM logs;")).toBe("SELECT * FROM logs");
    expect(allowedSql("SELECT * FROM logs ; ;\n")).toBe("SELECT * FROM logs");
    expect(allowedSql("-- newest first\nSELECT id /* the key */ FROM logs -- done\n;")).toBe(
      "SELECT id /* the key */ FROM logs",
    );
    expect(allowedSql("SELECT 1--x\n, 2/*y*/+3 FROM logs")).toBe(
      "SELECT 1--x\n, 2/*y*/+3 FROM logs",
    );
  });

  it("compares names the way SQLite does, against the caller's set", () => {
    expect(refusal("SELECT * FROM logs", new Set(["Turso_Audit_Logs"]))).toBe(
      'relation "logs" is not allowed; query one of: Turso_Audit_Logs',
    );
    expect(allowedSql("SELECT * FROM TURSO_AUDIT_LOGS", new Set(["Turso_Audit_Logs"]))).toBe(
      "SELECT * FROM TURSO_AUDIT_LOGS",
    );
    expect(refusal("SELECT * FROM logs", new Set())).toBe(
      'relation "logs" is not allowed; no relation is allowed',
    );
    // SQLite folds ASCII only: the Kelvin sign is not a k
    expect(refusal("SELECT * FROM air\u212Ait_audit_logs")).toMatch(NOT_ALLOWED);
    // SQLite's and D1's own tables stay refused even when listed
    const listed = new Set(["sqlite_master", "_cf_KV"]);
    expect(refusal("SELECT * FROM sqlite_master", listed)).toMatch(
      /"sqlite_master" is not allowed/,
    );
    expect(refusal("SELECT * FROM _cf_kv", listed)).toMatch(/"_cf_kv" is not allowed/);
  });
});
