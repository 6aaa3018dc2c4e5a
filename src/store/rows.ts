import { rowId, storableText } from "../lib/hash";
import type { Endpoint, NormalizedEvent } from "../vendors/event";
import type { SourceRef } from "../vendors/types";
import type { LogRow } from "./schema";

function endpointColumns<P extends "src" | "dst">(p: P, e: Endpoint) {
  return {
    [`${p}IP`]: e.ip ?? null,
    [`${p}ASOrganization`]: e.asOrganization ?? null,
    [`${p}ASNumber`]: e.asNumber ?? null,
    [`${p}ASCountryCode`]: e.asCountryCode ?? null,
    [`${p}City`]: e.city ?? null,
    [`${p}ConnectionType`]: e.connectionType ?? null,
    [`${p}ISP`]: e.isp ?? null,
    [`${p}Latitude`]: e.latitude ?? null,
    [`${p}Longitude`]: e.longitude ?? null,
    [`${p}UserType`]: e.userType ?? null,
  } as Record<string, string | number | null>;
}

/** The stored row of a normalized event: its deterministic id plus the source's columns. */
export async function toRow(
  source: SourceRef,
  event: NormalizedEvent,
  receivedAt: number,
): Promise<LogRow> {
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
    ...endpointColumns("src", event.src),
    ...endpointColumns("dst", event.dst),
    actor: JSON.stringify(event.actor),
    tags: JSON.stringify(event.tags),
    resources: JSON.stringify(event.resources),
    serviceName: storableText(event.serviceName),
    enrichments: JSON.stringify(event.enrichments),
    rawLog: event.rawLog,
    rawLogRef: null,
    sourceFields: JSON.stringify(event.sourceFields),
  } as LogRow;
}

export const LOG_COLUMNS = [
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
  ...(["src", "dst"] as const).flatMap((p) =>
    [
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
    ].map((c) => `${p}${c}`),
  ),
  "actor",
  "tags",
  "resources",
  "serviceName",
  "enrichments",
  "rawLog",
  "rawLogRef",
  "sourceFields",
] as const satisfies ReadonlyArray<string>;
