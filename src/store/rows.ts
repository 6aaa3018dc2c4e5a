import { rowId, storableText } from "../lib/hash";
import { sha256Hex128AsciiLines } from "../lib/sha256";
import { COMMON_COLUMNS, UNSTORED_COLUMNS } from "../model/columns";
import type { Endpoint, NormalizedEvent } from "../model/event";
import { readNote } from "../model/read-note";
import type { SourceRef, ViewDefinition } from "../model/view";
import { storedMapTexts } from "./derived";
import type { LogRow } from "./schema";
import { NO_FIELDS, storedSourceFields } from "./source-fields";

export { COMMON_COLUMNS, UNSTORED_COLUMNS };

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
 * rawLog), the vendor columns the view reads from rawLog are left out of sourceFields, and the
 * maps it builds from rawLog are markers (src/store/derived.ts).
 */
export function toRow(
  source: SourceRef,
  event: NormalizedEvent,
  receivedAt: number,
  raw?: { view: ViewDefinition; parsed: unknown },
): LogRow {
  const src: Endpoint = event.src;
  // What the normalizer found reading this record (src/model/read-note.ts), if it noted it.
  const note = raw === undefined ? undefined : readNote(event);
  const known = note !== undefined && note.parsed === raw?.parsed ? note : undefined;
  const fields = raw
    ? known !== undefined &&
      known.fields === event.sourceFields &&
      known.rawPaths !== undefined &&
      known.rawPaths === raw.view.rawPaths
      ? (known.stored ?? NO_FIELDS)
      : storedSourceFields(raw.view, event.sourceFields, raw.parsed)
    : event.sourceFields;
  // the maps the view builds from rawLog are stored as a marker (src/store/derived.ts)
  const maps = raw
    ? storedMapTexts(raw.view, raw.parsed, event.rawLog, event, known)
    : {
        actor: JSON.stringify(event.actor),
        tags: JSON.stringify(event.tags),
        resources: JSON.stringify(event.resources),
      };
  // An ASCII id (most are) is hashed as it is and stored as it is: rowId's and storableText's
  // scans for lone surrogates (a regex each) would find none. Turso's 64-digit ids: normalize +
  // toRow 5.4 -> 5.25 us an event (Node).
  const asciiId = sha256Hex128AsciiLines(source.id, event.eventID);
  return {
    id: asciiId ?? rowId(source.id, event.eventID),
    workspaceID: source.workspaceID ?? "",
    sourceType: source.type,
    sourceID: source.id,
    sourceTTL: source.ttlDays ?? 0,
    receivedAt,
    eventTime: event.eventTime,
    eventName: storableText(event.eventName),
    eventID: asciiId === null ? storableText(event.eventID) : event.eventID,
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
    actor: maps.actor,
    tags: maps.tags,
    resources: maps.resources,
    serviceName: storableText(event.serviceName),
    // none yet for most events (enrichment adds to the list when it finds something)
    enrichments: event.enrichments.length === 0 ? "[]" : JSON.stringify(event.enrichments),
    rawLog: event.rawLog,
    rawLogRef: null,
    sourceFields: fields === NO_FIELDS ? "{}" : JSON.stringify(fields),
  };
}
