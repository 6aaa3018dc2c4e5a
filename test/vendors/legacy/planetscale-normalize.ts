import { z } from "zod";
import { parseTimestamp } from "../../../src/lib/time";
import {
  accepted,
  type Normalizer,
  sourceIp,
  stringMap,
  TIME_MESSAGE,
  zodFailure,
} from "../../../src/vendors/event";

/**
 * PlanetScale audit-log events (docs/sources/planetscale.md, OpenAPI 2026-08-18): 17 properties, every one
 * but `id` possibly null; `type: "AuditLogEvent"` may or may not be there.
 */
const s = z.string().nullish();
const planetscaleEvent = z.looseObject({
  id: z.string().min(1),
  actor_id: s,
  actor_type: s,
  actor_display_name: s,
  auditable_id: s,
  auditable_type: s,
  auditable_display_name: s,
  audit_action: s,
  action: s,
  target_id: s,
  target_type: s,
  target_display_name: s,
  location: s,
  remote_ip: s,
  metadata: z.record(z.string(), z.unknown()).nullish(),
  created_at: s,
  updated_at: s,
});

const time = (v: string | null | undefined) => (v ? parseTimestamp(v) : null);

export const planetscale: Normalizer = {
  isEvent: (v) => "audit_action" in v || ("id" in v && "created_at" in v),

  normalize({ value, raw }) {
    const parsed = planetscaleEvent.safeParse(value);
    if (!parsed.success) return zodFailure(parsed.error.issues);
    const e = parsed.data;
    const eventTime = time(e.created_at) ?? time(e.updated_at);
    if (eventTime === null) {
      return {
        ok: false,
        code: "invalid_time",
        message: `created_at: missing or ${TIME_MESSAGE}`,
      };
    }
    const eventName =
      e.audit_action ??
      (e.auditable_type && e.action ? `${e.auditable_type}.${e.action}` : e.action);
    if (!eventName)
      return { ok: false, code: "invalid_event", message: "audit_action: missing (and no action)" };
    const actor: Record<string, string> = {};
    if (e.actor_id) actor.id = e.actor_id;
    if (e.actor_type) actor.type = e.actor_type;
    if (e.actor_display_name) actor.name = e.actor_display_name;
    const resources: string[] = [];
    if (e.auditable_id) resources.push(`${e.auditable_type ?? "auditable"}:${e.auditable_id}`);
    if (e.target_id) resources.push(`${e.target_type ?? "target"}:${e.target_id}`);
    return accepted({
      eventID: e.id,
      eventName,
      eventTime,
      readOnly: null,
      serviceName: "planetscale",
      src: {
        ...sourceIp(e.remote_ip),
        city: e.location ?? null,
      },
      actor,
      tags: stringMap(e.metadata ?? {}),
      resources,
      rawLog: raw,
      sourceFields: {
        psId: e.id,
        psAuditAction: e.audit_action ?? null,
        psAction: e.action ?? null,
        psActorId: e.actor_id ?? null,
        psActorType: e.actor_type ?? null,
        psActorDisplayName: e.actor_display_name ?? null,
        psAuditableId: e.auditable_id ?? null,
        psAuditableType: e.auditable_type ?? null,
        psAuditableDisplayName: e.auditable_display_name ?? null,
        psTargetId: e.target_id ?? null,
        psTargetType: e.target_type ?? null,
        psTargetDisplayName: e.target_display_name ?? null,
        psRemoteIp: e.remote_ip ?? null,
        psCreatedAt: e.created_at ?? null,
        psUpdatedAt: e.updated_at ?? null,
        psMetadata: e.metadata ?? null,
      },
    });
  },
};
