import { z } from "zod";
import { parseTimestamp } from "../../lib/time";
import { emptyEndpoint, isoTime, type Normalizer, sourceIp, zodFailure } from "../event";

/**
 * The collector's own audit events (src/routes/audit.ts writes them): every admin action and
 * every query, with who made it (a token's name or an Access identity), from where, and what it
 * asked. They go through the pipeline like any vendor's, so they are queried and detected alike.
 */
export const auditEvent = z.looseObject({
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

type AuditEvent = z.output<typeof auditEvent>;

const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);
/**
 * An object zod's record would copy entry for entry (a JSON object: Object's prototype, no own
 * `__proto__` key, which zod leaves out of its copy).
 */
const plainRecord = (v: unknown): v is Record<string, unknown> =>
  isRecord(v) && Object.getPrototypeOf(v) === Object.prototype && !Object.hasOwn(v, "__proto__");
const text = (v: unknown): v is string => typeof v === "string" && v.length > 0;
const nullishString = (v: unknown) => v === undefined || v === null || typeof v === "string";
const VIA = new Set(["token", "access", "oauth"]);

/**
 * Whether `auditEvent` accepts `v` and its output is `v` itself for every field normalize reads
 * (params defaulted aside): checked by hand, so a valid event costs no zod parse and no copy.
 * Anything else (a failure, an unusual object) goes to zod, which decides and words the failure.
 * The same answers as zod on the fixtures and on their mutations (auditflare.unit.test.ts).
 */
function plain(v: unknown): v is AuditEvent {
  if (!isRecord(v)) return false;
  const { actor, params, outcome } = v;
  if (
    !text(v.id) ||
    typeof v.time !== "string" ||
    parseTimestamp(v.time) === null ||
    !text(v.action) ||
    !isRecord(actor) ||
    !text(actor.name) ||
    typeof actor.via !== "string" ||
    !VIA.has(actor.via) ||
    (actor.client !== undefined && typeof actor.client !== "string") ||
    !nullishString(v.ip) ||
    !text(v.method) ||
    !text(v.path) ||
    (params !== undefined && !plainRecord(params)) ||
    !Number.isSafeInteger(v.status) ||
    !nullishString(v.requestId) ||
    (v.readOnly !== undefined && typeof v.readOnly !== "boolean")
  )
    return false;
  if (outcome === undefined) return true;
  if (!plainRecord(outcome)) return false;
  for (const k in outcome) if (typeof outcome[k] !== "string") return false;
  return true;
}

export const auditflare: Normalizer = {
  isEvent: (v) => "action" in v && "actor" in v && "method" in v,

  normalize({ value, raw }) {
    // (zod defaults a missing params to {}; a plain event's may be missing: read as {} below)
    let e: AuditEvent;
    if (plain(value)) e = value;
    else {
      const parsed = auditEvent.safeParse(value);
      if (!parsed.success) return zodFailure(parsed.error.issues);
      e = parsed.data;
    }
    const actor: Record<string, string> = { name: e.actor.name, type: e.actor.via };
    if (e.actor.name.includes("@")) actor.email = e.actor.name;
    if (e.actor.client) actor.client = e.actor.client;
    const tags: Record<string, string> = { ...e.outcome, status: String(e.status) };
    if (e.requestId) tags.requestId = e.requestId;
    // accepted()'s shape, written out: one object literal, no spread of a fresh object
    return {
      ok: true,
      event: {
        eventID: e.id,
        eventName: e.action,
        eventTime: parseTimestamp(e.time) as number,
        readOnly: e.readOnly ?? (e.method === "GET" || e.method === "HEAD"),
        serviceName: "auditflare",
        src: sourceIp(e.ip),
        actor,
        tags,
        resources: [e.path],
        rawLog: raw,
        sourceFields: {
          auditflareAction: e.action,
          auditflareMethod: e.method,
          auditflarePath: e.path,
          auditflareParams: (e.params as AuditEvent["params"] | undefined) ?? {},
          auditflareStatus: e.status,
          auditflareVia: e.actor.via,
        },
        dst: emptyEndpoint(),
        enrichments: [],
      },
    };
  },
};
