import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, call, type Json, push, QUERY_TOKEN, tpEvent } from "../helpers";
import { auditEvents, bearer, insertAlert, mcpClient, tool } from "./helpers";

/** The MCP server at /mcp with bearer tokens: every tool, its bounds, roles and the audit. */

const TOOLS = [
  "ack_alert",
  "close_alert",
  "describe_schema",
  "get_alert",
  "get_event",
  "list_alerts",
  "list_quarantine",
  "list_rules",
  "list_sources",
  "run_sql",
  "search_logs",
  "test_rule",
];

const T0 = Date.UTC(2026, 3, 1);

beforeAll(async () => {
  const events = Array.from({ length: 30 }, (_, i) => tpEvent(i, T0 + i * 60_000));
  const res = await push("turbopuffer", events.map((e) => JSON.stringify(e)).join("\n"));
  expect(res.status).toBe(200);
  // One body that does not parse: kept in quarantine.
  expect((await push("turbopuffer", "{not json")).status).toBe(400);
});

async function anyEventIds(n: number): Promise<string[]> {
  const { results } = await env.DB.prepare(
    "SELECT id FROM logs WHERE sourceID = 'turbopuffer' ORDER BY eventTime LIMIT ?1",
  )
    .bind(n)
    .all<{ id: string }>();
  return results.map((r) => r.id);
}

