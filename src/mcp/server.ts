import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { z } from "zod";
import { toolCallAudit } from "./audit";
import type { CallContext } from "./tool";
import { opsTools } from "./tools-ops";
import { queryTools } from "./tools-query";

/**
 * The MCP server of one HTTP request (stateless Streamable HTTP: a new server and transport per
 * POST, answers as JSON, no session): the tools and the two prompts, for a caller already
 * authenticated by src/mcp/route.ts.
 */

/** The most a POST body to /mcp may hold (a tool call's arguments: a rule, a query, events). */
export const MAX_REQUEST_BYTES = 1024 * 1024;

const INSTRUCTIONS = `auditflare collects SaaS audit logs (PlanetScale, Turso, CircleCI, Airkit, Turbopuffer, its own trail) into one schema.
Start with list_sources (what is collected, health) or list_alerts (what fired). search_logs filters events by source, event name, actor, IP and time; run_sql answers aggregate questions (describe_schema first). Answers are bounded (rows and bytes) and say when they are truncated: narrow the range rather than paging far. Every tool call is recorded in auditflare's own audit trail.`;

function prompts(server: McpServer): void {
  server.registerPrompt(
    "triage_alert",
    {
      title: "Triage this alert",
      description: "Walk through one alert: what fired, on which events, what else the actor did.",
      argsSchema: { alertId: z.string().describe("the alert's id (list_alerts)") },
    },
    ({ alertId }) => ({
      messages: [
        {
          role: "user",
          content: {
            type: "text",
            text: `Triage auditflare alert ${alertId}.
1. Call get_alert with id "${alertId}": note the rule, level, count, first and last seen, and the events attached.
2. Call list_rules and find the rule (ruleId) to explain what it detects and why it matched (test_rule with the alert's events shows the matching fields).
3. For each distinct actor and source IP in the events, call search_logs with that actor (or srcIP) over "last": "7d" to see what else they did before and after; use run_sql for counts (e.g. events per eventName for the actor, describe_schema for columns).
4. Call list_sources to check the source that produced the events is healthy (no lag or errors that could hide events).
5. Conclude: benign, suspicious or malicious, with the evidence (event ids and times), and the next step. Acknowledge or close the alert (ack_alert, close_alert) only if asked and allowed (admin role).`,
          },
        },
      ],
    }),
  );
  server.registerPrompt(
    "investigate_actor",
    {
      title: "Investigate this actor",
      description: "Everything one actor (user, email, token id) did across sources in a range.",
      argsSchema: {
        actor: z.string().describe("any value of the actor map: email, user id, name"),
        last: z.string().optional().describe("relative range, e.g. 24h or 7d (default 7d)"),
      },
    },
    ({ actor, last }) => {
      const range = last ?? "7d";
      const quoted = actor.replace(/'/g, "''");
      return {
        messages: [
          {
            role: "user",
            content: {
              type: "text",
              text: `Investigate the actor "${actor}" in auditflare over the last ${range}.
1. Call search_logs with actor "${actor}" and last "${range}" (order asc to read the story from the start; follow nextCursor if needed).
2. Summarize with run_sql, e.g. SELECT sourceID, eventName, count(*) AS n, min(eventTime) AS first, max(eventTime) AS last FROM logs WHERE EXISTS (SELECT 1 FROM json_each(actor) WHERE value = '${quoted}') AND eventTime >= '<start of the range, ISO>' GROUP BY 1, 2 ORDER BY n DESC (describe_schema lists the columns and views).
3. Note the source IPs and their AS/country (srcIP, srcASOrganization, srcASCountryCode) and any first-seen or unusual ones.
4. Call list_alerts over the same range and get_alert for those that involve this actor.
5. Call get_event for the events that matter most (privilege changes, token or key creation, deletions, failed logins).
6. Conclude with a timeline of what the actor did, what looks unusual and why, and what to check next.`,
            },
          },
        ],
      };
    },
  );
}

/** Answers one POST to /mcp for `ctx.caller` (authenticated before the body is read). */
export async function serveMcp(
  request: Request,
  ctx: Omit<CallContext, "settle">,
): Promise<Response> {
  const server = new McpServer(
    { name: "auditflare", version: "1.0.0" },
    { capabilities: { tools: {}, prompts: {} }, instructions: INSTRUCTIONS },
  );
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
    maxRequestBodySize: MAX_REQUEST_BYTES,
  });
  const audit = toolCallAudit(ctx);
  const call: CallContext = { ...ctx, settle: audit.settle };
  queryTools(server, call);
  opsTools(server, call);
  prompts(server);
  await server.connect(transport);
  audit.wire(transport);
  try {
    return await transport.handleRequest(request);
  } finally {
    ctx.waitUntil(server.close());
  }
}
