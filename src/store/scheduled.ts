import { type AlertInput, alertStatements } from "./alerts";

/**
 * Scheduled rules' runs in D1 (src/store/schema.ts scheduled_runs) and their alerts. A run is
 * claimed by one compare-and-set statement: the rule's row takes this tick and a fresh token
 * only when its last run is at least an interval old, so however often the cron fires and
 * however many isolates run it, a rule runs once per interval. Its alerts are written guarded
 * by "the rule's row still holds my token", like a correlation window's (src/store/correlations.ts).
 */

export interface ScheduledRun {
  ruleId: string;
  lastRunAt: number;
  token: string;
  finishedAt: number | null;
  lastRows: number | null;
  lastTruncated: number | null;
  lastError: string | null;
  lastErrorAt: number | null;
}

/** The run's guard over alertStatements' parameters (?1 ruleId, ?3 token). */
const MINE = "EXISTS (SELECT 1 FROM scheduled_runs WHERE ruleId = ?1 AND token = ?3)";

/**
 * Claims the run of `ruleId` at `now` when it is due (never run, or last run at or before
 * now − every); the claim's token, or null when the rule is not due or another run claimed it.
 */
export async function claimScheduledRun(
  db: D1Database,
  ruleId: string,
  now: number,
  everyMinutes: number,
): Promise<string | null> {
  const token = crypto.randomUUID();
  const won = await db
    .prepare(
      `INSERT INTO scheduled_runs (ruleId, lastRunAt, token) VALUES (?1, ?2, ?3)
       ON CONFLICT(ruleId) DO UPDATE SET lastRunAt = excluded.lastRunAt, token = excluded.token
         WHERE scheduled_runs.lastRunAt <= ?4
       RETURNING token`,
    )
    .bind(ruleId, now, token, now - everyMinutes * 60_000)
    .first<{ token: string }>();
  return won?.token === token ? token : null;
}

/** Alerts per batch: 2 statements each. */
const ALERTS_PER_BATCH = 50;

/** Writes the run's alerts (each deduplicated as every alert is), if the run is still its own. */
export async function writeScheduledAlerts(
  db: D1Database,
  token: string,
  alerts: readonly AlertInput[],
  now: number,
): Promise<void> {
  for (let i = 0; i < alerts.length; i += ALERTS_PER_BATCH) {
    const chunk = alerts.slice(i, i + ALERTS_PER_BATCH);
    await db.batch(chunk.flatMap((a) => alertStatements(db, a, MINE, token, a.dedupKey, now)));
  }
}

/** Records how the run ended (its error, or rows), if the rule's row still holds its token. */
export async function finishScheduledRun(
  db: D1Database,
  ruleId: string,
  token: string,
  now: number,
  outcome: { rows: number; truncated: boolean } | { error: string },
): Promise<void> {
  const failed = "error" in outcome;
  await db
    .prepare(
      `UPDATE scheduled_runs SET finishedAt = ?3, lastRows = ?4, lastTruncated = ?5,
         lastError = ?6, lastErrorAt = CASE WHEN ?6 IS NULL THEN lastErrorAt ELSE ?3 END
       WHERE ruleId = ?1 AND token = ?2`,
    )
    .bind(
      ruleId,
      token,
      now,
      failed ? null : outcome.rows,
      failed ? null : outcome.truncated ? 1 : 0,
      failed ? outcome.error.slice(0, 1000) : null,
    )
    .run();
}

export async function readScheduledRuns(db: D1Database): Promise<Map<string, ScheduledRun>> {
  const { results } = await db.prepare("SELECT * FROM scheduled_runs").all<ScheduledRun>();
  return new Map(results.map((r) => [r.ruleId, r]));
}
