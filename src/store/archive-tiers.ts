import { HOUR, type ManifestEntry } from "./archive";

/**
 * Which tier answers which hour (issue 28; docs/archive.md "Reading across tiers"). An hour (by
 * receivedAt, per source) is cold once retention marked it `cooled` (before deleting any of its
 * rows from D1): every query then reads it from the archive's objects, and D1's remaining rows of
 * it are left out (`coldHourExcluded`). Every other hour is read from D1, which holds all its rows.
 * A cooled hour that is no longer verified (a commit landed in it after the archive passed it) is
 * read from both tiers and its rows deduplicated by id: no row is lost, none counted twice.
 */

/** One archive object of a cold hour, as the cold reader needs it. */
export interface ColdObject extends Omit<ManifestEntry, "createdAt" | "eventHours" | "ridSum"> {
  /** Rows per event-time hour, JSON (null: written before issue 28). */
  eventHours: string | null;
  /** 0: the hour is also read from D1 (see above). */
  verified: number;
}

export interface ColdScope {
  /** Only these sources (undefined: all). */
  sourceIDs?: readonly string[];
  timeField: "eventTime" | "receivedAt";
  order: "asc" | "desc";
  /** The range [from, to) of the time field, narrowed by the cursor. */
  from?: number;
  to?: number;
  limit: number;
}

/**
 * The objects of cold hours whose rows may fall in the scope's range, in the order a reader must
 * visit them: by the upper bound of their time (newest first) for `desc`, the lower bound for
 * `asc`. One indexed read of the manifest; `limit` bounds it.
 */
export async function coldObjects(db: D1Database, s: ColdScope): Promise<ColdObject[]> {
  const byEvent = s.timeField === "eventTime";
  const lo = byEvent ? "m.minEventTime" : "m.hour";
  const hi = byEvent ? "m.maxEventTime" : `(m.hour + ${HOUR} - 1)`;
  const order = s.order === "desc" ? `${hi} DESC` : `${lo} ASC`;
  const { results } = await db
    .prepare(
      `SELECT m.sourceID, m.hour, m.part, m.key, m.rows, m.bytes, m.minEventTime, m.maxEventTime,
              m.sha256, m.eventHours, h.verified
       FROM archive_manifest m JOIN received_hours h ON h.sourceID = m.sourceID AND h.hour = m.hour
       WHERE h.cooled = 1
         AND (?1 IS NULL OR m.sourceID IN (SELECT value FROM json_each(?1)))
         AND (?2 IS NULL OR ${hi} >= ?2) AND (?3 IS NULL OR ${lo} < ?3)
       ORDER BY ${order}, m.sourceID, m.part LIMIT ?4`,
    )
    .bind(s.sourceIDs ? JSON.stringify(s.sourceIDs) : null, s.from ?? null, s.to ?? null, s.limit)
    .all<ColdObject>();
  return results;
}

/**
 * Whether any cold hour exists at all (of these sources): when none does, a query reads D1 alone
 * without the exclusion term.
 */
export async function anyColdHour(db: D1Database, sourceIDs?: readonly string[]) {
  const row = await db
    .prepare(
      `SELECT 1 AS y FROM received_hours WHERE cooled = 1
         AND (?1 IS NULL OR sourceID IN (SELECT value FROM json_each(?1))) LIMIT 1`,
    )
    .bind(sourceIDs ? JSON.stringify(sourceIDs) : null)
    .first<{ y: number }>();
  return row !== null;
}

/** The cold objects that may hold an event of this time (an id lookup, GET /v1/logs/:id). */
export async function coldObjectsAt(db: D1Database, eventTime: number, limit: number) {
  const { results } = await db
    .prepare(
      `SELECT m.sourceID, m.hour, m.part, m.key, m.rows, m.bytes, m.minEventTime, m.maxEventTime,
              m.sha256, m.eventHours, h.verified
       FROM archive_manifest m JOIN received_hours h ON h.sourceID = m.sourceID AND h.hour = m.hour
       WHERE h.cooled = 1 AND m.minEventTime <= ?1 AND m.maxEventTime >= ?1
       ORDER BY m.hour DESC LIMIT ?2`,
    )
    .bind(eventTime, limit)
    .all<ColdObject>();
  return results;
}

/** The newest cold objects (an id lookup without a time). */
export async function recentColdObjects(db: D1Database, limit: number) {
  const { results } = await db
    .prepare(
      `SELECT m.sourceID, m.hour, m.part, m.key, m.rows, m.bytes, m.minEventTime, m.maxEventTime,
              m.sha256, m.eventHours, h.verified
       FROM archive_manifest m JOIN received_hours h ON h.sourceID = m.sourceID AND h.hour = m.hour
       WHERE h.cooled = 1 ORDER BY m.hour DESC, m.part DESC LIMIT ?1`,
    )
    .bind(limit)
    .all<ColdObject>();
  return results;
}

/**
 * Archived rows per event-time hour in [from, to) (hour-aligned) of the cold hours, summed from
 * the manifest's per-part counts: a year's histogram reads ≤ 8,760 rows of D1 and no Parquet.
 * Parts written before those counts existed are left out here (`legacyColdObjects`).
 */
export async function coldHourCounts(
  db: D1Database,
  sourceIDs: readonly string[] | undefined,
  from: number,
  to: number,
): Promise<Array<{ hour: number; n: number }>> {
  const { results } = await db
    .prepare(
      `SELECT CAST(c.value ->> 0 AS INTEGER) AS hour, sum(c.value ->> 1) AS n
       FROM archive_manifest m JOIN received_hours h ON h.sourceID = m.sourceID AND h.hour = m.hour,
            json_each(m.eventHours) c
       WHERE h.cooled = 1 AND m.eventHours IS NOT NULL
         AND (?1 IS NULL OR m.sourceID IN (SELECT value FROM json_each(?1)))
         AND m.maxEventTime >= ?2 AND m.minEventTime < ?3
         AND CAST(c.value ->> 0 AS INTEGER) >= ?2 AND CAST(c.value ->> 0 AS INTEGER) < ?3
       GROUP BY 1`,
    )
    .bind(sourceIDs ? JSON.stringify(sourceIDs) : null, from, to)
    .all<{ hour: number; n: number }>();
  return results;
}
