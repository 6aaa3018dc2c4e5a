import { rowId, storableText } from "../lib/hash";
import type { Endpoint, NormalizedEvent } from "../vendors/event";
import type { SourceRef, ViewDefinition } from "../vendors/types";
import type { LogRow } from "./schema";
import { storedSourceFields } from "./source-fields";

const ENDPOINT_FIELDS = [
  "IP",
  "ASOrganization",
  "ASNumber",
  "ASCountryCode",
  "City",
  "ConnectionType",
  "ISP",
  "Latitude",
  "Longitude",
  "UserType",
] as const;

/** The 36 common columns of the seed schema, in its order (views and the API show them all). */
export const COMMON_COLUMNS = [
  "id",
  "workspaceID",
  "sourceType",
  "sourceID",
  "sourceTTL",
  "receivedAt",
  "eventTime",
  "eventName",
  "eventID",
  "readOnly",
  ...(["src", "dst"] as const).flatMap((p) => ENDPOINT_FIELDS.map((c) => `${p}${c}`)),
  "actor",
  "tags",
  "resources",
  "serviceName",
  "enrichments",
  "rawLog",
] as const;

/** The common columns that are always null, so not stored (no vendor reports a destination). */
export const UNSTORED_COLUMNS: ReadonlySet<string> = new Set(ENDPOINT_FIELDS.map((c) => `dst${c}`));

/** The stored columns of `logs` besides its key, in insert order. */
export const LOG_COLUMNS = [
  ...COMMON_COLUMNS.filter((c) => !UNSTORED_COLUMNS.has(c)),
  "rawLogRef",
  "sourceFields",
] as const;

const orNull = <T>(v: T | undefined): T | null => (v === undefined ? null : v);

/**
 * The stored row of a normalized event: its deterministic id plus the source's columns. With
 * `raw` (the vendor's view, and the record the normalizer read, whose text is the event's
 * rawLog), the vendor columns the view reads from rawLog are left out of sourceFields.
 */
export async function toRow(
  source: SourceRef,
  event: NormalizedEvent,
  receivedAt: number,
  raw?: { view: ViewDefinition; parsed: unknown },
): Promise<LogRow> {
  const src: Endpoint = event.src;
  const fields = raw
    ? storedSourceFields(raw.view, event.sourceFields, raw.parsed)
    : event.sourceFields;
  return {
    id: await rowId(source.id, event.eventID),
    workspaceID: source.workspaceID ?? "",
    sourceType: source.type,
    sourceID: source.id,
    sourceTTL: source.ttlDays ?? 0,
    receivedAt,
    eventTime: event.eventTime,
    eventName: storableText(event.eventName),
    eventID: storableText(event.eventID),
    readOnly: event.readOnly === null ? null : event.readOnly ? 1 : 0,
    srcIP: orNull(src.ip),
    srcASOrganization: orNull(src.asOrganization),
    srcASNumber: orNull(src.asNumber),
    srcASCountryCode: orNull(src.asCountryCode),
    srcCity: orNull(src.city),
    srcConnectionType: orNull(src.connectionType),
    srcISP: orNull(src.isp),
    srcLatitude: orNull(src.latitude),
    srcLongitude: orNull(src.longitude),
    srcUserType: orNull(src.userType),
    actor: JSON.stringify(event.actor),
    tags: JSON.stringify(event.tags),
    resources: JSON.stringify(event.resources),
    serviceName: storableText(event.serviceName),
    enrichments: JSON.stringify(event.enrichments),
    rawLog: event.rawLog,
    rawLogRef: null,
    sourceFields: JSON.stringify(fields),
  };
}
