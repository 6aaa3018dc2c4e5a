import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { z } from "zod";
import { AppError, describeError } from "../lib/errors";
import { SqlFailure } from "../store/sql";

/**
 * One MCP tool call, as every tool of src/mcp/tools-*.ts makes it: the role check (an admin tool
 * called by a reader is a tool error naming the role, and its work never starts), the work, an
 * answer within MAX_ANSWER_BYTES (structured content plus the same JSON as text, after a one-line
 * summary), and exactly one self-audit event `mcp.<tool>` whatever the outcome.
 */

export type Role = "reader" | "admin";

/** Who calls: a bearer token, a Cloudflare Access identity, or an OAuth grant. */
export interface Caller {
  role: Role;
  /** "query token", "admin token", the Access email, or the OAuth grant's user. */
  name: string;
  via: "token" | "access" | "oauth";
  /** The OAuth client id (via oauth). */
  client?: string;
}

/** What a tool call needs besides its arguments. */
export interface CallContext {
  env: Env;
  waitUntil: (p: Promise<unknown>) => void;
  caller: Caller;
  ip: string | null;
  requestId: string | null;
  now: number;
  /** Notes how a call ended (HTTP-like status) for its audit event (src/mcp/audit.ts). */
  settle: (call: string | number, status: number) => void;
}

/** The most one answer's structured JSON holds, in bytes (its text copy is the same size). */
export const MAX_ANSWER_BYTES = 64 * 1024;
/** Strings longer than this inside rows (rawLog, payloads) are cut, saying how much was left. */
export const MAX_STRING = 2048;

export interface ToolAnswer {
  /** One line an assistant (or a person) reads first. */
  summary: string;
  data: Record<string, unknown>;
}

interface ToolSpec<S extends z.ZodRawShape> {
  name: string;
  title: string;
  description: string;
  input: S;
  /** The answer's shape (the top-level fields; validated by the SDK). */
  output: z.ZodRawShape;
  /** Needs the admin role (writes). */
  admin?: boolean;
  run: (args: z.output<z.ZodObject<S>>, ctx: CallContext) => Promise<ToolAnswer>;
}

const utf8 = (s: string) => new TextEncoder().encode(s).byteLength;

/** `value` with every string over `max` characters cut, marked with what was left out. */
export function clip(value: unknown, max = MAX_STRING): unknown {
  if (typeof value === "string")
    return value.length > max
      ? `${value.slice(0, max)}…[cut: ${value.length - max} more characters]`
      : value;
  if (Array.isArray(value)) return value.map((v) => clip(v, max));
  if (value !== null && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, clip(v, max)]));
  return value;
}

/** The first items whose JSON fits in `budget` bytes, and whether any was left out. */
export function fitItems<T>(items: readonly T[], budget: number): { items: T[]; cut: boolean } {
  let left = budget;
  const out: T[] = [];
  for (const item of items) {
    const size = utf8(JSON.stringify(item)) + 1;
    if (size > left) return { items: out, cut: true };
    left -= size;
    out.push(item);
  }
  return { items: out, cut: false };
}

/** Room left for a list once the rest of an answer (`around`) is counted. */
export const budgetAround = (around: unknown) =>
  Math.max(0, MAX_ANSWER_BYTES - utf8(JSON.stringify(around)) - 256);

const ROLE_WORDS: Record<Caller["via"], string> = {
  token: "the query token only reads; this tool needs the admin token (ADMIN_API_TOKEN)",
  access: "only reads: admin tools need an email listed in ACCESS_ADMINS",
  oauth: "only reads: this OAuth grant carries the reader role (authorize again as an admin)",
};

/** A tool error naming the role the tool needs and the caller's. */
export const roleRefusal = (tool: string, caller: Caller) =>
  `${tool} needs the admin role: ${caller.via === "token" ? "" : `${caller.name} `}${ROLE_WORDS[caller.via]}`;

function failure(err: unknown, requestId: string | null): { status: number; message: string } {
  if (err instanceof AppError) return { status: err.status, message: err.message };
  if (err instanceof SqlFailure) return { status: 400, message: `${err.kind}: ${err.message}` };
  console.error(`[${requestId}] mcp tool failed: ${describeError(err)}`);
  return { status: 500, message: `internal error; see the logs under request id ${requestId}` };
}

const errorResult = (text: string): CallToolResult => ({
  isError: true,
  content: [{ type: "text", text }],
});

/** Registers one tool on `server` for the call context `ctx` (one server per HTTP request). */
export function defineTool<S extends z.ZodRawShape>(
  server: McpServer,
  ctx: CallContext,
  spec: ToolSpec<S>,
): void {
  server.registerTool(
    spec.name,
    {
      title: spec.title,
      description: spec.description,
      inputSchema: spec.input,
      outputSchema: spec.output,
      annotations: {
        title: spec.title,
        readOnlyHint: !spec.admin,
        destructiveHint: false,
        idempotentHint: true,
        openWorldHint: false,
      },
    },
    // biome-ignore lint/suspicious/noExplicitAny: the SDK's callback type is generic over the shape.
    (async (args: any, extra: { requestId: string | number }): Promise<CallToolResult> => {
      if (spec.admin && ctx.caller.role !== "admin") {
        ctx.settle(extra.requestId, 403);
        return errorResult(roleRefusal(spec.name, ctx.caller));
      }
      let answer: ToolAnswer;
      try {
        answer = await spec.run(args, ctx);
      } catch (err) {
        const f = failure(err, ctx.requestId);
        ctx.settle(extra.requestId, f.status);
        return errorResult(f.message);
      }
      ctx.settle(extra.requestId, 200);
      return {
        content: [
          { type: "text", text: answer.summary },
          { type: "text", text: JSON.stringify(answer.data) },
        ],
        structuredContent: answer.data,
      };
      // biome-ignore lint/suspicious/noExplicitAny: see above.
    }) as any,
  );
}
