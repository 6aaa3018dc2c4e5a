import { enrichEvents } from "./enrich";
import type { ErrorCode } from "./lib/errors";
import { describeError } from "./lib/errors";
import { checkEventTime } from "./lib/time";
import type { Framed } from "./parse/json";
import { type QuarantinedRecord, type QuarantineEntry, RecordGroup } from "./store/quarantine";
import { toRow } from "./store/rows";
import type { LogRow } from "./store/schema";
import { findVendor, normalizerFor } from "./vendors";
import type { NormalizedEvent } from "./vendors/event";
import type { SourceRef } from "./vendors/types";

export interface Prepared {
  rows: LogRow[];
  /** At most one entry: the group of every record of this input that failed. */
  quarantine: QuarantineEntry[];
  /** Records read (rows + records kept aside). */
  received: number;
}

export interface PrepareOptions {
  /** Prefix of the group entry's location (e.g. the object key of a file). */
  where?: string;
  /** Extra tags on every row (e.g. `auditflareOrigin: upload`). */
  tags?: Record<string, string>;
}

type Normalized = { ok: true; event: NormalizedEvent } | { ok: false; failure: QuarantinedRecord };

const failure = (
  r: Framed,
  stage: string,
  errorCode: ErrorCode,
  error: string,
): QuarantinedRecord => ({
  location: r.location,
  stage,
  errorCode,
  error,
  raw: r.raw,
  json: r.json ?? true,
});

/**
 * One record, isolated: whatever it does (any exception, any depth, any size), it becomes an
 * event or a failure naming the stage, never an exception that would take its neighbours down.
 */
async function normalizeRecord(
  source: SourceRef,
  r: Extract<Framed, { ok: true }>,
  receivedAt: number,
): Promise<Normalized> {
  const fail = (stage: string, errorCode: ErrorCode, error: string): Normalized => ({
    ok: false,
    failure: failure(r, stage, errorCode, error),
  });
  try {
    const result = await normalizerFor(source.type).normalize({ value: r.value, raw: r.raw });
    if (!result.ok) return fail("normalize", result.code, result.message);
    const timeError = checkEventTime(result.event.eventTime, receivedAt);
    if (timeError) return fail("normalize", "invalid_time", timeError);
    return result;
  } catch (err) {
    return fail("normalize", "normalize_failed", describeError(err));
  }
}

/** Enriched events → rows; an event that cannot become a row joins the group, never throws. */
async function rowsOf(
  source: SourceRef,
  events: NormalizedEvent[],
  parsedOf: Map<NormalizedEvent, unknown>,
  group: RecordGroup,
  receivedAt: number,
  options: PrepareOptions,
): Promise<LogRow[]> {
  const rows: LogRow[] = [];
  const view = findVendor(source.type)?.view;
  for (const event of events) {
    try {
      if (options.tags) event.tags = { ...event.tags, ...options.tags };
      const raw = view && parsedOf.has(event) ? { view, parsed: parsedOf.get(event) } : undefined;
      rows.push(await toRow(source, event, receivedAt, raw));
    } catch (err) {
      await group.add({
        location: `eventID ${event.eventID}`,
        stage: "store",
        errorCode: "row_failed",
        error: describeError(err),
        raw: event.rawLog,
        json: true,
      });
    }
  }
  return rows;
}

/**
 * Framed records of one source → rows to store, and one quarantine entry holding every record
 * that did not parse, did not validate or could not become a row (each with where it was and
 * why). Nothing is dropped. Normalized events are enriched (srcIP → AS / country, src/enrich)
 * before they become rows; enrichment never fails a record, it only leaves its fields null.
 */
export async function prepareRecords(
  env: Env,
  source: SourceRef,
  records: Iterable<Framed>,
  receivedAt: number,
  options: PrepareOptions = {},
): Promise<Prepared> {
  const events: NormalizedEvent[] = [];
  // The record each event was read from, when its rawLog is that record's text: the vendor
  // columns the view can read from rawLog are then not stored again (src/store/source-fields.ts).
  const parsedOf = new Map<NormalizedEvent, unknown>();
  const group = new RecordGroup();
  let received = 0;
  for (const r of records) {
    received++;
    if (!r.ok) {
      // A record that did not parse fails at the parse stage (no normalizer call).
      await group.add(failure(r, "parse", r.code ?? "invalid_json", r.error));
      continue;
    }
    const n = await normalizeRecord(source, r, receivedAt);
    if (n.ok) {
      events.push(n.event);
      if (n.event.rawLog === r.raw) parsedOf.set(n.event, r.value);
    } else await group.add(n.failure);
  }
  await enrichEvents(env, events);
  const rows = await rowsOf(source, events, parsedOf, group, receivedAt, options);
  const quarantine: QuarantineEntry[] =
    group.count === 0
      ? []
      : [
          {
            sourceID: source.id,
            sourceType: source.type,
            stage: "records",
            errorCode: "invalid_records",
            error: "",
            location: options.where ?? "",
            raw: "",
            group,
          },
        ];
  return { rows, quarantine, received };
}
