import type { Context } from "hono";
import { loadSources } from "../config";
import { describeError } from "../lib/errors";
import { type AppEnv, operationOf } from "../lib/openapi";
import { ingest } from "../pipeline/ingest";

/**
 * The collector audits itself: every query and every admin action (and every write refused to a
 * reader) becomes an event of the built-in source `auditflare` (src/vendors/auditflare/), with
 * who (a token's name or an Access identity), from where (CF-Connecting-IP), what (the action,
 * the path and its parameters) and how it ended (the status). Stored after the response, through
 * the same pipeline as a vendor's events, so it is queried and detected like them.
 */

/**
 * A request's action: the operationId of its operation in the OpenAPI document (so a new route
 * is named as soon as it is declared), or `<method> <path>` for a path no operation declares.
 */
export const actionOf = (method: string, path: string): string =>
  operationOf(method, path) ?? `${method.toLowerCase()} ${path}`;

/** Requests already audited: two role middlewares may match one path, one event is stored. */
const audited = new WeakSet<Request>();

export interface Auditee {
  name: string;
  via: "token" | "access" | "oauth";
  /** An OAuth grant's client id (the MCP server's OAuth callers). */
  client?: string;
}

/** One self-audit event, as the `auditflare` vendor reads it (src/vendors/auditflare/). */
export interface AuditEvent {
  id: string;
  time: string;
  action: string;
  actor: Auditee;
  ip: string | null;
  method: string;
  path: string;
  params: Record<string, unknown>;
  status: number;
  requestId: string | null;
  /** Whether the action only read (default: GET or HEAD). */
  readOnly?: boolean;
  /** What a write did, when its route says (tags): e.g. `ruleId`, `enabled`, `changed`. */
  outcome?: Record<string, string>;
}

/** Stores `event` in the `auditflare` source after the response; never fails the request. */
export function storeAudit(env: Env, ctx: Pick<ExecutionContext, "waitUntil">, event: AuditEvent) {
  const source = loadSources(env).find((s) => s.type === "auditflare");
  if (!source) return;
  const raw = JSON.stringify(event);
  // Started on the next task, not now: its parse, normalize and detection work would otherwise
  // run before the response leaves (issue 27). waitUntil keeps it alive all the same.
  const store = new Promise((resolve) => setTimeout(resolve, 0))
    .then(() => ingest(env, source, [{ location: "request", raw, ok: true, value: event }]))
    .catch((err) => console.error(`self-audit: ${event.action} not stored: ${describeError(err)}`));
  ctx.waitUntil(store);
}

/** Records the request (after its response) as an `auditflare` event; never fails the request. */
export function recordAudit(c: Context<AppEnv>, who: Auditee, status: number): void {
  if (audited.has(c.req.raw)) return;
  audited.add(c.req.raw);
  const url = new URL(c.req.url);
  storeAudit(c.env, c.executionCtx, {
    id: crypto.randomUUID(),
    time: new Date().toISOString(),
    action: actionOf(c.req.method, url.pathname),
    actor: { name: who.name, via: who.via },
    ip: c.req.header("cf-connecting-ip") ?? null,
    method: c.req.method,
    path: url.pathname,
    params: Object.fromEntries(url.searchParams),
    status,
    requestId: c.get("requestId") ?? null,
    // What the write did, when its route says (e.g. a rule disabled, or already disabled).
    ...(c.get("auditOutcome") ? { outcome: c.get("auditOutcome") } : {}),
  });
}
