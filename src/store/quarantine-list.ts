import { and, desc, eq, lt, or, type SQL } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { type QuarantineRow, quarantine } from "./schema";

/** Reading and marking quarantine entries (writing them: store/quarantine.ts). */

interface QuarantineFilter {
  sourceID?: string;
  stage?: string;
  status?: string;
  /** Keyset: entries strictly before this (receivedAt, id), newest first. */
  before?: { t: number; id: string };
  limit: number;
}

export async function listQuarantine(
  db: D1Database,
  f: QuarantineFilter,
): Promise<QuarantineRow[]> {
  const conds: Array<SQL | undefined> = [
    f.sourceID ? eq(quarantine.sourceID, f.sourceID) : undefined,
    f.stage ? eq(quarantine.stage, f.stage) : undefined,
    f.status ? eq(quarantine.status, f.status) : undefined,
    f.before
      ? or(
          lt(quarantine.receivedAt, f.before.t),
          and(eq(quarantine.receivedAt, f.before.t), lt(quarantine.id, f.before.id)),
        )
      : undefined,
  ];
  return drizzle(db)
    .select()
    .from(quarantine)
    .where(and(...conds))
    .orderBy(desc(quarantine.receivedAt), desc(quarantine.id))
    .limit(f.limit);
}

export async function getQuarantineEntry(
  db: D1Database,
  id: string,
): Promise<QuarantineRow | undefined> {
  const [entry] = await drizzle(db).select().from(quarantine).where(eq(quarantine.id, id)).limit(1);
  return entry;
}

/**
 * The statements that take an entry's records out of the source's counters before a replay
 * counts them again: all its records leave `received`; those its keys stand for leave
 * `quarantined`, and the others `duplicates` (records of a group whose keys a concurrent input
 * kept first were counted so); and its keys go. Run first in the replay's own commit (src/pipeline/replay.ts), so what the
 * replay stores counts as inserted or duplicates and what it keeps aside again as quarantined,
 * each record received once (received = inserted + duplicates + quarantined still holds); or
 * with the mark of an entry whose file is re-enqueued (its records are counted when read). An
 * entry whose keys went already (a replay before, or a concurrent one) releases nothing, and
 * the same bad input failing again is then kept and counted afresh.
 */
export function releaseStatements(db: D1Database, id: string): D1PreparedStatement[] {
  return [
    db
      .prepare(
        `UPDATE source_stats SET received = received - r.total,
           quarantined = quarantined - r.owned, duplicates = duplicates - (r.total - r.owned)
         FROM (SELECT q.sourceID, max(q.records, sum(k.records)) AS total, sum(k.records) AS owned
               FROM quarantine q JOIN quarantine_keys k
                 ON k.sourceID = coalesce(q.sourceID, '') AND k.entryID = q.id
               WHERE q.id = ?1 GROUP BY q.id) r
         WHERE source_stats.sourceID = r.sourceID`,
      )
      .bind(id),
    db.prepare("DELETE FROM quarantine_keys WHERE entryID = ?1").bind(id),
  ];
}

/**
 * Records a replay's outcome; `replayed` takes the entry off the pending list, and
 * `replayedUnlessKept` does unless the entry holds a record again (a replay that kept one aside
 * under this same entry: it stays pending). `release`: the entry's file was re-enqueued, and its
 * records leave the counters now (releaseStatements).
 */
export async function markReplay(
  db: D1Database,
  id: string,
  status: string,
  result: unknown,
  now: number,
  release = false,
): Promise<void> {
  const next =
    status === "replayedUnlessKept"
      ? "CASE WHEN EXISTS (SELECT 1 FROM quarantine_keys WHERE entryID = ?1) THEN 'pending' ELSE 'replayed' END"
      : "?2";
  const mark = db
    .prepare(
      `UPDATE quarantine SET status = ${next}, replayedAt = ?3, replayResult = ?4 WHERE id = ?1`,
    )
    .bind(id, status, now, JSON.stringify(result));
  await db.batch([...(release ? releaseStatements(db, id) : []), mark]);
}
