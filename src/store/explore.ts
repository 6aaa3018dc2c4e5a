import { and, count, type SQL, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { registeredActorWhoSql } from "./derived";
import { FILTER_FIELDS, type FilterField, filterConditions, type LogFilter } from "./query";
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

/**
 * The time range of the rows a filter matches, when it gives none itself: the first and last
 * rows by key (keys are time-ordered), two index seeks rather than a min/max scan of the rows.
 */
async function extent(db: D1Database, f: LogFilter): Promise<{ from: number; to: number }> {
  const where = and(...filterConditions(f));
  const edge = (dir: "ASC" | "DESC") =>
    sql`(SELECT ${logs.eventTime} FROM ${logs} WHERE ${where ?? sql`1`} ORDER BY ${logs.rid} ${sql.raw(dir)} LIMIT 1)`;
  const [row] = await drizzle(db).all<{ lo: number | null; hi: number | null }>(
    sql`SELECT ${edge("ASC")} AS lo, ${edge("DESC")} AS hi`,
  );
  const now = Date.now();
  const from = f.from ?? row?.lo ?? now - SIZE.day;
  return { from, to: f.to ?? Math.max((row?.hi ?? now) + 1, from + 1) };
}

/** Whether a filter names nothing but a time range (and so every row of the range counts). */
const onlyTime = (f: LogFilter) =>
  !f.skipColdHours && !f.q && !f.actor && !f.exclude?.length && FILTER_FIELDS.every((k) => !f[k]);

/**
 * Counts per bucket; `by` "sourceID" also splits each bucket's count by source (`bySource`).
 * The bucket is read from the key (its event time is key >> 20, src/store/keys.ts), so a filter
 * on indexed columns only (a time range, a source, an event name) counts from an index alone,
 * never reading the rows: with a time range alone, each source's part of the index `logs_source`
 * (sourceID, key) is sought in turn (its sources found by skipping through it, a few seeks).
 */
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
  // integer literals: D1 binds numbers as REAL, which would make the division a float
  const bucket = sql<number>`((${logs.rid} >> 20) - ${sql.raw(String(first))}) / ${sql.raw(String(size))}`;
  const source = by ? sql<string>`${logs.sourceID}` : sql<string>`''`;
  const f = { ...filter, ...range };
  const where = and(...filterConditions(f));
  const rows = onlyTime(f)
    ? await drizzle(db).all<{ b: number; s: string; n: number }>(
        sql`WITH RECURSIVE src(id) AS (SELECT min(${logs.sourceID}) FROM ${logs}
            UNION ALL SELECT (SELECT min(${logs.sourceID}) FROM ${logs} WHERE ${logs.sourceID} > src.id)
            FROM src WHERE src.id IS NOT NULL)
          SELECT ${bucket} AS b, ${source} AS s, count(*) AS n
          FROM src JOIN ${logs} INDEXED BY logs_source ON ${logs.sourceID} = src.id
          WHERE ${where} GROUP BY b, s`,
      )
    : await drizzle(db)
        .select({ b: bucket, s: source, n: count() })
        .from(logs)
        .where(where)
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
const facetValue = (): Readonly<Record<FacetField, SQL>> => ({
  sourceType: sql`${logs.sourceType}`,
  eventName: sql`${logs.eventName}`,
  // a marker row's actor read from rawLog, not built (src/store/derived.ts)
  actor: sql.raw(registeredActorWhoSql()),
  srcIP: sql`${logs.srcIP}`,
  srcASOrganization: sql`${logs.srcASOrganization}`,
  srcASCountryCode: sql`${logs.srcASCountryCode}`,
});

export type Facets = Record<FacetField, Array<{ value: string; count: number }>>;

/**
 * The top `top` values of each facet field, with counts, in one statement and one pass over the
 * rows: the filter's rows are read once into a narrow temporary table (the six values), which
 * each field's count then groups, rather than one scan of the rows per field.
 */
export async function facets(db: D1Database, filter: LogFilter, top = 10): Promise<Facets> {
  const where = and(...filterConditions(filter));
  const limit = sql.raw(String(Math.trunc(top)));
  const value = facetValue();
  const picked = sql.join(
    FACET_FIELDS.map((f, i) => sql`${value[f]} AS ${sql.raw(`f${i}`)}`),
    sql`, `,
  );
  const part = (i: number) => {
    const col = sql.raw(`f${i}`);
    return sql`SELECT * FROM (SELECT ${sql.raw(String(i))} AS f, ${col} AS value, count(*) AS n
      FROM r WHERE ${col} IS NOT NULL AND ${col} <> '' GROUP BY ${col}
      ORDER BY n DESC, value LIMIT ${limit})`;
  };
  // D1 caps a compound SELECT below six terms: compounds of three, in a compound of their own
  const groups: SQL[] = [];
  for (let i = 0; i < FACET_FIELDS.length; i += 3) {
    const terms = FACET_FIELDS.slice(i, i + 3).map((_, j) => part(i + j));
    groups.push(sql`SELECT * FROM (${sql.join(terms, sql` UNION ALL `)})`);
  }
  const rows = await drizzle(db).all<{ f: number; value: string; n: number }>(
    sql`WITH r AS MATERIALIZED (SELECT ${picked} FROM ${logs} WHERE ${where ?? sql`1`})
      ${sql.join(groups, sql` UNION ALL `)}`,
  );
  const out = Object.fromEntries(FACET_FIELDS.map((f) => [f, []])) as unknown as Facets;
  for (const r of rows) {
    const field = FACET_FIELDS[r.f];
    if (field) out[field].push({ value: String(r.value), count: r.n });
  }
  // in SQLite's order (count, then value), which the query's result order does not promise
  for (const f of FACET_FIELDS)
    out[f].sort(
      (a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0),
    );
  return out;
}
