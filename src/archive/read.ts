import {
  type AsyncBuffer,
  type FileMetaData,
  type ParquetRow,
  parquetMetadataAsync,
  parquetReadObjects,
} from "hyparquet";
import { AppError } from "../lib/errors";
import type { ColdObject } from "../store/archive-tiers";
import { keyAtOrAfter, rowKey } from "../store/keys";
import type { KeyedRow, LogFilter } from "../store/query";
import type { LogRow } from "../store/schema";
import { ARCHIVE_COLUMNS } from "./parquet";

/**
 * The cold read path (issue 28): rows of archived Parquet objects, with the filter, order and
 * keyset of GET /v1/logs, read from R2 by byte ranges (hyparquet over `get` with `range`), never
 * whole objects. Per object: the footer (one ranged read of its tail), row groups pruned by
 * their statistics (time, and the equality filters), then the columns the filter needs; the
 * remaining columns only for the rows a page returns (`completeRows`). Work is bounded per call
 * (objects, bytes, rows scanned, time); a cut says up to where the answer is complete.
 */

const HOUR = 3_600_000;
const FOOTER_FETCH = 16_384;

export interface ReadBudget {
  maxObjects: number;
  maxBytes: number;
  maxRows: number;
  /** Date.now() after which no further object is opened. */
  deadline: number;
}

export const DEFAULT_BUDGET = {
  maxObjects: 48,
  maxBytes: 48 * 1024 * 1024,
  maxRows: 400_000,
  ms: 10_000,
} as const;

export interface ReadStats {
  objects: number;
  bytes: number;
  rowsScanned: number;
  /** Which bound stopped the read before the answer was complete, if one did. */
  cut?: "objects" | "bytes" | "rows" | "time";
}

export interface ColdQuery extends LogFilter {
  timeField: "eventTime" | "receivedAt";
  order: "asc" | "desc";
  after?: { t: number; key: string };
}

/** A matching archived row, known by its object and position until completed. */
export interface ColdHit {
  object: ColdObject;
  /** The object's footer, read once. */
  metadata: FileMetaData;
  index: number;
  id: string;
  t: number;
  key: bigint;
}

export interface ColdPage {
  /** The nearest `need` matching rows in the query's order (fewer when no more exist or cut). */
  hits: ColdHit[];
  /**
   * When the read was cut: only rows strictly before this time (in the query's order: newer
   * for desc, older for asc) are complete; the rest of the answer starts at it.
   */
  cutAt?: number;
  stats: ReadStats;
}

/** An R2 object as hyparquet's async buffer: each read is one ranged `get`, counted. */
export function r2File(bucket: R2Bucket, key: string, size: number, stats: ReadStats): AsyncBuffer {
  return {
    byteLength: size,
    async slice(start: number, end = size) {
      const object = await bucket.get(key, { range: { offset: start, length: end - start } });
      if (!object) throw new Error(`archive: object ${key} is missing`);
      stats.bytes += end - start;
      return object.arrayBuffer();
    },
  };
}

const ms = (v: unknown): number =>
  v instanceof Date ? v.getTime() : typeof v === "bigint" ? Number(v) : Number(v);

/**
 * The hits without a row seen twice (the same id and key): the archive can hold one twice (an
 * event delivered again after its row left D1 is stored and archived again), and a page of
 * `need` hits with one twice would look like the end of the answer.
 */
