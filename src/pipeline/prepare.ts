import { enrichEvents } from "../enrich";
import type { ErrorCode } from "../lib/errors";
import { describeError } from "../lib/errors";
import { noSpans, type Spans } from "../lib/spans";
import { checkEventTime } from "../lib/time";
import type { Framed } from "../parse/json";
import {
  KEYED_RECORDS,
  keptAlready,
  type QuarantinedRecord,
  type QuarantineEntry,
  RecordGroup,
  recordKey,
  recordsIn,
} from "../store/quarantine";
import { toRow } from "../store/rows";
import type { LogRow } from "../store/schema";
import { findVendor, normalizerFor } from "../vendors";
import type { NormalizedEvent } from "../vendors/event";
import type { SourceRef, ViewDefinition } from "../vendors/types";
import type { RowOrigin } from "./rule-row";

export interface Prepared {
  rows: LogRow[];
  /**
   * The records of this input that failed, never kept before: one group entry, and a second
   * for the block of records past the first KEYED_RECORDS (src/store/quarantine.ts).
   */
  quarantine: QuarantineEntry[];
  /** Records read (rows + records kept aside + records reseen). */
  received: number;
  /** Records this source had already kept in quarantine (the same raw text): duplicates. */
  reseen: number;
  /** The source type's vendor view, which the store needs for a row it spills to R2. */
  view: ViewDefinition | undefined;
  /** What each row was made from, for the rules (src/pipeline/rule-row.ts). */
  origins: ReadonlyMap<LogRow, RowOrigin>;
}

export interface PrepareOptions {
  /** Prefix of the group entry's location (e.g. the object key of a file). */
  where?: string;
  /** Extra tags on every row (e.g. `auditflareOrigin: upload`). */
  tags?: Record<string, string>;
  /**
   * Whether a failed record the source already kept is left out (counted in `reseen`); a
   * replay (all or nothing) wants every failure, kept before or not.
   */
  keepOnce?: boolean;
  /** Timing spans of the stages (src/lib/spans.ts); none by default. */
  spans?: Spans;
}

/** Failures looked up together (one query per this many records that failed). */
const LOOKUP_BATCH = 500;

/**
 * The records of one input that failed, each kept once: a record whose raw text this source
 * already kept (in an earlier input, or earlier in this one) is counted in `reseen` instead.
 * The first KEYED_RECORDS are looked up one by one; the rest form one block, kept once as a
 * whole (src/store/quarantine.ts BlockHash).
 */
class Failures {
  readonly group = new RecordGroup();
  /** The failures past the first KEYED_RECORDS: one block, one key (bounded memory). */
  readonly block = new RecordGroup();
  reseen = 0;
  /** Failures hashed and looked up one by one so far. */
  private looked = 0;
  private pending = new Map<string, QuarantinedRecord>();

  constructor(
    private readonly db: D1Database,
    private readonly sourceID: string,
    private readonly keepOnce: boolean,
  ) {}

  async add(r: QuarantinedRecord): Promise<void> {
    if (this.looked >= KEYED_RECORDS) return this.block.add(r);
    this.looked++;
    const key = await recordKey(r.raw);
    if (this.group.keys.has(key) || this.pending.has(key)) {
      this.reseen++;
      return;
    }
    this.pending.set(key, r);
    if (this.pending.size >= LOOKUP_BATCH || this.looked >= KEYED_RECORDS) await this.flush();
  }

  /** Looks the pending failures up; the ones never kept join the group. */
  async flush(): Promise<void> {
    const pending = this.pending;
    this.pending = new Map();
    const kept = await this.kept([...pending.keys()]);
    for (const [key, r] of pending) {
      if (kept.has(key)) this.reseen++;
      else await this.group.add(r, key);
    }
  }

  /** The groups to keep: the block only when the same block was not kept before. */
  async groups(): Promise<RecordGroup[]> {
    await this.flush();
    const groups = [this.group];
    if (this.block.count > 0) {
      const key = await recordKey(this.block.overflow.key);
      if ((await this.kept([key])).has(key)) this.reseen += this.block.count;
      else groups.push(this.block);
    }
    return groups.filter((g) => g.count > 0);
  }

  private kept(keys: string[]): Promise<Set<string>> {
    return this.keepOnce ? keptAlready(this.db, this.sourceID, keys) : Promise.resolve(new Set());
  }
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
function normalizeRecord(
  source: SourceRef,
  r: Extract<Framed, { ok: true }>,
  receivedAt: number,
): Normalized {
  const fail = (stage: string, errorCode: ErrorCode, error: string): Normalized => ({
    ok: false,
    failure: failure(r, stage, errorCode, error),
  });
  try {
    const result = normalizerFor(source.type).normalize({ value: r.value, raw: r.raw });
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
  failures: Failures,
  receivedAt: number,
  options: PrepareOptions,
  origins: Map<LogRow, RowOrigin>,
): Promise<LogRow[]> {
  const rows: LogRow[] = [];
  const view = findVendor(source.type)?.view;
  for (const event of events) {
    try {
      if (options.tags) event.tags = { ...event.tags, ...options.tags };
      const record = parsedOf.has(event) ? { parsed: parsedOf.get(event) } : undefined;
      const row = toRow(source, event, receivedAt, view && record && { view, ...record });
      rows.push(row);
      origins.set(row, { event, record });
    } catch (err) {
      await failures.add({
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
  const failures = new Failures(env.DB, source.id, options.keepOnce ?? true);
  const spans = options.spans ?? noSpans;
  let received = 0;
  // Framing is lazy (the records are parsed as they are pulled): its time is the pulls'.
  const it = records[Symbol.iterator]();
  for (;;) {
    const pulled = spans.enabled ? performance.now() : 0;
    const next = it.next();
    if (spans.enabled) spans.add("parse", performance.now() - pulled);
    if (next.done) break;
    const r = next.value;
    received++;
    if (!r.ok) {
      // A record that did not parse fails at the parse stage (no normalizer call).
      await failures.add(failure(r, "parse", r.code ?? "invalid_json", r.error));
      continue;
    }
    const n = spans.time("normalize", () => normalizeRecord(source, r, receivedAt));
    if (n.ok) {
      events.push(n.event);
      if (n.event.rawLog === r.raw) parsedOf.set(n.event, r.value);
    } else await failures.add(n.failure);
  }
  await spans.time("enrich", () => enrichEvents(env, events));
  const origins = new Map<LogRow, RowOrigin>();
  const rows = await spans.time("rows", () =>
    rowsOf(source, events, parsedOf, failures, receivedAt, options, origins),
  );
  const groups = await spans.time("quarantine_lookup", () => failures.groups());
  const quarantine: QuarantineEntry[] = groups.map((group) => ({
    sourceID: source.id,
    sourceType: source.type,
    stage: "records",
    errorCode: "invalid_records",
    error: "",
    location: options.where ?? "",
    raw: "",
    group,
  }));
  const { reseen } = failures;
  return { rows, quarantine, received, reseen, view: findVendor(source.type)?.view, origins };
}

/** How many records an input's prepared quarantine entries count for (a group counts each). */
export const keptRecords = (p: Pick<Prepared, "quarantine">): number =>
  p.quarantine.reduce((n, q) => n + recordsIn(q), 0);
