import { env } from "cloudflare:workers";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { BASE, call, type Json } from "../helpers";

/** The SDK's own client over Streamable HTTP, its requests answered by the Worker in this isolate. */
export async function mcpClient(
  headers: Record<string, string> = {},
  fetcher: (path: string, init?: RequestInit) => Promise<Response> = call,
): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL(`${BASE}/mcp`), {
    requestInit: { headers },
    fetch: (url, init) => {
      const u = new URL(url);
      return fetcher(`${u.pathname}${u.search}`, init);
    },
  });
  const client = new Client({ name: "auditflare-test", version: "1.0.0" });
  await client.connect(transport);
  return client;
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** A tool's answer: its structured content, text blocks and whether it is an error. */
export async function tool(client: Client, name: string, args: Json = {}) {
  const r = (await client.callTool({ name, arguments: args })) as CallToolResult;
  const texts = r.content.map((c) => (c.type === "text" ? c.text : ""));
  return { isError: r.isError === true, data: r.structuredContent as Json, texts };
}

/** The self-audit events of `action` stored so far. */
export async function auditEvents(action: string): Promise<Json[]> {
  const { results } = await env.DB.prepare(
    "SELECT eventName, actor, readOnly, rawLog FROM logs WHERE sourceID = 'auditflare' AND eventName = ?1",
  )
    .bind(action)
    .all<Json>();
  return results.map((r) => ({
    ...r,
    actor: JSON.parse(String(r.actor)),
    rawLog: JSON.parse(String(r.rawLog)),
  }));
}

/** An alert row as the detection path writes it. */
export async function insertAlert(id: string, eventIds: string[], now = Date.now()) {
  await env.DB.prepare(
    `INSERT INTO alerts (id, ruleId, title, level, dedupKey, sourceID, firstSeen, lastSeen, count, eventIds)
     VALUES (?1, 'test-rule', 'Test alert', 'high', 'k', 'turbopuffer', ?2, ?2, ?3, ?4)`,
  )
    .bind(id, now, eventIds.length, JSON.stringify(eventIds))
    .run();
}
