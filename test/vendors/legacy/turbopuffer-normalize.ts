import { z } from "zod";
import { canonicalJson } from "../../../src/lib/hash";
import { sha256HexSync } from "../../../src/lib/sha256";
import { parseTimestamp } from "../../../src/lib/time";
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
 * turbopuffer audit-log events (docs/sources/turbopuffer.md; WorkOS-style). The HTTPS and bucket framings are
 * undocumented, so the schema is tolerant: unknown fields are kept in rawLog.
 */
const entity = z.looseObject({
  type: z.string(),
  id: z.string(),
  name: z.string().optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
});

const turbopufferEvent = z.looseObject({
  id: z.string().min(1).optional(),
  action: z.string().min(1),
  occurred_at: isoTime,
  actor: entity,
  targets: z.array(entity).default([]),
  context: z.looseObject({ location: z.string().optional() }).optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
});

// Every documented action changes state; none is a read.
const WRITE_ACTIONS = new Set([
  "invitation-created",
  "invitation-accepted",
  "invitation-revoked",
  "user-added",
  "user-removed",
  "api-key-created",
  "api-key-marked-as-expired",
  "session-created",
  "session-revoked",
]);

export const turbopuffer: Normalizer = {
  isEvent: (v) => "action" in v || "occurred_at" in v,

  normalize({ value, raw }) {
    const parsed = turbopufferEvent.safeParse(value);
    if (!parsed.success) {
      return zodFailure(parsed.error.issues);
    }
    const e = parsed.data;
    const eventID = e.id ?? sha256HexSync(canonicalJson(value));
    const location = e.context?.location ?? null;
    const metadata = e.metadata ?? {};
    const impersonator = typeof metadata.impersonator === "string" ? metadata.impersonator : null;

    const actor = actorMap({
      id: e.actor.id,
      type: e.actor.type,
      name: e.actor.name,
      impersonator,
    });

    return accepted({
      eventID,
      eventName: e.action,
      eventTime: parseTimestamp(e.occurred_at) as number,
      readOnly: WRITE_ACTIONS.has(e.action) ? false : null,
      serviceName: "turbopuffer",
      src: sourceIp(location),
      actor,
      tags: stringMap(metadata),
      resources: e.targets.map((t) => `${t.type}:${t.id}`),
      rawLog: raw,
      sourceFields: {
        action: e.action,
        occurredAt: e.occurred_at,
        actorType: e.actor.type,
        actorId: e.actor.id,
        actorName: e.actor.name ?? null,
        targets: e.targets,
        contextLocation: location,
        sessionId: typeof metadata.session_id === "string" ? metadata.session_id : null,
        impersonator,
        impersonationReason:
          typeof metadata.impersonation_reason === "string" ? metadata.impersonation_reason : null,
      },
    });
  },
};
