import { catalog } from "../catalog";
import { enabledRules } from "../detect/ruleset";
import type { ScheduledRule } from "../detect/sigma";
import { bindWindow } from "../sql/window-params";
import type { AlertInput } from "../store/alerts";
import { d1Rules } from "../store/rules";
import { claimScheduledRun, finishScheduledRun, writeScheduledAlerts } from "../store/scheduled";
import { runSql, type SqlResult } from "../store/sql";

/**
 * Scheduled rules (docs/detections.md): the every-minute cron runs each one that is due. A run
 * claims the rule's tick (src/store/scheduled.ts), binds `:from`/`:to` to [tick − lookback,
 * tick), runs the query through exactly what POST /v1/sql runs (the read-only gate, the cost
 * bound, row and byte caps), and raises one alert per returned row, its dedup key the row's
 * group-by values: at most MAX_ALERTS_PER_RUN rows, within RUN_TIMEOUT_MS. A failure (the gate,
 * D1, the time limit, a group-by column the result lacks) is recorded on the rule's run
 * (GET /v1/rules `schedule.lastError`) and never keeps the other rules from running.
 */

export const MAX_ALERTS_PER_RUN = 100;
/** How long a run's query may take before the run is recorded as failed. */
export const RUN_TIMEOUT_MS = 25_000;
/** The most raw bytes a run reads back from D1. */
const MAX_BYTES = 1024 * 1024;

/** The query of `rule` for the window ending at `tick` (ms), as the gate will see it. */
export function scheduledSql(rule: ScheduledRule, tick: number): string {
  return bindWindow(rule.query, tick - rule.lookbackMinutes * 60_000, tick);
}

/** `work`, or an error once it has taken `ms` (D1 cannot cancel a query: it is left behind). */
async function within<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the query ran longer than ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** The alerts of a run's result: one per row, keyed by its group-by values (JSON). */
export function alertsOf(rule: ScheduledRule, result: SqlResult): AlertInput[] {
  const missing = rule.groupBy.filter((c) => !result.columns.includes(c));
  if (missing.length > 0)
    throw new Error(
      `group-by names ${missing.map((c) => `"${c}"`).join(", ")}, which the query does not return (columns: ${result.columns.join(", ")})`,
    );
  const keyColumns = rule.groupBy.length > 0 ? rule.groupBy : result.columns;
  return result.rows.slice(0, MAX_ALERTS_PER_RUN).map((values) => {
    const row = Object.fromEntries(result.columns.map((c, i) => [c, values[i] ?? null]));
    return {
      ruleId: rule.id,
      title: rule.title,
      level: rule.level,
      dedupKey: JSON.stringify(keyColumns.map((c) => row[c] ?? null)),
      dedupMinutes: rule.dedupMinutes,
      destinations: rule.destinations,
      sourceID: null,
      eventId: null,
      eventIds: [],
      context: row,
    };
  });
}

async function runOne(db: D1Database, rule: ScheduledRule, tick: number): Promise<void> {
  const token = await claimScheduledRun(db, rule.id, tick, rule.everyMinutes);
  if (!token) return;
  try {
    const sql = scheduledSql(rule, tick);
    const run = runSql(db, sql, MAX_ALERTS_PER_RUN, MAX_BYTES, catalog());
    const result = await within(run, RUN_TIMEOUT_MS);
    const alerts = alertsOf(rule, result);
    await writeScheduledAlerts(db, token, alerts, tick);
    const outcome = { rows: result.rows.length, truncated: result.truncated };
    await finishScheduledRun(db, rule.id, token, tick, outcome);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await finishScheduledRun(db, rule.id, token, tick, { error: message });
  }
}

/** Runs every scheduled rule (of an enabled file) due at `now` (the cron's scheduledTime, floored to its minute). */
export async function runScheduledRules(env: Env, now: number): Promise<void> {
  const tick = Math.floor(now / 60_000) * 60_000;
  const rules = (await enabledRules(d1Rules(env.DB))).filter(
    (r): r is ScheduledRule => r.kind === "scheduled",
  );
  const runs = await Promise.allSettled(rules.map((r) => runOne(env.DB, r, tick)));
  for (const [i, r] of runs.entries())
    if (r.status === "rejected") console.error(`scheduled rule ${rules[i]?.id}:`, r.reason);
}
