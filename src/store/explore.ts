import { and, count, desc, type SQL, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { type FilterField, filterConditions, type LogFilter } from "./query";
import { logs } from "./schema";

/**
 * What the explorer draws besides the rows: a time histogram and the top values of six fields,
 * both under the same filter as GET /v1/logs (src/store/query.ts). Each is one scan of the rows
 * the filter leaves (by key range when the filter has a time range), counted in D1.
 */

export type Interval = "minute" | "hour" | "day";
const SIZE: Readonly<Record<Interval, number>> = {
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
};

/** Buckets sized to the range: at most 360 minutes, 336 hours (14 days), then days. */
export function intervalFor(from: number, to: number): Interval {
  const span = to - from;
  if (span <= 360 * SIZE.minute) return "minute";
  if (span <= 336 * SIZE.hour) return "hour";
  return "day";
}

const MAX_BUCKETS = 2000;

export interface Histogram {
  interval: Interval;
  from: number;
  to: number;
  buckets: Array<{ start: number; count: number; bySource?: Record<string, number> }>;
  total: number;
}

/** The time range of the rows a filter matches, when it gives none itself. */
async function extent(db: D1Database, f: LogFilter): Promise<{ from: number; to: number }> {
  const [row] = await drizzle(db)
    .select({ lo: sql<number>`min(${logs.eventTime})`, hi: sql<number>`max(${logs.eventTime})` })
    .from(logs)
    .where(and(...filterConditions(f)));
  const now = Date.now();
  const from = f.from ?? row?.lo ?? now - SIZE.day;
  return { from, to: f.to ?? Math.max((row?.hi ?? now) + 1, from + 1) };
}

/** Counts per bucket; `by` "sourceID" also splits each bucket's count by source (`bySource`). */
export async function histogram(
  db: D1Database,
  filter: LogFilter,
  by?: "sourceID",
): Promise<Histogram> {
  const range =
    filter.from !== undefined && filter.to !== undefined
      ? { from: filter.from, to: filter.to }
      : await extent(db, filter);
  const interval = intervalFor(range.from, range.to);
  const size = SIZE[interval];
  const first = Math.floor(range.from / size) * size;
  const n = Math.min(MAX_BUCKETS, Math.ceil((range.to - first) / size));
  // D1 binds numbers as REAL: the division is a float, truncated to the bucket index
  const bucket = sql<number>`CAST((${logs.eventTime} - ${first}) / ${size} AS INTEGER)`;
  const source = by ? sql<string>`${logs.sourceID}` : sql<string>`''`;
  const rows = await drizzle(db)
    .select({ b: bucket, s: source, n: count() })
    .from(logs)
    .where(and(...filterConditions({ ...filter, ...range })))
    .groupBy(bucket, source);
  const counts = new Map<number, number>();
  const split = new Map<number, Record<string, number>>();
  for (const r of rows) {
    counts.set(r.b, (counts.get(r.b) ?? 0) + r.n);
    if (by) split.set(r.b, { ...split.get(r.b), [r.s]: r.n });
  }
  const buckets = Array.from({ length: n }, (_, i) => ({
    start: first + i * size,
    count: counts.get(i) ?? 0,
    ...(by ? { bySource: split.get(i) ?? {} } : {}),
  }));
  const total = rows.reduce((s, r) => s + r.n, 0);
  return { interval, ...range, buckets, total };
}

export const FACET_FIELDS = [
  "sourceType",
  "eventName",
  "actor",
  "srcIP",
  "srcASOrganization",
  "srcASCountryCode",
] as const satisfies readonly FilterField[];
export type FacetField = (typeof FACET_FIELDS)[number];

/** The value a facet counts: the actor's email, else its name, else its id. */
const FACET_VALUE: Readonly<Record<FacetField, SQL>> = {
  sourceType: sql`${logs.sourceType}`,
  eventName: sql`${logs.eventName}`,
  actor: sql`coalesce(${logs.actor} ->> '$.email', ${logs.actor} ->> '$.name', ${logs.actor} ->> '$.id')`,
  srcIP: sql`${logs.srcIP}`,
  srcASOrganization: sql`${logs.srcASOrganization}`,
  srcASCountryCode: sql`${logs.srcASCountryCode}`,
};

export type Facets = Record<FacetField, Array<{ value: string; count: number }>>;

/** The top `top` values of each facet field, with counts, in one D1 batch. */
export async function facets(db: D1Database, filter: LogFilter, top = 10): Promise<Facets> {
  const orm = drizzle(db);
  const where = and(...filterConditions(filter));
  const queries = FACET_FIELDS.map((f) => {
    const value = FACET_VALUE[f];
    return orm
      .select({ value: sql<string>`${value}`, count: count() })
      .from(logs)
      .where(and(where, sql`${value} IS NOT NULL AND ${value} <> ''`))
      .groupBy(value)
      .orderBy(desc(count()), value)
      .limit(top);
  });
  const [head, ...rest] = queries;
  if (!head) throw new Error("no facet fields");
  const results = await orm.batch([head, ...rest]);
  return Object.fromEntries(FACET_FIELDS.map((f, i) => [f, results[i] ?? []])) as Facets;
}
