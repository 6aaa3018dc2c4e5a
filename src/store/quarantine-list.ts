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

/** Records a replay's outcome; `replayed` takes the entry off the pending list. */
export async function markReplay(
  db: D1Database,
  id: string,
  status: string,
  result: unknown,
  now: number,
): Promise<void> {
  await drizzle(db)
    .update(quarantine)
    .set({ status, replayedAt: now, replayResult: JSON.stringify(result) })
    .where(eq(quarantine.id, id));
}
