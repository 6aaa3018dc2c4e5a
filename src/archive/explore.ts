import { parquetReadObjects } from "hyparquet";
import { oldestArchivedEvent } from "../store/archive-manifest";
import { anyColdHour, type ColdObject, coldHourCounts, coldObjects } from "../store/archive-tiers";
import { FACET_FIELDS } from "../store/explore";
import type { LogFilter } from "../store/query";
import {
  DEFAULT_BUDGET,
  filterColumns,
  footer,
  matches,
  type ReadStats,
  r2File,
  scanObject,
} from "./read";

/**
 * The histogram's archive part (issue 28; docs/archive.md "Histogram and facets"). Cold hours
 * only (the hot part counts D1 without them, `skipColdHours`). When the filter names no more
 * than sources and the buckets are hours or days, the counts come from the manifest's per-part
 * event-hour counts, written when an hour is archived: a year's histogram reads no Parquet. The
 * hours at a range's unaligned edges, minute buckets, other filters and parts archived before
 * those counts read the Parquet objects' filter columns, bounded like a page of GET /v1/logs;
 * `cut` says when a bound left objects uncounted.
 */

const HOUR = 3_600_000;
const LISTED = 2000;

export interface ColdCounts {
  /** Count per bucket index (bucket i starts at first + i * size). */
  counts: Map<number, number>;
  stats: ReadStats & { manifestHours: number };
}

const onlySources = (f: LogFilter) =>
  !f.eventName &&
  !f.actor &&
  !f.srcIP &&
  !f.srcASOrganization &&
  !f.srcASCountryCode &&
  !f.q &&
  (f.exclude ?? []).length === 0;

export async function coldHistogram(
  env: { DB: D1Database; ARCHIVE: R2Bucket },
  filter: LogFilter,
  sourceIDs: readonly string[] | undefined,
  range: { from: number; to: number },
  first: number,
  size: number,
): Promise<ColdCounts> {
  const stats = { objects: 0, bytes: 0, rowsScanned: 0, manifestHours: 0 } as ColdCounts["stats"];
  const counts = new Map<number, number>();
  const add = (t: number, n: number) => {
    const b = Math.floor((t - first) / size);
    counts.set(b, (counts.get(b) ?? 0) + n);
  };
  // the hours the manifest answers: whole hours inside the range, hour or day buckets
  let inner = { from: range.from, to: range.from };
  if (onlySources(filter) && size >= HOUR) {
    inner = { from: Math.ceil(range.from / HOUR) * HOUR, to: Math.floor(range.to / HOUR) * HOUR };
    if (inner.to > inner.from) {
      for (const { hour, n } of await coldHourCounts(env.DB, sourceIDs, inner.from, inner.to)) {
        add(hour, n);
        stats.manifestHours += 1;
      }
    } else inner = { from: range.from, to: range.from };
  }
  // the rest from Parquet: objects with rows outside the manifest's hours, or no counts
  const objects = await coldObjects(env.DB, {
    sourceIDs,
    timeField: "eventTime",
    order: "asc",
    from: range.from,
    to: range.to,
    limit: LISTED,
  });
  const needsRead = (o: ColdObject) =>
    o.eventHours === null || o.minEventTime < inner.from || o.maxEventTime >= inner.to;
  const deadline = Date.now() + DEFAULT_BUDGET.ms;
  for (const o of objects.filter(needsRead)) {
    if (stats.objects >= DEFAULT_BUDGET.maxObjects) stats.cut = "objects";
    else if (stats.bytes >= DEFAULT_BUDGET.maxBytes) stats.cut = "bytes";
    else if (Date.now() >= deadline) stats.cut = "time";
    if (stats.cut) break;
    const q = { ...filter, ...range, timeField: "eventTime" as const, order: "asc" as const };
    for (const hit of await scanObject(env.ARCHIVE, q, o, stats)) {
      // rows of the manifest's hours were counted from it
      if (o.eventHours !== null && hit.t >= inner.from && hit.t < inner.to) continue;
      add(hit.t, 1);
    }
  }
  if (objects.length === LISTED && !stats.cut) stats.cut = "objects";
  return { counts, stats };
}

/** What the histogram route needs first: whether cold hours exist, and the oldest cold time. */
export async function coldScope(db: D1Database, sourceIDs: readonly string[] | undefined) {
  if (sourceIDs?.length === 0 || !(await anyColdHour(db, sourceIDs))) return undefined;
  const oldest = await oldestArchivedEvent(db, sourceIDs?.length === 1 ? sourceIDs[0] : undefined);
  return { oldest: oldest ?? undefined };
}

/** The facet fields (src/store/explore.ts), each counted as D1 counts it (FACET_VALUE there). */
const FACETS = FACET_FIELDS;

function facetValue(field: (typeof FACETS)[number], r: Record<string, unknown>): string | null {
  const v = r[field];
  if (field === "actor") {
    const a = (v ?? {}) as Record<string, unknown>;
    const pick = a.email ?? a.name ?? a.id;
    return pick === undefined || pick === null ? null : String(pick);
  }
  return v === null || v === undefined || v === "" ? null : String(v);
}

/**
 * The facets' archive part: value counts of the cold objects in the range, newest first, within
 * the page budget (objects, bytes, time). Facets are a guide for the next filter, so a range
 * with more cold objects than the budget is counted over the newest ones, and `cut` says so.
 */
export async function coldFacets(
  env: { DB: D1Database; ARCHIVE: R2Bucket },
  filter: LogFilter,
  sourceIDs: readonly string[] | undefined,
): Promise<{ counts: Map<string, Map<string, number>>; stats: ReadStats }> {
  const stats: ReadStats = { objects: 0, bytes: 0, rowsScanned: 0 };
  const counts = new Map<string, Map<string, number>>(FACETS.map((f) => [f, new Map()]));
  const objects = await coldObjects(env.DB, {
    sourceIDs,
    timeField: "eventTime",
    order: "desc",
    from: filter.from,
    to: filter.to,
    limit: DEFAULT_BUDGET.maxObjects + 1,
  });
  const deadline = Date.now() + DEFAULT_BUDGET.ms;
  const columns = [...new Set([...filterColumns(filter), ...FACETS])];
  for (const o of objects) {
    if (stats.objects >= DEFAULT_BUDGET.maxObjects) stats.cut = "objects";
    else if (stats.bytes >= DEFAULT_BUDGET.maxBytes) stats.cut = "bytes";
    else if (Date.now() >= deadline) stats.cut = "time";
    if (stats.cut) break;
    const file = r2File(env.ARCHIVE, o.key, o.bytes, stats);
    const metadata = await footer(file, o, stats);
    const rows = await parquetReadObjects({ file, metadata, columns, rowFormat: "object" });
    stats.rowsScanned += rows.length;
    for (const r of rows) {
      const t = r.eventTime instanceof Date ? r.eventTime.getTime() : Number(r.eventTime);
      if (filter.from !== undefined && t < filter.from) continue;
      if (filter.to !== undefined && t >= filter.to) continue;
      if (!matches(filter, r)) continue;
      for (const f of FACETS) {
        const v = facetValue(f, r);
        if (v === null) continue;
        const m = counts.get(f) as Map<string, number>;
        m.set(v, (m.get(v) ?? 0) + 1);
      }
    }
  }
  return { counts, stats };
}
