import { HOUR } from "./archive";
import { keyAtOrAfter } from "./keys";

/** Rows and archive objects past their source's retention (src/retention.ts). */

/** Up to `limit` rows of a source older than `cutoff` (event time), with their R2 rawLog refs. */
export async function expiredRows(
  db: D1Database,
  sourceID: string,
  cutoff: number,
  limit: number,
): Promise<Array<{ rid: string; rawLogRef: string | null }>> {
  // rid as text: a 63-bit integer does not survive a JS number.
  const { results } = await db
    .prepare(
      "SELECT CAST(rid AS TEXT) AS rid, rawLogRef FROM events WHERE sourceID = ?1 AND rid < CAST(?4 AS INTEGER) AND eventTime < ?2 LIMIT ?3",
    )
    .bind(sourceID, cutoff, limit, keyAtOrAfter(cutoff))
    .all<{ rid: string; rawLogRef: string | null }>();
  return results;
}

/**
 * Deletes rows by their keys; returns the keys deleted. `archived`: only rows whose received
 * hour is still verified and cooled when the statement runs (the archive holds them and queries
 * read it): a rebuild that took the hour back after archivedExpiredRows read it keeps its rows.
 */
export async function deleteRows(
  db: D1Database,
  rids: string[],
  archived = false,
): Promise<Set<string>> {
  const held = archived
    ? ` AND EXISTS (SELECT 1 FROM received_hours h WHERE h.sourceID = events.sourceID
         AND h.hour = (events.receivedAt / ${HOUR}) * ${HOUR} AND h.verified = 1 AND h.cooled = 1)`
    : "";
  const which = `rid IN (SELECT CAST(value AS INTEGER) FROM json_each(?1))${held}`;
  const remove = db
    .prepare(`DELETE FROM events WHERE ${which} RETURNING CAST(rid AS TEXT) AS rid`)
    .bind(JSON.stringify(rids));
  if (!archived) {
    const { results } = await remove.all<{ rid: string }>();
    return new Set(results.map((r) => r.rid));
  }
  // the archive keeps them: each is remembered (gone_ids), in the same transaction, so a
  // delivery of it again is a duplicate, not a second copy (src/store/ingest.ts INSERT_SQL)
  const [, deleted] = await db.batch<{ rid: string }>([
    db
      .prepare(
        `INSERT INTO gone_ids (eventTime, h)
         SELECT eventTime, unhex(substr(id, 1, 32)) FROM events WHERE ${which}
         ON CONFLICT DO NOTHING`,
      )
      .bind(JSON.stringify(rids)),
    remove,
  ]);
  return new Set((deleted?.results ?? []).map((r) => r.rid));
}

const GONE_CHUNK = 20_000;

/**
 * Forgets up to `limit` of the events retention let go (gone_ids) older than `cutoff` (event
 * time), GONE_CHUNK a statement (by the key's order: the oldest first). Returns how many.
 */
export async function pruneGoneIds(db: D1Database, cutoff: number, limit: number) {
  let pruned = 0;
  while (pruned < limit) {
    const n = Math.min(GONE_CHUNK, limit - pruned);
    const r = await db
      .prepare(
        `DELETE FROM gone_ids WHERE (eventTime, h) IN
           (SELECT eventTime, h FROM gone_ids WHERE eventTime < ?1 LIMIT ?2)`,
      )
      .bind(cutoff, n)
      .run();
    pruned += r.meta.changes;
    if (r.meta.changes < n) break;
  }
  return pruned;
}

/**
 * Up to `limit` rows of a source older than `cutoff` (event time) that the archive holds: their
 * received hour is verified (archived to its end, every row of it in the manifest's objects) and
 * cooled (queries read it from the archive).
 */
export async function archivedExpiredRows(
  db: D1Database,
  sourceID: string,
  cutoff: number,
  limit: number,
): Promise<Array<{ rid: string; rawLogRef: string | null }>> {
  const { results } = await db
    .prepare(
      `SELECT CAST(e.rid AS TEXT) AS rid, e.rawLogRef FROM events e
       JOIN received_hours h ON h.sourceID = e.sourceID AND h.hour = (e.receivedAt / ${HOUR}) * ${HOUR}
       WHERE e.sourceID = ?1 AND e.rid < CAST(?4 AS INTEGER) AND e.eventTime < ?2
         AND h.verified = 1 AND h.cooled = 1
       LIMIT ?3`,
    )
    .bind(sourceID, cutoff, limit, keyAtOrAfter(cutoff))
    .all<{ rid: string; rawLogRef: string | null }>();
  return results;
}

/**
 * Marks cold the verified hours of a source that `archivedExpiredRows(cutoff)` may take rows
 * from (one of their events is older than `cutoff`), before any is deleted: from then on queries
 * read those hours from the archive only (src/archive/tiers.ts).
 */
export async function markCooled(db: D1Database, sourceID: string, cutoff: number): Promise<void> {
  await db
    .prepare(
      "UPDATE received_hours SET cooled = 1 WHERE sourceID = ?1 AND verified = 1 AND cooled = 0 AND minEventTime < ?2",
    )
    .bind(sourceID, cutoff)
    .run();
}

/**
 * Archive objects of a source past `cutoff`: their hour (received) ended before it, or every
 * event in them is older than it (a backfill of old events, received lately, goes with its
 * rows' TTL, not a TTL later).
 */
export async function expiredArchiveKeys(
  db: D1Database,
  sourceID: string,
  cutoff: number,
  limit: number,
): Promise<string[]> {
  const { results } = await db
    .prepare(
      `SELECT key FROM archive_manifest WHERE sourceID = ?1 AND (hour + ${HOUR} <= ?2 OR maxEventTime < ?2)
       ORDER BY hour LIMIT ?3`,
    )
    .bind(sourceID, cutoff, limit)
    .all<{ key: string }>();
  return results.map((r) => r.key);
}

/** Forgets manifest entries (after their objects were deleted). */
export async function deleteManifestKeys(db: D1Database, keys: string[]): Promise<void> {
  await db
    .prepare("DELETE FROM archive_manifest WHERE key IN (SELECT value FROM json_each(?1))")
    .bind(JSON.stringify(keys))
    .run();
}
