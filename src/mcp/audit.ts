import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { storeAudit } from "../routes/audit";
import { type CallContext, clip } from "./tool";

/**
 * Every `tools/call` is one self-audit event `mcp.<tool>` (README "Self-audit"), stored after
 * its answer: it is recorded where the answer leaves the server (the transport's `send`), which
 * happens exactly once per call, whether the tool ran, was refused for its role (403), had
 * invalid arguments or is unknown (400), or failed. The tool itself only notes its status
 * (`settle`). A batch of calls is one event per call.
 */

interface PendingCall {
  tool: string;
  args: unknown;
}

type Outcome = { result?: { isError?: boolean }; error?: unknown };

/**
 * The audit of one request's tool calls: `settle` for the tools (registered before the server
 * connects), `wire` for the transport once connected (it wraps what the server installed).
 */
export function toolCallAudit(ctx: Omit<CallContext, "settle">) {
  const pending = new Map<string | number, PendingCall>();
  const statuses = new Map<string | number, number>();
  const settle: CallContext["settle"] = (call, status) => {
    statuses.set(call, status);
  };
  return { settle, wire: (transport: Transport) => wire(transport, ctx, pending, statuses) };
}

function wire(
  transport: Transport,
  ctx: Omit<CallContext, "settle">,
  pending: Map<string | number, PendingCall>,
  statuses: Map<string | number, number>,
): void {
  const receive = transport.onmessage;
  transport.onmessage = (message, extra) => {
    const m = message as {
      id?: string | number;
      method?: string;
      params?: Record<string, unknown>;
    };
    if (m.method === "tools/call" && m.id !== undefined) {
      const name = typeof m.params?.name === "string" ? m.params.name : "unknown";
      pending.set(m.id, { tool: name.slice(0, 100), args: m.params?.arguments ?? {} });
    }
    receive?.(message, extra);
  };
  const send = transport.send.bind(transport);
  transport.send = async (message: JSONRPCMessage, options) => {
    const id = (message as { id?: string | number }).id;
    const call = id === undefined ? undefined : pending.get(id);
    if (id !== undefined && call) {
      pending.delete(id);
      const answer = message as Outcome;
      const status = statuses.get(id) ?? (answer.error || answer.result?.isError ? 400 : 200);
      statuses.delete(id);
      storeAudit(ctx.env, ctx, {
        id: crypto.randomUUID(),
        time: new Date().toISOString(),
        action: `mcp.${call.tool}`,
        actor: {
          name: ctx.caller.name,
          via: ctx.caller.via,
          ...(ctx.caller.client ? { client: ctx.caller.client } : {}),
        },
        ip: ctx.ip,
        method: "POST",
        path: "/mcp",
        params: clip(call.args, 500) as Record<string, unknown>,
        status,
        requestId: ctx.requestId,
        readOnly: !ADMIN_TOOLS.has(call.tool),
      });
    }
    return send(message, options);
  };
}

/** The tools that write (README "Connect an assistant"). */
export const ADMIN_TOOLS: ReadonlySet<string> = new Set(["ack_alert", "close_alert"]);
