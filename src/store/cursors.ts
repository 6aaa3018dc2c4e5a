import { drizzle } from "drizzle-orm/d1";
import type { CursorState, RunEnd, WalkTop } from "../ports";
import { cursors } from "./schema";

/** Poller state in D1 (table `cursors`, src/store/schema.ts): lease, schedule, walk. */

export type { CursorState };

/** A crashed run's lease expires after this long (a cron invocation lasts at most 15 min). */
const LEASE_MS = 10 * 60_000;

export async function loadState(db: D1Database, sourceID: string): Promise<CursorState> {
  await db
    .prepare("INSERT INTO cursors (sourceID) VALUES (?1) ON CONFLICT DO NOTHING")
    .bind(sourceID)
    .run();
  return (await db
    .prepare("SELECT * FROM cursors WHERE sourceID = ?1")
    .bind(sourceID)
    .first<CursorState>()) as CursorState;
}

/** Takes the source's lease if it is free (or expired) and the source is due; true if taken. */
export async function acquireLease(
  db: D1Database,
  sourceID: string,
  owner: string,
  now: number,
): Promise<boolean> {
  const r = await db
    .prepare(
      `UPDATE cursors SET leaseOwner = ?2, leaseUntil = ?3, lastRunAt = ?4
       WHERE sourceID = ?1 AND (leaseUntil IS NULL OR leaseUntil <= ?4) AND nextDueAt <= ?4`,
    )
    .bind(sourceID, owner, now + LEASE_MS, now)
    .run();
  return r.meta.changes === 1;
}

/** The walk moved on: its newest event, where to continue, and the tokens it has followed. */
export function progressStatement(
  db: D1Database,
  sourceID: string,
  owner: string,
  w: WalkTop & { next: string | null; tokens: readonly string[] },
): D1PreparedStatement {
  return db
    .prepare(
      `UPDATE cursors SET windowTopId = ?3, windowTopTime = ?4, windowNext = ?5, windowTokens = ?6,
         requests = requests + ?7
       WHERE sourceID = ?1 AND leaseOwner = ?2`,
    )
    .bind(sourceID, owner, w.topId, w.topTime, w.next, JSON.stringify(w.tokens), w.requests);
}

/** The walk reached stored events: its newest event becomes the high-water mark. */
export function completeStatement(
  db: D1Database,
  sourceID: string,
  owner: string,
  w: WalkTop,
): D1PreparedStatement {
  return db
    .prepare(
      `UPDATE cursors SET highWaterId = coalesce(?3, highWaterId),
         highWaterTime = max(coalesce(highWaterTime, ?4), coalesce(?4, highWaterTime)),
         windowTopId = NULL, windowTopTime = NULL, windowNext = NULL, windowTokens = NULL,
         requests = requests + ?5
       WHERE sourceID = ?1 AND leaseOwner = ?2`,
    )
    .bind(sourceID, owner, w.topId, w.topTime, w.requests);
}

/** The walk is abandoned (the vendor's paging looped): the next one starts at the head. */
export function restartStatement(
  db: D1Database,
  sourceID: string,
  owner: string,
  requests: number,
): D1PreparedStatement {
  return db
    .prepare(
      `UPDATE cursors SET windowTopId = NULL, windowTopTime = NULL, windowNext = NULL,
         windowTokens = NULL, requests = requests + ?3
       WHERE sourceID = ?1 AND leaseOwner = ?2`,
    )
    .bind(sourceID, owner, requests);
}

/** Ends a run: schedule, health, and the lease released. */
export async function finishRun(
  db: D1Database,
  sourceID: string,
  owner: string,
  r: RunEnd,
): Promise<void> {
  await db
    .prepare(
      `UPDATE cursors SET nextDueAt = ?3, failures = CASE WHEN ?4 THEN 0 ELSE failures + 1 END,
         lastSuccessAt = CASE WHEN ?4 THEN ?7 ELSE lastSuccessAt END, lastStatus = ?5, lastError = ?6,
         requests = requests + ?8, leaseOwner = NULL, leaseUntil = NULL
       WHERE sourceID = ?1 AND leaseOwner = ?2`,
    )
    .bind(sourceID, owner, r.nextDueAt, r.ok ? 1 : 0, r.status, r.error, r.now, r.requests ?? 0)
    .run();
}

/** Every poller source's state, by source id. */
export async function readCursors(db: D1Database): Promise<Map<string, CursorState>> {
  const rows = await drizzle(db).select().from(cursors);
  return new Map(rows.map((r) => [r.sourceID, r]));
}
