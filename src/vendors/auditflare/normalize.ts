import { z } from "zod";
import { parseTimestamp } from "../../lib/time";
import { accepted, isoTime, type Normalizer, sourceIp, zodFailure } from "../event";

/**
 * The collector's own audit events (src/routes/audit.ts writes them): every admin action and
 * every query, with who made it (a token's name or an Access identity), from where, and what it
 * asked. They go through the pipeline like any vendor's, so they are queried and detected alike.
 */
const auditEvent = z.looseObject({
  id: z.string().min(1),
  time: isoTime,
  action: z.string().min(1),
  actor: z.looseObject({
    name: z.string().min(1),
    via: z.enum(["token", "access", "oauth"]),
    client: z.string().optional(),
  }),
  ip: z.string().nullish(),
  method: z.string().min(1),
  path: z.string().min(1),
  params: z.record(z.string(), z.unknown()).default({}),
  status: z.number().int(),
  requestId: z.string().nullish(),
  /** What a write did, when its route says (tags): e.g. `ruleId`, `enabled`, `changed`. */
  outcome: z.record(z.string(), z.string()).optional(),
  readOnly: z.boolean().optional(),
});

export const auditflare: Normalizer = {
  isEvent: (v) => "action" in v && "actor" in v && "method" in v,

  async normalize({ value, raw }) {
    const parsed = auditEvent.safeParse(value);
    if (!parsed.success) return zodFailure(parsed.error.issues);
    const e = parsed.data;
    const actor: Record<string, string> = { name: e.actor.name, type: e.actor.via };
    if (e.actor.name.includes("@")) actor.email = e.actor.name;
    if (e.actor.client) actor.client = e.actor.client;
    return accepted({
      eventID: e.id,
      eventName: e.action,
      eventTime: parseTimestamp(e.time) as number,
      readOnly: e.readOnly ?? (e.method === "GET" || e.method === "HEAD"),
      serviceName: "auditflare",
      src: sourceIp(e.ip),
      actor,
      tags: {
        ...e.outcome,
        status: String(e.status),
        ...(e.requestId ? { requestId: e.requestId } : {}),
      },
      resources: [e.path],
      rawLog: raw,
      sourceFields: {
        auditflareAction: e.action,
        auditflareMethod: e.method,
        auditflarePath: e.path,
        auditflareParams: e.params,
        auditflareStatus: e.status,
        auditflareVia: e.actor.via,
      },
    });
  },
};