describe("mcp: tools over bearer tokens", () => {
  it("lists every tool with a JSON Schema input and an output schema, and the two prompts", async () => {
    const client = await mcpClient(bearer(QUERY_TOKEN));
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(TOOLS);
    for (const t of tools) {
      expect(t.inputSchema.type).toBe("object");
      expect(t.outputSchema?.type).toBe("object");
      expect(t.annotations?.readOnlyHint).toBe(
        !t.name.endsWith("_alert") || t.name === "get_alert",
      );
    }
    const { prompts } = await client.listPrompts();
    expect(prompts.map((p) => p.name).sort()).toEqual(["investigate_actor", "triage_alert"]);
    const triage = await client.getPrompt({ name: "triage_alert", arguments: { alertId: "a1" } });
    expect(JSON.stringify(triage.messages)).toContain("get_alert");
  });

  it("search_logs filters, pages with nextCursor and answers a text summary with the JSON", async () => {
    const client = await mcpClient(bearer(QUERY_TOKEN));
    const first = await tool(client, "search_logs", {
      sourceID: "turbopuffer",
      from: "2026-04-01",
      to: "2026-04-02",
      limit: 5,
    });
    expect(first.isError).toBe(false);
    const rows = first.data.data as Json[];
    expect(rows).toHaveLength(5);
    expect(rows[0]).toMatchObject({ sourceID: "turbopuffer", eventName: "session-created" });
    expect(first.data.nextCursor).toEqual(expect.any(String));
    expect(first.texts[0]).toMatch(/^5 event\(s\) \(more match/);
    expect(JSON.parse(first.texts[1] as string)).toEqual(first.data);
    const next = await tool(client, "search_logs", {
      sourceID: "turbopuffer",
      from: "2026-04-01",
      to: "2026-04-02",
      limit: 5,
      cursor: first.data.nextCursor,
    });
    const ids = new Set([...rows, ...(next.data.data as Json[])].map((r) => r.id));
    expect(ids.size).toBe(10);
    const byActor = await tool(client, "search_logs", { actor: "user3@example.com" });
    expect((byActor.data.data as Json[]).map((r) => r.eventName)).toEqual(["session-created"]);
  });

  it("search_logs refuses a bad range or limit as a tool error", async () => {
    const client = await mcpClient(bearer(QUERY_TOKEN));
    const bad = await tool(client, "search_logs", { from: "2026-04-02", to: "2026-04-01" });
    expect(bad).toMatchObject({ isError: true });
    expect(bad.texts[0]).toContain('"from" must be before "to"');
    const tooMany = await tool(client, "search_logs", { limit: 5000 });
    expect(tooMany.isError).toBe(true);
  });

  it("search_logs stops at 64 KiB, says so, and its cursor continues after the last row shown", async () => {
    const big = Array.from({ length: 60 }, (_, i) => ({
      ...tpEvent(1000 + i, T0 + 86_400_000 + i * 1000),
      metadata: { blob: "x".repeat(5000) },
    }));
    expect((await push("turbopuffer", JSON.stringify(big))).status).toBe(200);
    const client = await mcpClient(bearer(QUERY_TOKEN));
    const r = await tool(client, "search_logs", {
      from: "2026-04-02",
      to: "2026-04-03",
      limit: 60,
    });
    const rows = r.data.data as Json[];
    expect(r.data).toMatchObject({ truncated: true, truncatedBy: "bytes" });
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.length).toBeLessThan(60);
    expect(String(rows[0]?.rawLog)).toContain("…[cut: ");
    expect(new TextEncoder().encode(JSON.stringify(r.data)).byteLength).toBeLessThanOrEqual(
      64 * 1024,
    );
    const rest = await tool(client, "search_logs", {
      from: "2026-04-02",
      to: "2026-04-03",
      limit: 60,
      cursor: r.data.nextCursor,
    });
    expect(rows.length + (rest.data.data as Json[]).length).toBeLessThanOrEqual(60);
    expect((rest.data.data as Json[])[0]?.id).not.toBe(rows[rows.length - 1]?.id);
  });

  it("get_event answers one event with its vendor fields; an unknown id is a tool error", async () => {
    const client = await mcpClient(bearer(QUERY_TOKEN));
    const [id] = await anyEventIds(1);
    const r = await tool(client, "get_event", { id: id as string });
    expect(r.data.event).toMatchObject({ id, sourceType: "turbopuffer" });
    expect((r.data.event as Json).sourceFields).toEqual(expect.any(Object));
    const missing = await tool(client, "get_event", { id: "abc" });
    expect(missing.isError).toBe(true);
    expect(missing.texts[0]).toContain('no stored event with id "abc"');
  });

  it("run_sql runs a read-only SELECT, bounds rows, and refuses a DELETE", async () => {
    const client = await mcpClient(bearer(QUERY_TOKEN));
    const r = await tool(client, "run_sql", {
      query: "SELECT eventName, count(*) AS n FROM logs WHERE sourceID = 'turbopuffer' GROUP BY 1",
    });
    expect(r.data).toMatchObject({ columns: ["eventName", "n"], truncated: false });
    expect((r.data.rows as unknown[][])[0]?.[0]).toBe("session-created");
    const cut = await tool(client, "run_sql", { query: "SELECT id FROM logs", limit: 3 });
    expect(cut.data).toMatchObject({ truncated: true, truncatedBy: "rows" });
    expect(cut.data.rows).toHaveLength(3);
    const rows = "SELECT count(*) AS n FROM events WHERE sourceID != 'auditflare'";
    const before = await env.DB.prepare(rows).first<{ n: number }>();
    const del = await tool(client, "run_sql", { query: "DELETE FROM logs" });
    expect(del.isError).toBe(true);
    expect(del.texts[0]).toMatch(/^not_allowed: /);
    const after = await env.DB.prepare(rows).first<{ n: number }>();
    expect(after?.n).toBe(before?.n);
  });

  it("describe_schema lists the views and examples, or one view", async () => {
    const client = await mcpClient(bearer(QUERY_TOKEN));
    const all = await tool(client, "describe_schema");
    const names = (all.data.views as Json[]).map((v) => v.name);
    expect(names).toEqual(expect.arrayContaining(["logs", "turbopuffer_audit_logs"]));
    const one = await tool(client, "describe_schema", { view: "turbopuffer_audit_logs" });
    expect(one.data.views).toHaveLength(1);
  });

  it("list_sources and list_quarantine answer what the REST routes answer", async () => {
    const client = await mcpClient(bearer(QUERY_TOKEN));
    const sources = await tool(client, "list_sources");
    const rest = (await (await call("/v1/sources", { headers: bearer(QUERY_TOKEN) })).json()) as {
      data: Json[];
    };
    expect((sources.data.data as Json[]).map((s) => s.id)).toEqual(rest.data.map((s) => s.id));
    expect((sources.data.data as Json[]).find((s) => s.id === "turbopuffer")).toMatchObject({
      counts: expect.objectContaining({ quarantined: 1 }),
    });
    const q = await tool(client, "list_quarantine", { sourceID: "turbopuffer" });
    expect(q.data.data as Json[]).toEqual([
      expect.objectContaining({ sourceID: "turbopuffer", errorCode: "invalid_json" }),
    ]);
  });

  it("list_alerts, get_alert with its events; a reader's ack_alert is refused naming the role and changes nothing", async () => {
    const ids = await anyEventIds(2);
    await insertAlert("alert-mcp-1", ids);
    const reader = await mcpClient(bearer(QUERY_TOKEN));
    const list = await tool(reader, "list_alerts", { status: "open" });
    expect((list.data.data as Json[]).map((a) => a.id)).toContain("alert-mcp-1");
    const one = await tool(reader, "get_alert", { id: "alert-mcp-1" });
    expect(one.data.alert).toMatchObject({ id: "alert-mcp-1", status: "open" });
    expect((one.data.events as Json[]).map((e) => e.id).sort()).toEqual([...ids].sort());
    const refused = await tool(reader, "ack_alert", { id: "alert-mcp-1" });
    expect(refused.isError).toBe(true);
    expect(refused.texts[0]).toBe(
      "ack_alert needs the admin role: the query token only reads; this tool needs the admin token (ADMIN_API_TOKEN)",
    );
    const row = await env.DB.prepare("SELECT status FROM alerts WHERE id = 'alert-mcp-1'").first();
    expect(row).toEqual({ status: "open" });
    const admin = await mcpClient(bearer(ADMIN_TOKEN));
    const acked = await tool(admin, "ack_alert", { id: "alert-mcp-1" });
    expect(acked.data).toEqual({ id: "alert-mcp-1", status: "acknowledged" });
    const closed = await tool(admin, "close_alert", { id: "alert-mcp-1" });
    expect(closed.data).toEqual({ id: "alert-mcp-1", status: "closed" });
    expect((await tool(admin, "close_alert", { id: "alert-mcp-1" })).isError).toBe(true);
  });

  it("list_rules and test_rule (on events, and backtested over a range)", async () => {
    const client = await mcpClient(bearer(QUERY_TOKEN));
    const rules = await tool(client, "list_rules");
    expect((rules.data.data as Json[]).length).toBeGreaterThan(0);
    const rule = `title: sessions
id: mcp-test-sessions
logsource: { product: turbopuffer }
detection:
  sel: { eventName: session-created }
  condition: sel
level: low
`;
    const onEvents = await tool(client, "test_rule", {
      rule,
      events: [{ eventName: "session-created", sourceType: "turbopuffer" }, { eventName: "x" }],
    });
    expect(onEvents.data.results).toEqual([
      { index: 0, matches: [expect.objectContaining({ ruleId: "mcp-test-sessions" })] },
      { index: 1, matches: [] },
    ]);
    const backtest = await tool(client, "test_rule", {
      rule,
      from: "2026-04-01",
      to: "2026-04-02",
    });
    expect(backtest.data.backtest).toMatchObject({
      scanned: 30,
      matches: { "mcp-test-sessions": 30 },
    });
    const bad = await tool(client, "test_rule", { rule: "title: [" });
    expect(bad.isError).toBe(true);
  });
});

