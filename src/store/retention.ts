import { keyAtOrAfter } from "./keys";

/** Rows past their source's retention (table `logs`, through the logs_source index). */

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

/** Deletes rows by their keys; returns how many were deleted. */
export async function deleteRows(db: D1Database, rids: string[]): Promise<number> {
  const r = await db
    .prepare("DELETE FROM events WHERE rid IN (SELECT CAST(value AS INTEGER) FROM json_each(?1))")
    .bind(JSON.stringify(rids))
    .run();
  return r.meta.changes;
}
