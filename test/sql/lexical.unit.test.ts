import { describe, expect, it } from "vitest";
import { allowedSql, refusal } from "./helpers";

// The gate checks the parser's tree while SQLite runs the text: wherever the two would read the
// text differently, the SQL is refused rather than trusted.
describe("checkReadOnly refuses text the parser and SQLite would read differently", () => {
  it("a # comment (MySQL's, which the parser skips and SQLite reads as a parameter)", () => {
    expect(refusal("SELECT id, #x, (SELECT rawLog FROM quarantine)\n eventName FROM logs")).toBe(
      'unexpected character "#" (line 1, column 12)',
    );
    expect(refusal("SELECT * FROM logs # ; DROP TABLE logs")).toBe(
      'unexpected character "#" (line 1, column 20)',
    );
  });

  it("the parser's disable directive, which hides text from it", () => {
    expect(
      refusal(
        "SELECT 1; /* sql-parser-cst-disable */ DROP TABLE logs; /* sql-parser-cst-enable */",
      ),
    ).toBe('the SQL contains the parser directive "sql-parser-cst-disable" (line 1, column 14)');
    expect(
      refusal(
        "SELECT 1 /* SQL-PARSER-CST-DISABLE */, (SELECT 1 FROM alerts) /* sql-parser-cst-enable */",
      ),
    ).toMatch(/^the SQL contains the parser directive "SQL-PARSER-CST-DISABLE"/);
  });

  it("a NUL character", () => {
    expect(refusal("SELECT * FROM logs\0; DROP TABLE logs")).toBe(
      "the SQL contains a NUL character",
    );
  });

  it("whitespace SQLite does not know", () => {
    expect(refusal("SELECT *\u00a0FROM logs")).toMatch(/^the SQL does not parse|^unexpected/);
    expect(refusal("SELECT * FROM logs\f")).toMatch(/^the SQL does not parse|^unexpected/);
  });

  it("while strings, quoted names and comments SQLite reads the same stay allowed", () => {
    for (const sql of [
      "SELECT 'it''s # not a comment', \"a\"\"b\" FROM logs",
      "SELECT 'a\\', id FROM logs",
      "SELECT `eventName`, [id] FROM logs -- a # comment\n WHERE 1",
      "SELECT 1 /* # */ FROM logs WHERE 'sql-parser-cst' = 'x'",
      "SELECT -1, - -1, 1- -1, 1e-3, .5, x'AB', 2*3/4%5, 1<<2|3&~4, 'a'||'b' FROM logs",
      "SELECT *\r\nFROM logs\r\nWHERE id <> 1 AND id != 2 AND id == 3\t",
    ])
      expect(allowedSql(sql)).toBe(sql.trimEnd());
  });
});
