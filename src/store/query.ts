import { and, asc, desc, eq, getTableColumns, gt, gte, lt, or, type SQL, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import type { BaseSQLiteDatabase } from "drizzle-orm/sqlite-core";
import type { ViewDefinition } from "../model/view";
import { keyAtOrAfter, keyBefore } from "./keys";
import { UNSTORED_COLUMNS } from "./rows";
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
   * set when any hour of the scope is cold. "ifAny": SQLite decides, once per statement,
   * whether a cold hour exists (queryHotPage asks that in the same batch).
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
  const { rid: _rid, ...columns } = getTableColumns(logs);
  return db
    .select({ ...columns, key: sql<string>`CAST(${logs.rid} AS TEXT)`.as("key") })
    .from(logs)
    .where(and(...conds))
    .orderBy(...(byEvent ? [dir(logs.rid)] : [dir(time), dir(logs.rid)]))
    .limit(q.limit);
}

/** The row's received hour is cold and verified: the archive alone answers it. */
const notInColdHour = sql`NOT EXISTS (SELECT 1 FROM received_hours h WHERE h.sourceID = ${logs.sourceID}
  AND h.hour = ${logs.receivedAt} - ${logs.receivedAt} % 3600000 AND h.cooled = 1 AND h.verified = 1)`;

/** received_hours of these sources (undefined: all), as SQL. */
const inSources = (sourceIDs: readonly string[] | undefined) => {
  const ids = sourceIDs ? JSON.stringify(sourceIDs) : null;
  return sql`(${ids} IS NULL OR sourceID IN (SELECT value FROM json_each(${ids})))`;
};

/** Whether any hour (of these sources; undefined: all) is cold, as SQL. */
const anyColdHour = (sourceIDs: readonly string[] | undefined) =>
  sql`EXISTS (SELECT 1 FROM received_hours WHERE cooled = 1 AND ${inSources(sourceIDs)})`;

/**
 * A page of D1 rows (`limit` of them) and whether any hour of the sources is cold, in one
 * round trip (one D1 batch): the page leaves out the cold hours' rows exactly when one exists.
 */
export async function queryHotPage(
  db: D1Database,
  q: LogQuery,
  sourceIDs: readonly string[] | undefined,
): Promise<{ cold: boolean; rows: KeyedRow[] }> {
  const orm = drizzle(db);
  const [flag, rows] = await orm.batch([
    orm
      .select({ y: sql<number>`1` })
      .from(receivedHours)
      .where(sql`cooled = 1 AND ${inSources(sourceIDs)}`)
      .limit(1),
    logsQuery(orm, { ...q, skipColdHours: "ifAny" }),
  ]);
  return { cold: flag.length > 0, rows };
}

/** A vendor's view by its source type (src/catalog.ts hands the registry's in). */
export interface PresentView {
  type: string;
  view: ViewDefinition;
}

/**
 * A row of a page as SQLite renders it: its order (t, key) and the row as the API presents it
 * (src/store/present.ts presentRow), as JSON text: `j` every field but `sourceFields` (an
 * object, its closing brace last), `sf` the sourceFields object (SQLite's JSON text of it).
 */
export interface JsonPageRow {
  t: number;
  key: string;
  j: string;
  sf: string;
  /** The REAL_COLUMNS' values (null in `j`). */
  [real: string]: number | string | null;
}

/** The fields presentRow puts last, in its order (their values rendered by SQL below). */
const LAST = new Set([
  "receivedAt",
  "eventTime",
  "readOnly",
  "actor",
  "tags",
  "resources",
  "enrichments",
  "sourceFields",
]);
const ISO = (c: string) =>
  `strftime('%Y-%m-%dT%H:%M:%fZ', CAST(${c} AS INTEGER) / 1000.0, 'unixepoch')`;
/** parseJson(column, fallback) of present.ts, as JSON. */
const jsonOr = (c: string, fallback: string) =>
  `CASE WHEN json_valid(${c}) THEN json(${c}) ELSE json('${fallback}') END`;
const valid = (c: string) => `json_valid(ifnull(${c}, ''))`;

