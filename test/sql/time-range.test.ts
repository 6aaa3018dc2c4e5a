import { env } from "cloudflare:workers";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { catalog } from "../../src/catalog";
import { checkReadOnly } from "../../src/sql/readonly";
import { literalSpan } from "../../src/sql/time-range";
import { allowedSql } from "../../src/store/sql";
import { push, tpEvent } from "../helpers";

// Rows around midnight of 2026-06-01, at awkward milliseconds, so every literal shape has rows
// on both sides of it.
const MIDNIGHT = Date.UTC(2026, 5, 1);
const OFFSETS = [-86_400_001, -3_600_000, -61_001, -1000, -1, 0, 1, 999, 1000, 59_999, 3_600_001];

beforeAll(async () => {
  const events = OFFSETS.map((o, i) => tpEvent(70_000 + i, MIDNIGHT + o));
  const res = await push("turbopuffer", JSON.stringify(events));
  expect(await res.json()).toMatchObject({ inserted: OFFSETS.length });
});

async function plan(sql: string): Promise<string> {
  const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`).all<{ detail: string }>();
  return results.map((r) => r.detail).join(" | ");
}

describe("time bounds on the views use the time index", () => {
  it.each([
    "SELECT count(*) FROM logs WHERE eventTime >= '2026-11-01'",
    "SELECT * FROM logs WHERE eventTime >= '2026-11-01' AND eventTime < '2026-11-02' ORDER BY eventTime DESC LIMIT 10",
    "SELECT id FROM auditflare.logs AS l WHERE l.eventTime BETWEEN '2026-11-01T10' AND '2026-11-01T11'",
    "SELECT eventName FROM turbopuffer_audit_logs WHERE '2026-11-01' <= eventTime AND eventName <> 'x'",
    "SELECT sourceType, count(*) FROM logs WHERE (eventTime > '2026-11-01T10:00:00.000Z') GROUP BY 1",
    "WITH recent AS (SELECT * FROM logs WHERE eventTime >= '2026-11-01') SELECT count(*) FROM recent",
  ])("%s", async (query) => {
    const rewritten = allowedSql(query, catalog());
    // by key alone, or by an index that ends with the key (sourceID = ? AND rowid > ?)
    expect(await plan(rewritten)).toMatch(
      /SEARCH (main\.)?events USING (INTEGER PRIMARY KEY|INDEX \w+) \((\w+=\? AND )?rowid[<>]/,
    );
    const plain = checkReadOnly(query, catalog().queryable);
    if (!plain.ok) throw new Error(plain.message);
    expect(await plan(plain.sql), "without the rewrite SQLite scans").toMatch(/SCAN events/);
  });

  it.each([
    "SELECT count(*) FROM logs WHERE eventTime >= '2026-11-01 10:00'", // a space: not the views' form
    "SELECT count(*) FROM logs WHERE eventTime >= '2026-11-01' OR eventName = 'x'", // not an AND term
    "SELECT count(*) FROM logs a JOIN logs b ON a.id = b.id WHERE a.eventTime >= '2026-11-01'", // a join
    "SELECT count(*) FROM logs WHERE receivedAt >= '2026-11-01'", // no index on receivedAt
    "SELECT count(*) FROM logs WHERE eventTime >= '2026-02-30'", // not a date
  ])("leaves the query as written when no range follows: %s", (query) => {
    const plain = checkReadOnly(query, catalog().queryable);
    expect(plain.ok && allowedSql(query, catalog())).toBe(plain.ok && plain.sql);
  });

  it.each([
    "WITH events AS (SELECT 1 AS x) SELECT count(*) FROM logs WHERE eventTime >= '2020-01-01'",
    "WITH events(rid, sourceType, eventTime) AS (SELECT 0, 'x', 0) SELECT count(*) FROM logs WHERE eventTime >= '2020-01-01'",
    "WITH events AS (SELECT 1 AS x) SELECT count(*) FROM logs WHERE eventTime >= '2020-01-01' OR 1",
  ])("a CTE named like the internal table changes nothing: %s", async (query) => {
    const [expected] = await env.DB.prepare(
      "SELECT count(*) FROM logs WHERE eventTime >= '2020-01-01'",
    ).raw();
    expect(await env.DB.prepare(allowedSql(query, catalog())).raw()).toEqual([expected]);
  });

  it("reads a literal as the times it can stand for", () => {
    const t = (s: string) => Date.parse(s);
    expect(literalSpan("2026-11-01")).toEqual([
      t("2026-11-01T00:00:00Z"),
      t("2026-11-02T00:00:00Z"),
    ]);
    expect(literalSpan("2026-11-01T10Z")).toEqual([
      t("2026-11-01T10:00:00Z"),
      t("2026-11-01T11:00:00Z"),
    ]);
    expect(literalSpan("2026-11-01T10:20:30.5")).toEqual([
      t("2026-11-01T10:20:30.500Z"),
      t("2026-11-01T10:20:30.600Z"),
    ]);
    for (const bad of [
      "2026-11-01 10:00",
      "2026-13-01",
      "2026-02-30",
      "26-11-01",
      "2026-11-01T1",
      "now",
    ])
      expect(literalSpan(bad), bad).toBeUndefined();
  });

  it("never changes a result: the same rows with and without the rewrite", async () => {
    const ops = [">=", ">", "<=", "<", "="];
    const literal = fc
      .tuple(
        fc.constantFrom(...OFFSETS),
        fc.integer({ min: -2, max: 2 }),
        fc.constantFrom(4, 7, 10, 13, 16, 19, 21, 22, 23, 24),
      )
      .map(([o, d, len]) => new Date(MIDNIGHT + o + d).toISOString().slice(0, len));
    const where = fc.oneof(
      fc
        .tuple(fc.constantFrom(...ops), literal, fc.boolean())
        .map(([op, l, flip]) => (flip ? `'${l}' ${op} eventTime` : `eventTime ${op} '${l}'`)),
      fc.tuple(literal, literal).map(([a, b]) => `eventTime BETWEEN '${a}' AND '${b}'`),
    );
    // CTEs named like the internal table, the views and other internal names: none may capture
    // what the rewrite puts in (a CTE `events` once made it fail or count 0)
    const shadow = fc.constantFrom(
      "",
      "WITH events AS (SELECT 1 AS x) ",
      "WITH events(rid, id, sourceID, sourceType, eventTime) AS (SELECT 0, 'x', 'turbopuffer', 'turbopuffer', 0) ",
      "WITH turbopuffer_audit_logs AS (SELECT 1 AS x), quarantine AS (SELECT 1 AS x) ",
      "WITH main AS (SELECT 1 AS x), temp AS (SELECT 1 AS x), rid AS (SELECT 1 AS x) ",
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(where, { minLength: 1, maxLength: 2 }),
        shadow,
        async (terms, cte) => {
          const body = `SELECT id FROM logs WHERE sourceID = 'turbopuffer' AND ${terms.join(" AND ")} ORDER BY id`;
          const query = cte + body;
          const plain = checkReadOnly(body, catalog().queryable);
          if (!plain.ok) throw new Error(plain.message);
          const [a, b] = await Promise.all(
            [plain.sql, allowedSql(query, catalog())].map((q) => env.DB.prepare(q).raw()),
          );
          expect(b, query).toEqual(a);
        },
      ),
      { numRuns: 200 },
    );
  });
});
