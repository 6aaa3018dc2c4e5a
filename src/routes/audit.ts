import type { Context } from "hono";
import { loadSources } from "../config";
import { ingest } from "../ingest";
import { describeError } from "../lib/errors";
import type { AppEnv } from "../lib/openapi";

/**
 * The collector audits itself: every query and every admin action (and every write refused to a
 * reader) becomes an event of the built-in source `auditflare` (src/vendors/auditflare/), with
 * who (a token's name or an Access identity), from where (CF-Connecting-IP), what (the action,
 * the path and its parameters) and how it ended (the status). Stored after the response, through
 * the same pipeline as a vendor's events, so it is queried and detected like them.
 */

const ACTIONS: ReadonlyArray<[string, RegExp, string]> = [
  ["GET", /^\/v1\/logs$/, "logs.query"],
  ["GET", /^\/v1\/logs\/[^/]+$/, "logs.get"],
  ["GET", /^\/v1\/sources$/, "sources.list"],
  ["GET", /^\/v1\/quarantine$/, "quarantine.list"],
  ["GET", /^\/v1\/quarantine\/[^/]+$/, "quarantine.get"],
  ["POST", /^\/v1\/quarantine\/[^/]+\/replay$/, "quarantine.replayed"],
  ["POST", /^\/v1\/sources\/[^/]+\/files$/, "file.uploaded"],
  ["GET", /^\/v1\/alerts$/, "alerts.list"],
  ["GET", /^\/v1\/rules$/, "rules.list"],
  ["POST", /^\/v1\/rules\/test$/, "rule.tested"],
  ["GET", /^\/v1\/rules\/[^/]+$/, "rules.get"],
  ["POST", /^\/v1\/sql$/, "sql.query"],
  ["PUT", /^\/v1\/rules\/[^/]+$/, "rule.updated"],
  ["DELETE", /^\/v1\/rules\/[^/]+$/, "rule.deleted"],
  ["POST", /^\/v1\/alerts\/[^/]+\/ack$/, "alert.acknowledged"],
  ["POST", /^\/v1\/alerts\/[^/]+\/close$/, "alert.closed"],
  ["POST", /^\/v1\/archive\/run$/, "archive.run"],
  ["POST", /^\/v1\/archive\/rebuild$/, "archive.rebuilt"],
];

export const actionOf = (method: string, path: string): string =>
  ACTIONS.find(([m, re]) => m === method && re.test(path))?.[2] ??
  `${method.toLowerCase()} ${path}`;

export interface Auditee {
  name: string;
  via: "token" | "access";
}

/** Records the request (after its response) as an `auditflare` event; never fails the request. */
export function recordAudit(c: Context<AppEnv>, who: Auditee, status: number): void {
  const source = loadSources(c.env).find((s) => s.type === "auditflare");
  if (!source) return;
  const url = new URL(c.req.url);
  const event = {
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
  };
  const raw = JSON.stringify(event);
  const store = ingest(c.env, source, [{ location: "request", raw, ok: true, value: event }]).catch(
    (err) => console.error(`self-audit: ${event.action} not stored: ${describeError(err)}`),
  );
  c.executionCtx.waitUntil(store);
}
