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
 * Records a replay's outcome; `replayed` takes the entry off the pending list. When the replay
 * stored the entry's records or re-enqueued its file (`release`), the records it counted in
 * the source's `quarantined` (and `received`) leave both counters in the same batch, and its
 * keys go: the replay counted them again as received (inserted or duplicates), or the file's
 * records will be when it is read, so each record is received once (received = inserted +
 * duplicates + quarantined still holds). With its keys gone, a second replay, or the same bad
 * input failing again, counts afresh; an entry whose keys went already releases nothing.
 */
export async function markReplay(
  db: D1Database,
  id: string,
  status: string,
  result: unknown,
  now: number,
  release = false,
): Promise<void> {
  const mark = db
    .prepare("UPDATE quarantine SET status = ?2, replayedAt = ?3, replayResult = ?4 WHERE id = ?1")
    .bind(id, status, now, JSON.stringify(result));
  if (!release) {
    await mark.run();
    return;
  }
  // An entry's records each have a key, except a block (records past KEYED_RECORDS), which is
  // one key for them all: one key stands for `records`, n keys for n records.
  const counted = db
    .prepare(
      `UPDATE source_stats SET received = received - r.n, quarantined = quarantined - r.n
       FROM (SELECT q.sourceID, CASE WHEN count(*) = 1 THEN q.records ELSE count(*) END AS n
             FROM quarantine q JOIN quarantine_keys k
               ON k.sourceID = coalesce(q.sourceID, '') AND k.entryID = q.id
             WHERE q.id = ?1 GROUP BY q.id) r
       WHERE source_stats.sourceID = r.sourceID`,
    )
    .bind(id);
  const keys = db.prepare("DELETE FROM quarantine_keys WHERE entryID = ?1").bind(id);
  await db.batch([counted, keys, mark]);
}
