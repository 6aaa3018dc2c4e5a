import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { catalog } from "../../src/catalog";
import { costRefusal } from "../../src/sql/cost";
import { planRefusal } from "../../src/store/sql";
import { sqlExamples } from "../../src/store/sql-examples";

// The cost bound of POST /v1/sql (src/sql/cost.ts): SQLite's own plan (EXPLAIN QUERY PLAN, which
// compiles without running) decides, so a join on an indexed key passes and a cross product of
// two scans does not, whatever the spelling.

/** A literal JSON array of n numbers, as a query can carry one. */
const array = (n: number) => `'[${Array.from({ length: n }, (_, i) => i).join(",")}]'`;
const A = array(1001);

const refusal = (query: string) => planRefusal(env.DB, query, catalog());

/** n full reads of logs added up, as a balanced tree of subqueries (each runs once). */
const scansTree = (n: number): string =>
  n === 1
    ? "(SELECT count(*) FROM logs WHERE rawLog LIKE '%zz%')"
    : `(${scansTree(n >> 1)} + ${scansTree(n - (n >> 1))})`;

describe("the cost bound refuses what would run for minutes", () => {
  it.each([
    [
      `SELECT count(*) FROM json_each(${A}) a, json_each(${A}) b, json_each(${A}) c`,
      /cross product/,
    ],
    [
      `SELECT count(*) FROM json_each(${A}) a JOIN json_each(${A}) b ON a.value <> b.value`,
      /cross product/,
    ],
    ["SELECT count(*) FROM logs a, logs b", /cross product.*SCAN events.*SCAN events/],
    ["SELECT count(*) FROM logs a JOIN logs b ON a.actor = b.actor", /cross product/],
    [
      "SELECT count(*) FROM logs a JOIN turbopuffer_audit_logs b ON a.sourceID = b.sourceID",
      /cross product/,
    ],
    [`SELECT count(*) FROM logs, json_each(${A})`, /cross product/],
    [
      `WITH arr AS (SELECT ${A} AS j) SELECT count(*) FROM arr, json_each(arr.j) a, json_each(arr.j) b, json_each(arr.j) c`,
      /json_each/,
    ],
    [
      "SELECT count(*) FROM logs l WHERE EXISTS (SELECT 1 FROM logs m WHERE m.actor = l.actor)",
      /cross product/,
    ],
    [
      "SELECT (SELECT count(*) FROM logs m WHERE m.eventName <> l.eventName) FROM logs l",
      /cross product/,
    ],
    [
      "SELECT count(*) FROM circleci_audit_logs LEFT JOIN airkit_audit_logs USING (id), planetscale_logs",
      /cross product/,
    ],
    // scans one after another, each once: a sum of 400 full reads, or of 17
    [`SELECT ${scansTree(400)} AS n`, /400 scans .* at most 16/],
    [`SELECT ${scansTree(17)} AS n`, /17 scans/],
  ])("%#: %s", async (query, message) => {
    expect(await refusal(query)).toMatch(message);
  });
});

describe("the cost bound lets through what reads each row a bounded number of times", () => {
  it.each([
    "SELECT count(*) FROM logs",
    "SELECT sourceType, count(*) FROM logs GROUP BY 1 ORDER BY 2 DESC",
    "SELECT * FROM logs ORDER BY eventTime DESC LIMIT 5",
    "SELECT count(*) FROM logs a JOIN logs b ON a.id = b.id",
    "SELECT count(*) FROM circleci_audit_logs c JOIN airkit_audit_logs a ON a.id = c.id",
    "SELECT * FROM logs WHERE id IN (SELECT id FROM turbopuffer_audit_logs)",
    "SELECT (SELECT count(*) FROM logs), * FROM (SELECT id FROM logs) AS s",
    "SELECT (SELECT count(*) FROM logs m WHERE m.id = l.id) FROM logs l",
    "SELECT j.value FROM logs, json_each(logs.actor) AS j WHERE j.key = 'id'",
    "SELECT * FROM logs l JOIN json_tree(l.resources) t ON t.atom IS NOT NULL",
    "SELECT * FROM logs l WHERE EXISTS (SELECT 1 FROM json_each(l.tags) WHERE value = 'x')",
    "SELECT * FROM logs l, json_each(l.actor -> '$.roles') r",
    `WITH a AS (SELECT id, actor FROM auditflare.logs WHERE sourceID = 'turbopuffer' AND eventTime >= '2026-11-02T00:58')
       SELECT count(*) AS n, count(DISTINCT j.value) AS v FROM a, json_each(a.actor) AS j
       JOIN turbopuffer_audit_logs t ON t.id = a.id`,
    `SELECT count(*) FROM json_each(${A})`,
    "SELECT id FROM turso_audit_logs UNION SELECT id FROM auditflare_audit_logs",
    `SELECT ${scansTree(16)} AS n`,
    "SELECT 1",
    ...sqlExamples(
      Date.now(),
      catalog().columns.map((v) => v.name),
    ).map((e) => e.sql),
  ])("%s", async (query) => {
    expect(await refusal(query)).toBeUndefined();
  });
});

describe("reading the plan", () => {
  const plan = (...details: Array<[number, number, string]>) =>
    details.map(([id, parent, detail]) => ({ id, parent, detail }));
  const none = { functions: [], uniqueIndexes: new Map([["logs_id", 1]]) };

  it("counts a search on a unique key as one row, any other search as a scan", () => {
    const outer: [number, number, string] = [2, 0, "SCAN events"];
    expect(
      costRefusal(plan(outer, [3, 0, "SEARCH events USING INDEX logs_id (id=?)"]), none),
    ).toBeUndefined();
    expect(
      costRefusal(plan(outer, [3, 0, "SEARCH events USING INTEGER PRIMARY KEY (rowid=?)"]), none),
    ).toBeUndefined();
    expect(
      costRefusal(
        plan(outer, [3, 0, "SEARCH events USING COVERING INDEX logs_source (sourceID=?)"]),
        none,
      ),
    ).toMatch(/cross product/);
    expect(
      costRefusal(plan(outer, [3, 0, "SEARCH events USING INTEGER PRIMARY KEY (rowid>?)"]), none),
    ).toMatch(/cross product/);
    expect(
      costRefusal(plan(outer, [3, 0, "SEARCH x USING AUTOMATIC COVERING INDEX (id=?)"]), none),
    ).toMatch(/cross product/);
  });

  it("runs a subquery once unless it is correlated", () => {
    const sub = (label: string) =>
      plan([2, 0, "SCAN events"], [3, 0, label], [4, 3, "SCAN events"]);
    expect(costRefusal(sub("SCALAR SUBQUERY 1"), none)).toBeUndefined();
    expect(costRefusal(sub("MATERIALIZE x"), none)).toBeUndefined();
    expect(costRefusal(sub("CORRELATED SCALAR SUBQUERY 1"), none)).toMatch(/cross product/);
    expect(costRefusal(sub("CORRELATED LIST SUBQUERY 2"), none)).toMatch(/cross product/);
  });

  it("tells a json_each over a row's column from one over a value the query builds", () => {
    const p = plan([2, 0, "SCAN events"], [3, 0, "SCAN j VIRTUAL TABLE INDEX 1:"]);
    const fn = (rowBound: boolean) => ({ ...none, functions: [{ name: "j", rowBound }] });
    expect(costRefusal(p, fn(true))).toBeUndefined();
    expect(costRefusal(p, fn(false))).toMatch(/cross product/);
    expect(costRefusal(p, none), "an unknown one counts as a scan").toMatch(/cross product/);
  });
});