/**
 * The REAL columns (srcLatitude, srcLongitude): SQLite writes a float in JSON with 15 digits
 * (0.30000000000000004 as 0.3), JavaScript with as many as it takes. The page's JSON has them
 * null; JsonPageRow carries their values, which presentedJson (src/store/present.ts) writes.
 */
export const REAL_COLUMNS: readonly string[] = Object.entries(getTableColumns(logs))
  .filter(([, col]) => col.columnType === "SQLiteReal")
  .map(([name]) => name);

/**
 * presentRow's fields but sourceFields, in its order, as one json_object over the page. The
 * JSON columns (actor, tags, resources, enrichments) are stored as JSON.stringify wrote them
 * (src/store/rows.ts toRow), text json() keeps as it is: the text presentRow's parse and
 * JSON.stringify give back.
 */
const ROW_JSON = (() => {
  const stored = Object.keys(getTableColumns(logs)).filter((c) => c !== "rid" && !LAST.has(c));
  const pairs = [
    ...stored.map((c) => `'${c}', ${REAL_COLUMNS.includes(c) ? "NULL" : c}`),
    ...[...UNSTORED_COLUMNS].map((c) => `'${c}', NULL`),
    `'receivedAt', ${ISO("receivedAt")}`,
    `'eventTime', ${ISO("eventTime")}`,
    `'readOnly', CASE WHEN readOnly IS NULL THEN NULL WHEN readOnly = 1 THEN json('true') ELSE json('false') END`,
    `'actor', ${jsonOr("actor", "{}")}`,
    `'tags', ${jsonOr("tags", "{}")}`,
    `'resources', ${jsonOr("resources", "[]")}`,
    `'enrichments', ${jsonOr("enrichments", "[]")}`,
  ];
  return `json_object(${pairs.join(", ")})`;
})();

/**
 * fullSourceFields (src/store/source-fields.ts) of one view with rawPaths, as SQL: the stored
 * object when it holds every column or rawLog is no JSON, else the view's columns in its order,
 * each stored or read from rawLog at its path.
 */
function viewSourceFields(view: ViewDefinition, paths: Readonly<Record<string, string>>): string {
  const raw = (c: string) => (paths[c] === undefined ? "NULL" : `json(rawLog -> '$.${paths[c]}')`);
  const fromRaw = view.columns.map((c) => `'${c}', ${raw(c)}`);
  const has = (c: string) => `json_type(sourceFields, '$.${c}') IS NOT NULL`;
  const merged = view.columns.map(
    (c) =>
      `'${c}', ${
        paths[c] === undefined
          ? `json(sourceFields -> '$.${c}')`
          : `CASE WHEN ${has(c)} THEN json(sourceFields -> '$.${c}') ELSE ${raw(c)} END`
      }`,
  );
  return `CASE WHEN NOT ${valid("sourceFields")} THEN CASE WHEN ${valid("rawLog")} THEN json_object(${fromRaw.join(", ")}) ELSE '{}' END
    WHEN ${view.columns.map(has).join(" AND ") || "1"} THEN sourceFields
    WHEN NOT ${valid("rawLog")} THEN sourceFields
    ELSE json_object(${merged.join(", ")}) END`;
}

const SOURCE_FIELDS_SQL = new WeakMap<readonly PresentView[], string>();

/** `sf` of JsonPageRow: the row's sourceFields as fullSourceFields gives them, by its view. */
function sourceFieldsJson(views: readonly PresentView[]): string {
  let text = SOURCE_FIELDS_SQL.get(views);
  if (text === undefined) {
    const cases = views.flatMap(({ type, view }) =>
      view.rawPaths ? [`WHEN '${type}' THEN ${viewSourceFields(view, view.rawPaths)}`] : [],
    );
    const stored = `CASE WHEN ${valid("sourceFields")} THEN sourceFields ELSE '{}' END`;
    text = cases.length > 0 ? `CASE sourceType ${cases.join(" ")} ELSE ${stored} END` : stored;
    SOURCE_FIELDS_SQL.set(views, text);
  }
  return text;
}

