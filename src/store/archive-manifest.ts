import {
  archivedRowsOfHour,
  HOUR,
  type HourState,
  type ManifestEntry,
  sameRowsAsManifest,
  storedRowsOfHour,
} from "./archive";

/**
 * The manifest as the API and the tiers read it (GET /v1/archive, GET /v1/sources, coldFrom),
 * and the bookkeeping of a rebuild (POST /v1/archive/rebuild). The job's own writes:
 * store/archive.ts.
 */

export interface ManifestQuery {
  sourceID?: string;
  from?: number;
  to?: number;
  limit: number;
}

export async function listManifest(db: D1Database, q: ManifestQuery) {
  const where = `WHERE (?1 IS NULL OR sourceID = ?1) AND (?2 IS NULL OR hour >= ?2) AND (?3 IS NULL OR hour < ?3)`;
  const params = [q.sourceID ?? null, q.from ?? null, q.to ?? null];
  const [rows, totals] = await db.batch([
    db
      .prepare(
        `SELECT * FROM archive_manifest ${where} ORDER BY hour DESC, sourceID, part LIMIT ?4`,
      )
      .bind(...params, q.limit),
    db
      .prepare(
        `SELECT count(*) AS objects, coalesce(sum(rows), 0) AS rows, coalesce(sum(bytes), 0) AS bytes FROM archive_manifest ${where}`,
      )
      .bind(...params),
  ]);
  return {
    entries: (rows?.results ?? []) as ManifestEntry[],
    totals: (totals?.results?.[0] ?? { objects: 0, rows: 0, bytes: 0 }) as {
      objects: number;
      rows: number;
      bytes: number;
    },
  };
}

/**
 * Per source, the time up to which every hour holding rows is archived whole (the start of its
 * first hour not archived to its end, or the end of its last hour); absent when none is.
 */
export async function archivedThrough(db: D1Database): Promise<Map<string, number>> {
  const { results } = await db
    .prepare(
      `SELECT sourceID, min(hour) AS first, max(hour) + ${HOUR} AS last,
              min(CASE WHEN coalesce(archivedThrough, 0) < hour + ${HOUR} THEN hour END) AS open
       FROM received_hours GROUP BY sourceID`,
    )
    .all<{ sourceID: string; first: number; last: number; open: number | null }>();
  return new Map(
    results.filter((r) => r.open !== r.first).map((r) => [r.sourceID, r.open ?? r.last]),
  );
}

/** The oldest archived event time (of one source, or of any); null when the archive is empty. */
export async function oldestArchivedEvent(
  db: D1Database,
  sourceID?: string,
): Promise<number | null> {
  const row = await db
    .prepare(
      "SELECT min(minEventTime) AS h FROM archive_manifest WHERE ?1 IS NULL OR sourceID = ?1",
    )
    .bind(sourceID ?? null)
    .first<{ h: number | null }>();
  return row?.h ?? null;
}

/**
 * The archived hours a rebuild names (source and hour range, either open). Whether each may be
 * rebuilt (D1 still holds all its rows) is decided as it is taken back (unverifyForRebuild).
 */
export async function archivedHours(
  db: D1Database,
  q: { sourceID?: string; from?: number; to?: number },
): Promise<HourState[]> {
  const { results } = await db
    .prepare(
      `SELECT * FROM received_hours h
       WHERE (?1 IS NULL OR h.sourceID = ?1) AND (?2 IS NULL OR h.hour >= ?2) AND (?3 IS NULL OR h.hour < ?3)
         AND h.parts > 0`,
    )
    .bind(q.sourceID ?? null, q.from ?? null, q.to ?? null)
    .all<HourState>();
  return results;
}

/** The manifest keys of an hour. */
export async function hourKeys(db: D1Database, h: HourState): Promise<string[]> {
  const { results } = await db
    .prepare("SELECT key FROM archive_manifest WHERE sourceID = ?1 AND hour = ?2 ORDER BY part")
    .bind(h.sourceID, h.hour)
    .all<{ key: string }>();
  return results.map((r) => r.key);
}

/**
 * Takes an hour out of the archive's hands before its objects are deleted: unverified (so
 * retention deletes none of its rows from then on: src/store/retention.ts deleteRows), only if
 * D1 still holds every row the manifest lists, checked in this statement (retention takes no
 * lease). An hour the hot tier never cooled lost none but those past ttlDays, whose archive
 * copies go too (retention deletes hot rows only of cooled hours): D1 holds at least as many
 * rows as the manifest lists. A cooled hour may have lost some: D1 must hold
 * exactly the manifest's rows, by count and by their keys' sum (every part summed), since a
 * late row could stand in for a deleted one in a count. Returns whether it did: false, some
 * rows may have left D1 with the archive as their only copy, so a rebuild could lose them.
 */
export async function unverifyForRebuild(db: D1Database, h: HourState): Promise<boolean> {
  const r = await db
    .prepare(
      `UPDATE received_hours AS h SET verified = 0
       WHERE h.sourceID = ?1 AND h.hour = ?2
         AND (h.cooled = 0 AND ${storedRowsOfHour("h")} >= ${archivedRowsOfHour("h")}
           OR h.cooled = 1 AND ${sameRowsAsManifest("h", "always")})`,
    )
    .bind(h.sourceID, h.hour)
    .run();
  return r.meta.changes === 1;
}

/** Forgets an hour's archive: its manifest entries and watermark (after its objects are gone). */
export async function resetHour(db: D1Database, h: HourState): Promise<void> {
  await db.batch([
    db
      .prepare("DELETE FROM archive_manifest WHERE sourceID = ?1 AND hour = ?2")
      .bind(h.sourceID, h.hour),
    db
      .prepare(
        `UPDATE received_hours SET doneReceivedAt = NULL, doneKey = NULL, archivedThrough = NULL,
           parts = 0, verified = 0 WHERE sourceID = ?1 AND hour = ?2`,
      )
      .bind(h.sourceID, h.hour),
  ]);
}