describe("mcp: audit", () => {
  it("every tool call is one auditflare event mcp.<tool> with the caller, refused ones included", async () => {
    const client = await mcpClient({ ...bearer(QUERY_TOKEN), "cf-connecting-ip": "198.51.100.77" });
    const before = (await auditEvents("mcp.describe_schema")).length;
    await tool(client, "describe_schema", { view: "logs" });
    await tool(client, "describe_schema", { view: "logs" });
    await tool(client, "close_alert", { id: "nope" });
    await tool(client, "search_logs", { limit: -1 });
    const described = await auditEvents("mcp.describe_schema");
    expect(described).toHaveLength(before + 2);
    expect(described[described.length - 1]).toMatchObject({
      actor: { name: "query token", type: "token" },
      readOnly: 1,
      rawLog: expect.objectContaining({ path: "/mcp", params: { view: "logs" }, status: 200 }),
    });
    const refused = await auditEvents("mcp.close_alert");
    expect(refused.filter((e) => (e.rawLog as Json).ip === "198.51.100.77")).toEqual([
      expect.objectContaining({
        readOnly: 0,
        rawLog: expect.objectContaining({ status: 403, params: { id: "nope" } }),
      }),
    ]);
    const invalid = (await auditEvents("mcp.search_logs")).filter(
      (e) => (e.rawLog as Json).status === 400,
    );
    expect(invalid.length).toBeGreaterThanOrEqual(1);
    // listing tools is not a tool call: no event
    await client.listTools();
    expect(await auditEvents("mcp.tools/list")).toEqual([]);
  });
});
