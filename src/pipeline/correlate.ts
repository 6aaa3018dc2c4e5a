import {
  type Correlations,
  correlate,
  sweepCorrelations,
  WINDOW_HORIZON_MS,
  type Work,
} from "../detect/correlate";
import { activeRules } from "../detect/evaluate";
import type { Match } from "../model/match";
import { d1Correlations } from "../store/correlations";
import { d1Rules } from "../store/rules";

/**
 * Correlations in production (docs/detections.md): the windows a commit's new hits belong to
 * are decided right after the commit's transaction, by src/detect/correlate.ts over the hits
 * D1 returns; the every-minute cron decides the upper-bound windows that have closed.
 */

/** The windows holding the commit's correlation hits, one work item per (rule, group). */
export function commitWork(correlations: Correlations, matches: readonly Match[]): Work[] {
  const work: Work[] = [];
  for (const m of matches) {
    const rule = m.correlation ? correlations.byId.get(m.ruleId) : undefined;
    if (!rule) continue;
    const from = m.eventTime - rule.timespanSeconds * 1000;
    work.push({ rule, group: m.dedupKey, from, to: m.eventTime });
  }
  return work;
}

/** Decides the windows of a commit's correlation hits; the number of windows recorded. */
export async function correlateCommit(
  env: Env,
  matches: readonly Match[],
  sourceID: string,
  now: number,
): Promise<number> {
  if (!matches.some((m) => m.correlation)) return 0;
  const { correlations } = await activeRules(d1Rules(env.DB));
  const work = commitWork(correlations, matches);
  return correlate(correlations, d1Correlations(env.DB), work, now, sourceID, WINDOW_HORIZON_MS);
}

/**
 * The cron's pass (src/detect/correlate.ts sweepCorrelations): windows that closed, and windows
 * of recent hits whose commit did not get to decide them.
 */
export async function sweepClosedWindows(env: Env, now: number): Promise<number> {
  const { correlations } = await activeRules(d1Rules(env.DB));
  return sweepCorrelations(correlations, d1Correlations(env.DB), now);
}
