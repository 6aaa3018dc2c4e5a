import { z } from "zod";
import { AuditflareError } from "../../../src/lib/errors";
import { parseTimestamp } from "../../../src/lib/time";
import { MAX_NESTING, nestingExceeds } from "../../../src/parse/json";
import {
  accepted,
  actorMap,
  isoTime,
  type Normalizer,
  sourceIp,
  stringMap,
  zodFailure,
} from "../../../src/vendors/event";

/**
 * CircleCI audit-log events (docs/sources/circleci.md): the streamed JSON events, and the rows of the
 * "Request audit logs" CSV export (upper-case columns, nested fields as JSON strings).
 */
const entity = z.looseObject({
  id: z.string().min(1),
  type: z.string().optional(),
  name: z.string().nullish(),
});

const circleciEvent = z.looseObject({
  id: z.string().min(1),
  version: z.union([z.number(), z.string()]).nullish(),
  action: z.string().min(1),
  actor: entity,
  target: entity.nullish(),
  scope: entity.nullish(),
  organization: entity.nullish(),
  account: entity.nullish(),
  payload: z.record(z.string(), z.unknown()).nullish(),
  occurred_at: isoTime,
  metadata: z.record(z.string(), z.unknown()).nullish(),
  success: z.boolean().nullish(),
  request: z
    .looseObject({
      id: z.string().nullish(),
      ip_address: z.string().nullish(),
      client_trace_id: z.string().nullish(),
    })
    .nullish(),
  common_fields: z.looseObject({ source_ip: z.string().nullish() }).nullish(),
});

const ENTITIES = [
  "actor",
  "target",
  "scope",
  "organization",
  "account",
  "request",
  "common_fields",
];

class NestingError extends AuditflareError {
  constructor(readonly column: string) {
    super("nesting_too_deep", `${column}: nests deeper than ${MAX_NESTING} levels`);
  }
}

/** A CSV export row → the JSON event shape: lower-case keys, JSON strings parsed, FOO_ID → foo.id. */
function fromCsvRow(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    const key = k.trim().toLowerCase();
    let value: unknown = v;
    if (typeof v === "string") {
      const t = v.trim();
      if (t === "") continue;
      if (t.startsWith("{") || t.startsWith("[")) {
        // Bounded before parsing: a cell nested 100,000 deep must not overflow the stack.
        if (nestingExceeds(t, MAX_NESTING)) throw new NestingError(k);
        try {
          value = JSON.parse(t);
        } catch {
          value = v;
        }
      } else if (t === "true" || t === "false") value = t === "true";
    }
    const entityName = ENTITIES.find((e) => key.startsWith(`${e}_`));
    if (entityName && !(key in out)) {
      const field = key.slice(entityName.length + 1);
      const existing = out[entityName];
      const target = (typeof existing === "object" && existing !== null ? existing : {}) as Record<
        string,
        unknown
      >;
      target[field] = value;
      out[entityName] = target;
    } else out[key] = value;
  }
  if (typeof out.version === "string" && /^\d+$/.test(out.version))
    out.version = Number(out.version);
  return out;
}

const READ_ACTIONS = new Set([
  "context.secrets.accessed",
  "audit_log.download_url.generated",
  "audit_log.requested",
]);

export const circleci: Normalizer = {
  isEvent: (v) => "action" in v || "occurred_at" in v || "ACTION" in v,

  normalize({ value, raw }) {
    const isCsvShape =
      typeof value === "object" &&
      value !== null &&
      !Array.isArray(value) &&
      Object.keys(value).some((k) => k === "ID" || k === "OCCURRED_AT");
    let input = value;
    try {
      if (isCsvShape) input = fromCsvRow(value as Record<string, unknown>);
    } catch (err) {
      if (!(err instanceof NestingError)) throw err;
      return { ok: false, code: "nesting_too_deep", message: err.message };
    }
    const parsed = circleciEvent.safeParse(input);
    if (!parsed.success) return zodFailure(parsed.error.issues);
    const e = parsed.data;
    const ip = e.request?.ip_address ?? e.common_fields?.source_ip ?? null;
    const actor = actorMap({ id: e.actor.id, type: e.actor.type, name: e.actor.name });
    return accepted({
      eventID: e.id,
      eventName: e.action,
      eventTime: parseTimestamp(e.occurred_at) as number,
      readOnly: READ_ACTIONS.has(e.action) ? true : null,
      serviceName: "circleci",
      src: sourceIp(ip),
      actor,
      tags: {
        ...stringMap(e.metadata ?? {}),
        ...(e.organization?.name ? { organization: e.organization.name } : {}),
        ...(e.success != null ? { outcome: e.success ? "success" : "failure" } : {}),
      },
      resources: e.target ? [`${e.target.type ?? "target"}:${e.target.id}`] : [],
      rawLog: raw,
      sourceFields: {
        auditLogId: e.id,
        version: e.version ?? null,
        occurredAt: e.occurred_at,
        action: e.action,
        actorId: e.actor.id,
        actorType: e.actor.type ?? null,
        actorName: e.actor.name ?? null,
        targetId: e.target?.id ?? null,
        targetType: e.target?.type ?? null,
        targetName: e.target?.name ?? null,
        scopeId: e.scope?.id ?? null,
        scopeType: e.scope?.type ?? null,
        scopeName: e.scope?.name ?? null,
        success: e.success ?? null,
        requestId: e.request?.id ?? null,
        payload: e.payload ?? null,
        metadata: e.metadata ?? null,
      },
    });
  },
};