function distinct(hits: ColdHit[]): ColdHit[] {
  const seen = new Set<string>();
  return hits.filter((h) => {
    const id = `${h.id} ${h.key}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

/** Position of (t, key) in the query's order: negative when a comes first. */
export function compare(
  q: Pick<ColdQuery, "order" | "timeField">,
  a: { t: number; key: bigint },
  b: { t: number; key: bigint },
) {
  const asc =
    q.timeField === "receivedAt" && a.t !== b.t
      ? a.t - b.t
      : a.key < b.key
        ? -1
        : a.key > b.key
          ? 1
          : 0;
  return q.order === "asc" ? asc : -asc;
}

/** The filter's fields a row must equal (the actor map aside). */
const EQUAL_FIELDS = [
  "sourceType",
  "sourceID",
  "eventName",
  "srcIP",
  "srcASOrganization",
  "srcASCountryCode",
] as const;

/** The columns the filter reads, besides id and the times. */
export function filterColumns(f: LogFilter): string[] {
  const cols = new Set<string>(["id", "eventTime", "receivedAt"]);
  for (const c of EQUAL_FIELDS) if (f[c]) cols.add(c);
  if (f.actor) cols.add("actor");
  for (const e of f.exclude ?? []) cols.add(e.field);
  if (f.q) for (const c of ["eventName", "actor", "srcIP", "resources", "rawLog"]) cols.add(c);
  return [...cols];
}

const lowerAscii = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());
/** JSON columns as D1 stores them (the text LIKE sees there). */
const text = (v: unknown) =>
  v === null || v === undefined ? null : typeof v === "string" ? v : JSON.stringify(v);
const actorHas = (actor: unknown, value: string) =>
  actor !== null &&
  typeof actor === "object" &&
  Object.values(actor as Record<string, unknown>).some((x) => x === value);

/** The filter of src/store/query.ts filterConditions, on an archived row. */
export function matches(f: LogFilter, r: ParquetRow): boolean {
  for (const c of EQUAL_FIELDS) {
    const v = f[c];
    if (v && r[c] !== v) return false;
  }
  if (f.actor && !actorHas(r.actor, f.actor)) return false;
  for (const { field, value } of f.exclude ?? []) {
    if (field === "actor" ? actorHas(r.actor, value) : r[field] === value) return false;
  }
  if (f.q) {
    const needle = lowerAscii(f.q);
    const hit = ["eventName", "actor", "srcIP", "resources", "rawLog"].some((c) => {
      const v = text(r[c]);
      return v !== null && lowerAscii(v).includes(needle);
    });
    if (!hit) return false;
  }
  return true;
}

type Stat = { min?: unknown; max?: unknown };

function statsOf(md: FileMetaData, group: number): Map<string, Stat> {
  const out = new Map<string, Stat>();
  for (const c of md.row_groups[group]?.columns ?? []) {
    const s = c.meta_data?.statistics;
    const name = c.meta_data?.path_in_schema[0];
    if (s && name) out.set(name, { min: s.min_value ?? s.min, max: s.max_value ?? s.max });
  }
  return out;
}

/** Whether a row group's statistics allow a match (time range, equality filters). */
function groupMayMatch(q: ColdQuery, range: { lo?: number; hi?: number }, st: Map<string, Stat>) {
  const time = st.get(q.timeField);
  if (time?.min !== undefined && time.max !== undefined) {
    if (range.hi !== undefined && ms(time.min) >= range.hi) return false;
    if (range.lo !== undefined && ms(time.max) < range.lo) return false;
  }
  for (const c of [
    "sourceType",
    "eventName",
    "srcIP",
    "srcASOrganization",
    "srcASCountryCode",
  ] as const) {
    const v = q[c];
    const s = st.get(c);
    if (!v || !s || typeof s.min !== "string" || typeof s.max !== "string") continue;
    if (v < s.min || v > s.max) return false;
  }
  return true;
}

/** The time range [lo, hi) rows must fall in: the filter's, narrowed by the cursor. */
function rangeOf(q: ColdQuery): { lo?: number; hi?: number } {
  let { from: lo, to: hi } = q;
  if (q.after) {
    if (q.order === "desc") hi = Math.min(hi ?? Number.POSITIVE_INFINITY, q.after.t + 1);
    else lo = Math.max(lo ?? Number.NEGATIVE_INFINITY, q.after.t);
  }
  return { lo, hi };
}

/** The time bound of an object in the order of reading: its newest time (desc), oldest (asc). */
export function objectEdge(q: ColdQuery, o: ColdObject): number {
  if (q.timeField === "eventTime") return q.order === "desc" ? o.maxEventTime : o.minEventTime;
  return q.order === "desc" ? o.hour + HOUR - 1 : o.hour;
}

/** Whether an edge comes strictly after time t in the query's order. */
const beyond = (q: ColdQuery, edge: number, t: number) =>
  q.order === "desc" ? edge < t : edge > t;

/**
 * Footers of archive objects, per isolate (an object never changes under its key and sha256; a
 * rebuild writes a new sha256): a footer is a few KB, and a page that pages on reads it again.
 */
const FOOTERS = new Map<string, FileMetaData>();
const FOOTERS_KEPT = 512;

export async function footer(
  file: AsyncBuffer,
  o: ColdObject,
  stats: ReadStats,
): Promise<FileMetaData> {
  const id = `${o.key}#${o.sha256}`;
  const kept = FOOTERS.get(id);
  stats.objects += 1;
  if (kept) return kept;
  const metadata = await parquetMetadataAsync(file, { initialFetchSize: FOOTER_FETCH });
  if (FOOTERS.size >= FOOTERS_KEPT) FOOTERS.delete(FOOTERS.keys().next().value as string);
  FOOTERS.set(id, metadata);
  return metadata;
}

/** The matching rows of one object, after the cursor; counts what it read. */
export async function scanObject(
  bucket: R2Bucket,
  q: ColdQuery,
  o: ColdObject,
  stats: ReadStats,
): Promise<ColdHit[]> {
  const file = r2File(bucket, o.key, o.bytes, stats);
  const metadata = await footer(file, o, stats);
  const range = rangeOf(q);
  const after = q.after ? { t: q.after.t, key: BigInt(q.after.key) } : undefined;
  const columns = filterColumns(q);
  const hits: ColdHit[] = [];
  let start = 0;
  for (let g = 0; g < metadata.row_groups.length; g++) {
    const n = Number(metadata.row_groups[g]?.num_rows ?? 0);
    const rowStart = start;
    start += n;
    if (!groupMayMatch(q, range, statsOf(metadata, g))) continue;
    const rows = await parquetReadObjects({
      file,
      metadata,
      columns,
      rowStart,
      rowEnd: rowStart + n,
      rowFormat: "object",
    });
    stats.rowsScanned += rows.length;
    rows.forEach((r, i) => {
      const t = ms(r[q.timeField]);
      if (range.lo !== undefined && t < range.lo) return;
      if (range.hi !== undefined && t >= range.hi) return;
      if (!matches(q, r)) return;
      const hit = {
        object: o,
        metadata,
        index: rowStart + i,
        id: String(r.id),
        t,
        key: BigInt(rowKey(ms(r.eventTime), String(r.id))),
      };
      if (after && compare(q, hit, after) <= 0) return;
      hits.push(hit);
    });
  }
  return hits;
}

/**
 * The nearest `need` rows of the cold objects (in the order coldObjects lists them) in the
 * query's order. Objects are visited by their edge; the read stops once no unvisited object can
 * hold a row before the `need`-th found, or when the budget is spent (then `cutAt`). A budget
 * never stops a read before it has moved past the cursor's own time (so every page progresses);
 * a range too dense for even that answers 400 with what to narrow.
 */
export async function readColdPage(
  bucket: R2Bucket,
  objects: readonly ColdObject[],
  q: ColdQuery,
  need: number,
  budget: ReadBudget,
  listedAll: boolean,
): Promise<ColdPage> {
  const stats: ReadStats = { objects: 0, bytes: 0, rowsScanned: 0 };
  let hits: ColdHit[] = [];
  const after = q.after ? { t: q.after.t, key: BigInt(q.after.key) } : undefined;
  // a cut at `edge` continues at edgeCursor(edge): only a cut that moves past the cursor helps
  const moves = (edge: number) => {
    if (!after) return true;
    const c = edgeCursor(q, edge);
    return compare(q, { t: c.t, key: BigInt(c.key) }, after) > 0;
  };
  for (let i = 0; i < objects.length; i++) {
    const o = objects[i] as ColdObject;
    const edge = objectEdge(q, o);
    const kth = hits[need - 1];
    if (kth && beyond(q, edge, kth.t)) return { hits, stats };
    const cut: ReadStats["cut"] =
      stats.objects >= budget.maxObjects
        ? "objects"
        : stats.bytes >= budget.maxBytes
          ? "bytes"
          : stats.rowsScanned >= budget.maxRows
            ? "rows"
            : Date.now() >= budget.deadline
              ? "time"
              : undefined;
    if (cut && moves(edge)) {
      return {
        hits: hits.filter((h) => beyond(q, edge, h.t)),
        cutAt: edge,
        stats: { ...stats, cut },
      };
    }
    if (cut && stats.objects >= 4 * budget.maxObjects) {
      throw new AppError(
        "invalid_parameter",
        `more than ${4 * budget.maxObjects} archive objects hold events at one time; narrow the range (from, to) or filter by sourceID`,
      );
    }
    hits = distinct([...hits, ...(await scanObject(bucket, q, o, stats))])
      .sort((a, b) => compare(q, a, b))
      .slice(0, need);
  }
  const last = objects[objects.length - 1];
  if (!listedAll && last && moves(objectEdge(q, last))) {
    // the listing was cut: rows before its last object's edge are complete
    const edge = objectEdge(q, last);
    return {
      hits: hits.filter((h) => beyond(q, edge, h.t)),
      cutAt: edge,
      stats: { ...stats, cut: "objects" },
    };
  }
  return { hits, stats };
}

const MIN_KEY = "-9223372036854775808";
const MAX_KEY = "9223372036854775807";

/**
 * The cursor position just past time `edge` in the query's order (a cut's continuation): rows
 * at or before `edge` (desc), at or after it (asc), remain.
 */
export function edgeCursor(
  q: Pick<ColdQuery, "order" | "timeField">,
  edge: number,
): { t: number; key: string } {
  if (q.order === "desc") {
    const t = edge + 1;
    return { t, key: q.timeField === "eventTime" ? keyAtOrAfter(t) : MIN_KEY };
  }
  const t = edge - 1;
  return {
    t,
    key: q.timeField === "eventTime" ? (BigInt(keyAtOrAfter(edge)) - 1n).toString() : MAX_KEY,
  };
}

/** An archived row as D1 stores it (src/store/schema.ts), so the API presents it the same way. */
export function storedRowOf(r: ParquetRow): LogRow {
  const out: Record<string, unknown> = {};
  for (const { name, type } of ARCHIVE_COLUMNS) {
    const v = r[name];
    if (v === undefined || v === null) out[name] = null;
    else if (type === "TIMESTAMP") out[name] = ms(v);
    else if (type === "BOOLEAN") out[name] = v ? 1 : 0;
    else if (type === "INT64") out[name] = Number(v);
    else if (type === "JSON") out[name] = JSON.stringify(v);
    else out[name] = v;
  }
  out.rawLogRef = null;
  return out as unknown as LogRow;
}

/** The full rows of cold hits (the page's), reading each object's columns for their rows only. */
export async function completeRows(
  bucket: R2Bucket,
  hits: readonly ColdHit[],
  stats: ReadStats,
): Promise<Map<ColdHit, KeyedRow>> {
  const out = new Map<ColdHit, KeyedRow>();
  const byObject = new Map<string, ColdHit[]>();
  for (const h of hits) byObject.set(h.object.key, [...(byObject.get(h.object.key) ?? []), h]);
  for (const group of byObject.values()) {
    const o = (group[0] as ColdHit).object;
    const file = r2File(bucket, o.key, o.bytes, stats);
    const metadata = (group[0] as ColdHit).metadata;
    const rowStart = Math.min(...group.map((h) => h.index));
    const rowEnd = Math.max(...group.map((h) => h.index)) + 1;
    const rows = await parquetReadObjects({
      file,
      metadata,
      rowStart,
      rowEnd,
      rowFormat: "object",
    });
    for (const h of group) {
      const r = rows[h.index - rowStart];
      if (r) out.set(h, { ...storedRowOf(r), key: h.key.toString() });
    }
  }
  return out;
}
