import type { ChunkProgress, ObjectProgress, ObjectRef } from "../ports";

/** Per-object progress of bucket files (table `objects`, src/store/schema.ts). */

export type { ObjectRef };

export async function getProgress(db: D1Database, o: ObjectRef): Promise<ObjectProgress | null> {
  return db
    .prepare("SELECT * FROM objects WHERE bucket = ?1 AND key = ?2 AND eTag = ?3")
    .bind(o.bucket, o.key, o.eTag)
    .first<ObjectProgress>();
}

/** Marks the start of an invocation on an object (creating its row on first sight). */
export function startStatement(
  db: D1Database,
  o: ObjectRef & { sourceID: string; size: number | null },
  now: number,
): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO objects (bucket, key, eTag, sourceID, status, size, invocations, startedAt, updatedAt)
       VALUES (?1, ?2, ?3, ?4, 'in_progress', ?5, 1, ?6, ?6)
       ON CONFLICT(bucket, key, eTag) DO UPDATE SET invocations = invocations + 1, updatedAt = excluded.updatedAt`,
    )
    .bind(o.bucket, o.key, o.eTag, o.sourceID, o.size, now);
}

/** Progress after a committed chunk; runs in the same batch as the chunk's rows. */
export function progressStatement(
  db: D1Database,
  o: ObjectRef,
  p: ChunkProgress,
): D1PreparedStatement {
  return db
    .prepare(
      `UPDATE objects SET recordsCommitted = ?4, received = received + ?5, quarantined = quarantined + ?6,
         framing = coalesce(?7, framing), status = CASE WHEN ?8 THEN 'done' ELSE status END,
         finishedAt = CASE WHEN ?8 THEN ?9 ELSE finishedAt END, updatedAt = ?9, lastError = NULL,
         resume = CASE WHEN ?8 THEN NULL ELSE coalesce(?10, resume) END
       WHERE bucket = ?1 AND key = ?2 AND eTag = ?3`,
    )
    .bind(
      o.bucket,
      o.key,
      o.eTag,
      p.recordsCommitted,
      p.received,
      p.quarantined,
      p.framing,
      p.done ? 1 : 0,
      p.now,
      p.resume ?? null,
    );
}

/** Marks an object version skipped (a vendor test object, a delete), once: the count follows. */
export function skippedStatement(
  db: D1Database,
  o: ObjectRef & { sourceID: string },
  now: number,
): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO objects (bucket, key, eTag, sourceID, status, startedAt, updatedAt, finishedAt)
       VALUES (?1, ?2, ?3, ?4, 'skipped', ?5, ?5, ?5) ON CONFLICT DO NOTHING`,
    )
    .bind(o.bucket, o.key, o.eTag, o.sourceID, now);
}

/** Clears a failed object version's progress, so a replay reads it again from the start. */
export async function clearFailedObject(db: D1Database, key: string, eTag: string): Promise<void> {
  await db
    .prepare("DELETE FROM objects WHERE key = ?1 AND eTag = ?2 AND status = 'failed'")
    .bind(key, eTag)
    .run();
}

export async function finishObject(
  db: D1Database,
  o: ObjectRef & { sourceID: string },
  status: "done" | "skipped" | "failed",
  now: number,
  error: string | null = null,
): Promise<void> {
  await db
    .prepare(
      `INSERT INTO objects (bucket, key, eTag, sourceID, status, startedAt, updatedAt, finishedAt, lastError)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?6, ?7)
       ON CONFLICT(bucket, key, eTag) DO UPDATE SET status = excluded.status, updatedAt = excluded.updatedAt,
         finishedAt = excluded.finishedAt, lastError = excluded.lastError, resume = NULL`,
    )
    .bind(o.bucket, o.key, o.eTag, o.sourceID, status, now, error)
    .run();
}

export async function recordObjectError(
  db: D1Database,
  o: ObjectRef,
  error: string,
  now: number,
): Promise<void> {
  await db
    .prepare(
      "UPDATE objects SET lastError = ?4, updatedAt = ?5 WHERE bucket = ?1 AND key = ?2 AND eTag = ?3",
    )
    .bind(o.bucket, o.key, o.eTag, error.slice(0, 1000), now)
    .run()
    .catch(() => {});
}
