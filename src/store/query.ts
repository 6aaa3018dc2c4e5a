import { and, asc, desc, eq, getTableColumns, gt, gte, lt, or, type SQL, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { type BaseSQLiteDatabase, QueryBuilder } from "drizzle-orm/sqlite-core";
import { utf8Length } from "../lib/utf8";
import { foldAscii, registeredActorHasSql, registeredMapsLikeSql } from "./derived";
import { keyAtOrAfter, keyBefore } from "./keys";
import { type LogRow, logs } from "./schema";
import { receivedHours } from "./schema-archive";

/** The fields a filter can name (equal to a value, or excluded). */
export const FILTER_FIELDS = [
  "sourceType",
  "sourceID",
  "eventName",
  "actor",
  "srcIP",
  "srcASOrganization",
  "srcASCountryCode",
] as const;
export type FilterField = (typeof FILTER_FIELDS)[number];

export interface LogFilter {
  sourceType?: string;
  sourceID?: string;
  eventName?: string;
  /** Any value of the actor map (id, email, name …). */
  actor?: string;
  srcIP?: string;
  srcASOrganization?: string;
  srcASCountryCode?: string;
  /** Free text: a substring (case-insensitive for ASCII) of eventName, actor, srcIP, resources or rawLog. */
  q?: string;
  /** Rows whose field has this value are left out. */
  exclude?: ReadonlyArray<{ field: FilterField; value: string }>;
  from?: number;
  to?: number;
  /**
   * Leave out the rows of cold hours, which the archive answers (src/store/archive-tiers.ts):
   * set when any hour of the scope is cold; `true` (counts) also the rows an unverified cold
   * hour's archive holds. "ifAny" (pages): SQLite decides, once per statement, whether a cold
   * hour exists (queryHotPage asks that in the same batch).
   */
  skipColdHours?: boolean | "ifAny";
}

export interface LogQuery extends LogFilter {
  to?: number;
  timeField: "eventTime" | "receivedAt";
  order: "asc" | "desc";
  limit: number;
  /** Keyset: the last row's time and key (`key` of a returned row). */
  after?: { t: number; key: string };
}

/** A row as queries return it: with its key as text (64 bits do not fit a JS number). */
export type KeyedRow = LogRow & { key: string };

const key = (k: string) => sql`CAST(${k} AS INTEGER)`;

/**
 * One page of rows by keyset, stable under concurrent inserts, no OFFSET scans. By event time the
 * order is the time-ordered key itself (src/store/keys.ts), and a time range is also a key range,
 * so every index (each ends with the key) serves filter, range and order at once.
 */
export async function queryLogs(db: D1Database, q: LogQuery): Promise<KeyedRow[]> {
  return logsQuery(drizzle(db), q);
}

/**
 * The query of one page, on any drizzle SQLite database: D1 here, better-sqlite3 in the
 * benchmark that compares them (scripts/bench-query.mjs), so both run the very same SQL.
 */
export function logsQuery(
  // biome-ignore lint/suspicious/noExplicitAny: any drizzle SQLite driver (D1, better-sqlite3).
  db: BaseSQLiteDatabase<"sync" | "async", any>,
  q: LogQuery,
) {
  const { where, orderBy } = pageTerms(q);
  return db
    .select(pageFields())
    .from(logs)
    .where(where)
    .orderBy(...orderBy)
    .limit(q.limit);
}

/** The fields of logsQuery's page: the table's columns but its key, then `key`. */
function pageFields() {
  const { rid: _rid, ...columns } = getTableColumns(logs);
  return { ...columns, key: sql<string>`CAST(${logs.rid} AS TEXT)`.as("key") };
}

/**
 * The text drizzle writes for pageFields (between `select` and `from`), written once: the
 * statement of queryHotPage selects it as one piece rather than having drizzle write thirty
 * columns a page (two thirds of its time building the statement). test/store/query-sql.test.ts
 * checks the statement is the very text of the one built field by field.
 */
const BUILDER = new QueryBuilder();
const PAGE_LIST = (() => {
  const text = BUILDER.select(pageFields()).from(logs).toSQL().sql;
  const from = text.indexOf(' from "events"');
  if (!text.startsWith("select ") || from < 0) throw new Error(`unexpected page SQL: ${text}`);
  return sql.raw(text.slice("select ".length, from));
})();

/** The WHERE and ORDER BY of logsQuery's statement. */
function pageTerms(q: LogQuery) {
  const byEvent = q.timeField === "eventTime";
  const time = byEvent ? logs.eventTime : logs.receivedAt;
  const conds = filterConditions(q, byEvent);
  if (q.after) {
    const { t, key: k } = q.after;
    const next = q.order === "desc" ? lt : gt;
    conds.push(
      byEvent
        ? next(logs.rid, key(k))
        : or(next(time, t), and(eq(time, t), next(logs.rid, key(k)))),
    );
  }
  const dir = q.order === "desc" ? desc : asc;
  return {
    where: and(...conds),
    orderBy: byEvent ? [dir(logs.rid)] : [dir(time), dir(logs.rid)],
  };
}

/**
 * logsQuery's statement with `extra` fields selected after the row's, its columns written as
 * PAGE_LIST (the same text) unless `listed` is false, for a caller that reads rows as arrays.
 */
function listedPageQuery(q: LogQuery, extra: Record<string, SQL.Aliased>, listed: boolean) {
  const { where, orderBy } = pageTerms(q);
  return BUILDER.select(listed ? { row: PAGE_LIST, ...extra } : { ...pageFields(), ...extra })
    .from(logs)
    .where(where)
    .orderBy(...orderBy)
    .limit(q.limit);
}

/** The row's received hour is cooled and `archived` (SQL over its received_hours row `h`) holds. */
const notInColdHourWhere = (archived: SQL) => sql`NOT EXISTS (SELECT 1 FROM received_hours h
  WHERE h.sourceID = ${logs.sourceID} AND h.hour = ${logs.receivedAt} - ${logs.receivedAt} % 3600000
    AND h.cooled = 1 AND ${archived})`;

/** The row's received hour is cold and verified: the archive alone answers it. */
const notInColdHour = notInColdHourWhere(sql`h.verified = 1`);

/**
 * The row is the archive's to count: its received hour is cold, and verified or the row is at or
 * before the hour's archive watermark (a cooled hour unverified by a rebuild: the manifest and
 * the watermark move in one batch, so the objects hold exactly the rows up to it, and D1 the
 * rest). Counts (histogram, facets) add both tiers, so each row must be one tier's; a page
 * reads both tiers of such an hour and keeps one of each id (src/archive/tiers.ts).
 */
const notArchivedColdRow =
  notInColdHourWhere(sql`(h.verified = 1 OR ${logs.receivedAt} < h.doneReceivedAt
    OR (${logs.receivedAt} = h.doneReceivedAt AND ${logs.rid} <= CAST(h.doneKey AS INTEGER)))`);

/** received_hours of these sources (undefined: all), as SQL. */
const inSources = (sourceIDs: readonly string[] | undefined) => {
  const ids = sourceIDs ? JSON.stringify(sourceIDs) : null;
  return sql`(${ids} IS NULL OR sourceID IN (SELECT value FROM json_each(${ids})))`;
};

/** Whether any hour (of these sources; undefined: all) is cold, as SQL. */
const anyColdHour = (sourceIDs: readonly string[] | undefined) =>
  sql`EXISTS (SELECT 1 FROM received_hours WHERE cooled = 1 AND ${inSources(sourceIDs)})`;

/** The page's columns as logsQuery selects them: the table's but its key, then `key`. */
const PAGE_COLUMNS = [...Object.keys(getTableColumns(logs)).filter((c) => c !== "rid"), "key"];

/**
 * A row of the page from its array, as one object literal: every row of a page gets one shape
 * at once, where a store of each column by name (thirty keyed stores a row) cost more. Its keys
 * are PAGE_COLUMNS in their order, which the check below holds it to.
 */
const rowOf = (a: readonly unknown[]): KeyedRow =>
  ({
    id: a[0],
    workspaceID: a[1],
    sourceType: a[2],
    sourceID: a[3],
    sourceTTL: a[4],
    receivedAt: a[5],
    eventTime: a[6],
    eventName: a[7],
    eventID: a[8],
    readOnly: a[9],
    srcIP: a[10],
    srcASOrganization: a[11],
    srcASNumber: a[12],
    srcASCountryCode: a[13],
    srcCity: a[14],
    srcConnectionType: a[15],
    srcISP: a[16],
    srcLatitude: a[17],
    srcLongitude: a[18],
    srcUserType: a[19],
    actor: a[20],
    tags: a[21],
    resources: a[22],
    serviceName: a[23],
    enrichments: a[24],
    rawLog: a[25],
    rawLogRef: a[26],
    sourceFields: a[27],
    key: a[28],
  }) as unknown as KeyedRow;
{
  const probe = rowOf(PAGE_COLUMNS.map((c) => c));
  const entries = Object.entries(probe);
  if (
    entries.length !== PAGE_COLUMNS.length ||
    entries.some(([k, v], i) => k !== v || PAGE_COLUMNS[i] !== k)
  )
    throw new Error("rowOf does not write the page's columns in their order");
}

/**
 * queryHotPage's statement: logsQuery's, leaving out cold hours' rows when one exists, with the
 * `cold` answer after the row's columns. `listed` false: the columns written by drizzle one by
 * one (the same text, test/store/query-sql.test.ts).
 */
export function hotPageStatement(
  q: LogQuery,
  sourceIDs: readonly string[] | undefined,
  listed = true,
): { sql: string; params: unknown[] } {
  const cold = anyColdHour(sourceIDs).as("cold");
  return listedPageQuery({ ...q, skipColdHours: "ifAny" }, { cold }, listed).toSQL();
}

/**
 * A page of D1 rows (`limit` of them) and whether any hour of the sources is cold, in one
 * statement: the page leaves out the cold hours' rows exactly when one exists, and each row
 * carries that answer (an uncorrelated subquery, evaluated once). Read as arrays (D1's `raw`)
 * and made row objects here. A page with no row carries no answer: a second statement asks.
 */
export async function queryHotPage(
  db: D1Database,
  q: LogQuery,
  sourceIDs: readonly string[] | undefined,
): Promise<{ cold: boolean; rows: KeyedRow[] }> {
  const page = hotPageStatement(q, sourceIDs);
  const arrays = await db
    .prepare(page.sql)
    .bind(...page.params)
    .raw();
  if (arrays.length === 0) {
    const cold = anyColdHour(sourceIDs).as("cold");
    const flag = BUILDER.select({ cold }).from(receivedHours).limit(1).toSQL();
    const [answer] = await db
      .prepare(flag.sql)
      .bind(...flag.params)
      .raw();
    return { cold: answer?.[0] === 1, rows: [] };
  }
  const rows: KeyedRow[] = new Array(arrays.length);
  for (let i = 0; i < arrays.length; i++) rows[i] = rowOf(arrays[i] as unknown[]);
  return { cold: (arrays[0] as unknown[])[PAGE_COLUMNS.length] === 1, rows };
}

const COLUMN = {
  sourceType: logs.sourceType,
  sourceID: logs.sourceID,
  eventName: logs.eventName,
  srcIP: logs.srcIP,
  srcASOrganization: logs.srcASOrganization,
  srcASCountryCode: logs.srcASCountryCode,
} as const;

/** A mark of where a parameter goes in SQL built as text (no SQL holds it). */
const PARAM = "\u0001";

/** SQL built as text with PARAM marks, each bound to `value`. */
const withParam = (text: string, value: string) =>
  sql`(${sql.join(
    text.split(PARAM).map((part) => sql.raw(part)),
    sql`${value}`,
  )})`;

/**
 * Whether the row's actor map has `value`: a marker row compares the raw strings its map is built
 * of (src/store/derived.ts), the others the stored map's values.
 */
const actorHas = (value: string) =>
  withParam(
    registeredActorHasSql(() => PARAM),
    value,
  );

/** SQLite's longest LIKE pattern in bytes (SQLITE_MAX_LIKE_PATTERN_LENGTH, 50 in D1). */
const LIKE_PATTERN_BYTES = 50;

/**
 * Free text's test of one text (SQL with a PARAM mark, and the value bound there): a LIKE of
 * `%needle%` with LIKE's own characters escaped; for a pattern longer than SQLite takes, the same
 * test as an instr of the text with ASCII letters lowercased (LIKE folds ASCII letters only, and so
 * does lower() without the ICU extension, which D1 does not load).
 */
function textTest(needle: string): { matched: (text: string) => string; value: string } {
  const like = `%${needle.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  if (utf8Length(like) <= LIKE_PATTERN_BYTES)
    return { matched: (text) => `(${text}) LIKE ${PARAM} ESCAPE '\\'`, value: like };
  return { matched: (text) => `instr(lower(${text}), ${PARAM}) > 0`, value: foldAscii(needle) };
}

/**
 * Free text (`q`): a LIKE of the columns it searches, in an OR. The maps a row may rebuild from
 * rawLog come last, so a row whose rawLog matches never builds them, and a needle that can match
 * a marker row's map only where it matches rawLog builds none (derived.ts `textInRawOnly`): the
 * same answer as a LIKE of every column.
 */
function freeText(needle: string): SQL {
  const { matched, value } = textTest(needle);
  const columns = ["eventName", "srcIP", "rawLog"].map(matched);
  return withParam([...columns, registeredMapsLikeSql(needle, matched)].join(" OR "), value);
}

/**
 * Whether the key bound of time t selects exactly the rows of eventTime >= t (keys are
 * clamp(eventTime) × 2^20 + 20 bits, src/store/keys.ts): when t is an integer inside the clamp.
 */
const exactKey = (t: number) => Number.isInteger(t) && Math.abs(t) < 2 ** 43 - 1;

/**
 * The WHERE terms of a filter. A time range by event time is also a key range (the rows' keys
 * are time-ordered), which is what lets SQLite seek instead of scan. The free text is a LIKE
 * over five columns: a scan of the rows the other terms leave (docs/explorer.md has the cost).
 */
export function filterConditions(q: LogFilter, byEvent = true): Array<SQL | undefined> {
  const time = byEvent ? logs.eventTime : logs.receivedAt;
  const before = q.to !== undefined && byEvent ? keyBefore(q.to) : undefined;
  return [
    ...Object.entries(COLUMN).map(([f, col]) => {
      const v = q[f as keyof typeof COLUMN];
      return v ? eq(col, v) : undefined;
    }),
    q.actor ? actorHas(q.actor) : undefined,
    q.q ? freeText(q.q) : undefined,
    ...(q.exclude ?? []).map(({ field, value }) =>
      field === "actor"
        ? sql`NOT ${actorHas(value)}`
        : sql`(${COLUMN[field]} IS NULL OR ${COLUMN[field]} <> ${value})`,
    ),
    // by event time, a bound the key range states exactly needs no term of its own: leaving it
    // out lets a count over indexed columns be read from the index alone (src/store/explore.ts)
    q.from !== undefined && !(byEvent && exactKey(q.from)) ? gte(time, q.from) : undefined,
    q.to !== undefined && !(byEvent && exactKey(q.to)) ? lt(time, q.to) : undefined,
    q.from !== undefined && byEvent ? gte(logs.rid, key(keyAtOrAfter(q.from))) : undefined,
    before !== undefined ? lt(logs.rid, key(before)) : undefined,
    q.skipColdHours === "ifAny"
      ? sql`(NOT ${anyColdHour(undefined)} OR ${notInColdHour})`
      : q.skipColdHours
        ? notArchivedColdRow
        : undefined,
  ];
}

export async function getLog(db: D1Database, id: string): Promise<LogRow | undefined> {
  const rows = await drizzle(db).select().from(logs).where(eq(logs.id, id)).limit(1);
  return rows[0];
}