/**
 * The page query of logsQuery with each row rendered by SQLite as the API presents it
 * (JsonPageRow): GET /v1/logs splices the text into its response, no row object on either side
 * of D1. The page is a subquery, so only its rows are rendered. Also what
 * scripts/bench-query.mjs runs on better-sqlite3 (`query_p50_ratio`: the same SQL on both sides).
 */
export function logsJsonQuery(
  // biome-ignore lint/suspicious/noExplicitAny: any drizzle SQLite driver (D1, better-sqlite3).
  db: BaseSQLiteDatabase<"sync" | "async", any>,
  q: LogQuery,
  views: readonly PresentView[],
): { sql: string; params: unknown[] } {
  const inner = logsQuery(db, q).toSQL();
  const order = q.order === "desc" ? "DESC" : "ASC";
  const sort =
    q.timeField === "eventTime"
      ? `CAST(key AS INTEGER) ${order}`
      : `receivedAt ${order}, CAST(key AS INTEGER) ${order}`;
  return {
    sql: `SELECT ${q.timeField} AS t, key, ${ROW_JSON} AS j, ${sourceFieldsJson(views)} AS sf, ${REAL_COLUMNS.join(", ")} FROM (${inner.sql}) ORDER BY ${sort}`,
    params: inner.params,
  };
}

/**
 * queryHotPage's page rendered by SQLite (logsJsonQuery), in one D1 batch with the cold-hour
 * check (none when `sourceIDs` is empty: no source matches, no hour can be cold).
 */
export async function queryHotJsonPage(
  db: D1Database,
  q: LogQuery,
  sourceIDs: readonly string[] | undefined,
  views: readonly PresentView[],
): Promise<{ cold: boolean; rows: JsonPageRow[] }> {
  const orm = drizzle(db);
  const check = sourceIDs?.length !== 0;
  const page = logsJsonQuery(orm, check ? { ...q, skipColdHours: "ifAny" } : q, views);
  const pageStmt = db.prepare(page.sql).bind(...page.params);
  if (!check) return { cold: false, rows: (await pageStmt.all<JsonPageRow>()).results };
  const flag = orm
    .select({ y: sql<number>`1` })
    .from(receivedHours)
    .where(sql`cooled = 1 AND ${inSources(sourceIDs)}`)
    .limit(1)
    .toSQL();
  const [cold, rows] = await db.batch([db.prepare(flag.sql).bind(...flag.params), pageStmt]);
  return { cold: (cold?.results.length ?? 0) > 0, rows: (rows?.results ?? []) as JsonPageRow[] };
}

const COLUMN = {
  sourceType: logs.sourceType,
  sourceID: logs.sourceID,
  eventName: logs.eventName,
  srcIP: logs.srcIP,
  srcASOrganization: logs.srcASOrganization,
  srcASCountryCode: logs.srcASCountryCode,
} as const;

const actorHas = (value: string) =>
  sql`EXISTS (SELECT 1 FROM json_each(${logs.actor}) WHERE json_each.value = ${value})`;

/** The columns free text (`q`) searches. */
const FREE_TEXT = [logs.eventName, logs.actor, logs.srcIP, logs.resources, logs.rawLog];

/** `%text%` for LIKE, with LIKE's own characters escaped (ESCAPE '\'). */
const likeAny = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

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
  const like = q.q ? likeAny(q.q) : undefined;
  return [
    ...Object.entries(COLUMN).map(([f, col]) => {
      const v = q[f as keyof typeof COLUMN];
      return v ? eq(col, v) : undefined;
    }),
    q.actor ? actorHas(q.actor) : undefined,
    like
      ? sql`(${sql.join(
          FREE_TEXT.map((c) => sql`${c} LIKE ${like} ESCAPE '\\'`),
          sql` OR `,
        )})`
      : undefined,
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
        ? notInColdHour
        : undefined,
  ];
}

export async function getLog(db: D1Database, id: string): Promise<LogRow | undefined> {
  const rows = await drizzle(db).select().from(logs).where(eq(logs.id, id)).limit(1);
  return rows[0];
}
