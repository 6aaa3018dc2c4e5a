import type { CorrelationStore, WindowFiring } from "../ports";
import { alertStatements } from "./alerts";

/**
 * Correlation hits (the `detections` rows of a correlation) and fired windows
 * (`correlation_windows`) in D1, for src/detect/correlate.ts. A window is recorded by
 * `INSERT … ON CONFLICT DO NOTHING` with a fresh token; its alert and chained hits are written
 * in the same transaction, guarded by "the window row holds my token", so two evaluations
 * racing on one window (two commits, a commit and the cron) raise its alert once.
 */

/** The window row was written by this transaction (?1 rule, ?3 token, ?4 group, ?8 start). */
const WON =
  "EXISTS (SELECT 1 FROM correlation_windows WHERE ruleId = ?1 AND dedupKey = ?4 AND windowStart = ?8 AND token = ?3)";
/** Windows per batch: 4 statements each at most. */
const WINDOWS_PER_BATCH = 50;

/**
 * A chained hit: a detection row of the correlation referencing the fired one. The same event
 * completing windows of two referenced correlations joins their references (temporal types).
 */
const CHAINED_HIT = `INSERT INTO detections (ruleId, eventId, dedupKey, value, eventTime, commitId)
  SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE EXISTS (SELECT 1 FROM correlation_windows
    WHERE ruleId = ?7 AND dedupKey = ?8 AND windowStart = ?9 AND token = ?6)
  ON CONFLICT(eventTime, eventId, ruleId) DO UPDATE SET value = (SELECT json_group_array(v) FROM
      (SELECT value AS v FROM json_each(detections.value) UNION SELECT value FROM json_each(excluded.value)))
    WHERE json_valid(detections.value) AND json_valid(excluded.value)
      AND detections.value LIKE '[%' AND excluded.value LIKE '[%'`;

export function d1Correlations(db: D1Database): CorrelationStore {
  return {
    async hits(ruleId, group, from, to, limit) {
      const { results } = await db
        .prepare(
          `SELECT eventId AS id, eventTime AS time, value FROM detections
           WHERE ruleId = ?1 AND dedupKey = ?2 AND eventTime >= ?3 AND eventTime < ?4 AND hit = 1
           ORDER BY eventTime, eventId LIMIT ?5`,
        )
        .bind(ruleId, group, from, to, limit)
        .all<{ id: string; time: number; value: string | null }>();
      return results;
    },

    async decided(ruleId, group, from, to) {
      const { results } = await db
        .prepare(
          `SELECT windowStart FROM correlation_windows
           WHERE ruleId = ?1 AND dedupKey = ?2 AND windowStart >= ?3 AND windowStart <= ?4`,
        )
        .bind(ruleId, group, from, to)
        .all<{ windowStart: number }>();
      return new Set(results.map((r) => r.windowStart));
    },

    async groups(ruleId, from, to, limit) {
      const { results } = await db
        .prepare(
          `SELECT DISTINCT dedupKey FROM detections
           WHERE ruleId = ?1 AND eventTime >= ?2 AND eventTime < ?3 AND hit = 1 LIMIT ?4`,
        )
        .bind(ruleId, from, to, limit)
        .all<{ dedupKey: string }>();
      return results.map((r) => r.dedupKey);
    },

    async fire(ruleId, group, windows, alert, now) {
      const won: number[] = [];
      for (let i = 0; i < windows.length; i += WINDOWS_PER_BATCH) {
        const token = crypto.randomUUID();
        const chunk = windows.slice(i, i + WINDOWS_PER_BATCH);
        const statements = chunk.flatMap((w) => windowStatements(db, ruleId, group, w, token, now));
        if (alert)
          for (const w of chunk) {
            const input = { ...alert, dedupKey: group, eventId: w.eventId, eventIds: w.eventIds };
            statements.push(...alertStatements(db, input, WON, token, w.start, now));
          }
        const mine = db
          .prepare("SELECT windowStart FROM correlation_windows WHERE ruleId = ?1 AND token = ?2")
          .bind(ruleId, token);
        const results = await db.batch([...statements, mine]);
        const rows = (results[results.length - 1]?.results ?? []) as { windowStart: number }[];
        won.push(...rows.map((r) => r.windowStart));
      }
      return won;
    },
  };
}

/** The window's row, then its hits in the correlations chaining it. */
function windowStatements(
  db: D1Database,
  ruleId: string,
  group: string,
  w: WindowFiring,
  token: string,
  now: number,
): D1PreparedStatement[] {
  const record = db
    .prepare(
      `INSERT INTO correlation_windows (ruleId, dedupKey, windowStart, time, eventId, hits, token, decidedAt)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT DO NOTHING`,
    )
    .bind(ruleId, group, w.start, w.time, w.eventId, w.hits, token, now);
  const chained = w.chained.map((c) =>
    db
      .prepare(CHAINED_HIT)
      .bind(c.ruleId, w.eventId, c.group, c.value, w.time, token, ruleId, group, w.start),
  );
  return [record, ...chained];
}

/**
 * Deletes up to `limit` recorded windows that no evaluation reads any more: those that closed
 * before `closedBefore` (windowStart + the rule's timespan; `spans`: timespan in ms by rule id,
 * a rule not listed counts 0), oldest first. Returns how many it deleted.
 */
export async function deleteClosedWindows(
  db: D1Database,
  closedBefore: number,
  spans: ReadonlyMap<string, number>,
  limit: number,
): Promise<number> {
  const r = await db
    .prepare(
      `DELETE FROM correlation_windows WHERE rowid IN (
         SELECT w.rowid FROM correlation_windows w
         WHERE w.windowStart < ?1
           AND w.windowStart + coalesce((SELECT value FROM json_each(?2) WHERE key = w.ruleId), 0) < ?1
         ORDER BY w.windowStart LIMIT ?3)`,
    )
    .bind(closedBefore, JSON.stringify(Object.fromEntries(spans)), limit)
    .run();
  return r.meta.changes;
}
