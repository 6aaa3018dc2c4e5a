import type { CorrelationAlert, CorrelationStore, WindowFiring } from "../ports";
import type { CorrelationRule } from "./types";
import {
  countedValue,
  decideWindows,
  groupKey,
  groupValues,
  MAX_GROUP_HITS,
  monotone,
  SETTLE_MS,
} from "./windows";

/**
 * Correlation evaluation (docs/detections.md), the same code in production (over D1,
 * src/store/correlations.ts, after each commit and from the cron) and in `npm run rules:test`
 * and the tests (over memory, src/detect/memory-store.ts). The window model is windows.ts;
 * here: which groups to look at, chaining (a fired window is a hit of every correlation that
 * references it), and exactly-once (the store records each window once).
 */

/** The correlations in force, and which reference a rule (by its id and by its name). */
export interface Correlations {
  byId: Map<string, CorrelationRule>;
  referencing: Map<string, CorrelationRule[]>;
}

export function indexCorrelations(rules: readonly CorrelationRule[]): Correlations {
  const byId = new Map(rules.map((r) => [r.id, r]));
  const referencing = new Map<string, CorrelationRule[]>();
  for (const c of rules)
    for (const ref of new Set(c.rules)) referencing.set(ref, [...(referencing.get(ref) ?? []), c]);
  return { byId, referencing };
}

/** Two lists of reference indexes as one, sorted. */
export const unionRefs = (a: readonly number[], b: readonly number[]): number[] =>
  [...new Set([...a, ...b])].sort((x, y) => x - y);

/** The correlations referencing a rule, each with the indexes (in its `rules`) it does at. */
export function referencesOf(
  index: Correlations,
  rule: { id: string; name?: string | undefined },
): Map<CorrelationRule, number[]> {
  const out = new Map<CorrelationRule, number[]>();
  const names = rule.name === undefined ? [rule.id] : [rule.id, rule.name];
  for (const n of names)
    for (const c of index.referencing.get(n) ?? []) {
      const refs = c.rules.flatMap((r, i) => (r === n ? [i] : []));
      out.set(c, unionRefs(out.get(c) ?? [], refs));
    }
  return out;
}

/**
 * A hit of correlation `c` from something a referenced rule matched (at `refs`), reading its
 * fields with `read`: the group (group-by fields, through `aliases` of the first reference)
 * and the stored value (temporal types: the references; value_*: the field's value).
 */
export function hitOf(
  c: CorrelationRule,
  refs: readonly number[],
  read: (field: string) => unknown,
): { group: string; value: string | null } {
  const ref = c.rules[refs[0] ?? 0] ?? "";
  const group = groupKey(c.groupBy.map((f) => read(c.aliases[f]?.[ref] ?? f)));
  if (c.type === "temporal" || c.type === "temporal_ordered")
    return { group, value: JSON.stringify(refs) };
  const field = c.condition.field;
  return { group, value: field === undefined ? null : countedValue(read(field)) };
}

/** Which windows to decide: those of (rule, group) starting in [from, to]. */
export interface Work {
  rule: CorrelationRule;
  group: string;
  from: number;
  to: number;
}

/**
 * Production decides no window that closed (start + timespan) more than this before now: a hit
 * that old is stored but completes nothing, so the retention job may delete such windows' rows
 * (src/retention.ts) without a late event ever deciding them again.
 */
export const WINDOW_HORIZON_MS = 30 * 86_400_000;

/** Chains deeper than this stop (a cycle across files would otherwise loop). */
const MAX_CHAIN = 8;
/** Sweep: windows that closed this long before the run are still decided (a missed run). */
export const CATCHUP_MS = 10 * 60_000;
/** Sweep: the most groups of one correlation decided per run. */
export const MAX_SWEEP_GROUPS = 200;

/** One work item per (rule, group), their ranges joined. */
function merged(work: readonly Work[]): Work[] {
  const by = new Map<string, Work>();
  for (const w of work) {
    const k = JSON.stringify([w.rule.id, w.group]);
    const had = by.get(k);
    by.set(
      k,
      had ? { ...had, from: Math.min(had.from, w.from), to: Math.max(had.to, w.to) } : { ...w },
    );
  }
  return [...by.values()];
}

const alertOf = (c: CorrelationRule, sourceID: string | null): CorrelationAlert | null =>
  c.generate
    ? {
        ruleId: c.id,
        title: c.title,
        level: c.level,
        dedupMinutes: c.dedupMinutes,
        destinations: c.destinations,
        sourceID,
      }
    : null;

/**
 * Decides the windows of `work` at `now`, records the new ones once (alerts, chained hits),
 * then decides the chained correlations' windows those hits belong to. Returns the windows
 * this call recorded. `horizon` (production: WINDOW_HORIZON_MS): windows that closed longer
 * ago than that are not decided.
 */
export async function correlate(
  index: Correlations,
  store: CorrelationStore,
  work: readonly Work[],
  now: number,
  sourceID: string | null = null,
  horizon = Number.POSITIVE_INFINITY,
): Promise<number> {
  let recorded = 0;
  let queue = merged(work);
  for (let depth = 0; queue.length > 0 && depth < MAX_CHAIN; depth++) {
    const next: Work[] = [];
    for (const w of queue) {
      const span = w.rule.timespanSeconds * 1000;
      // no horizon (backtests, replays: now may be +Infinity too, and ∞ − ∞ is NaN)
      const from = Number.isFinite(horizon) ? Math.max(w.from, now - horizon - span) : w.from;
      if (from > w.to) continue;
      const hits = await store.hits(w.rule.id, w.group, from - span, w.to + span, MAX_GROUP_HITS);
      const windows = decideWindows(w.rule, hits, now, from, w.to);
      if (windows.length === 0) continue;
      const decided = await store.decided(w.rule.id, w.group, from, w.to);
      const fresh = windows.filter((f) => !decided.has(f.start));
      if (fresh.length === 0) continue;
      const outer = referencesOf(index, w.rule);
      const values = groupValues(w.group, w.rule.groupBy.length);
      const read = (f: string) => values[w.rule.groupBy.indexOf(f)] ?? null;
      const firings: WindowFiring[] = fresh.map((f) => ({
        ...f,
        chained: [...outer].map(([c, refs]) => ({ ruleId: c.id, ...hitOf(c, refs, read) })),
      }));
      const won = new Set(
        await store.fire(w.rule.id, w.group, firings, alertOf(w.rule, sourceID), now),
      );
      recorded += won.size;
      for (const f of firings) {
        if (!won.has(f.start)) continue;
        for (const c of f.chained) {
          const rule = index.byId.get(c.ruleId) as CorrelationRule;
          next.push({
            rule,
            group: c.group,
            from: f.time - rule.timespanSeconds * 1000,
            to: f.time,
          });
        }
      }
    }
    queue = merged(next);
  }
  return recorded;
}

/**
 * The cron's pass (at most MAX_SWEEP_GROUPS groups per correlation), per group with a hit in
 * the range; running it again decides nothing twice:
 * - upper-bound (non-monotone) correlations: the windows whose end + SETTLE_MS passed in the
 *   last CATCHUP_MS (they can only be decided once closed);
 * - monotone ones, decided at commit time, again: the windows holding a hit of the last
 *   CATCHUP_MS (event time), so a window whose commit died before its evaluation fires at the
 *   next tick instead of at its group's next hit.
 */
export async function sweepCorrelations(
  index: Correlations,
  store: CorrelationStore,
  now: number,
): Promise<number> {
  const work: Work[] = [];
  for (const rule of index.byId.values()) {
    const span = rule.timespanSeconds * 1000;
    if (monotone(rule)) {
      const recent = now - CATCHUP_MS;
      for (const group of await store.groups(rule.id, recent, now + 1, MAX_SWEEP_GROUPS))
        work.push({ rule, group, from: recent - span, to: now });
      continue;
    }
    const to = now - span - SETTLE_MS;
    const from = to - CATCHUP_MS;
    for (const group of await store.groups(rule.id, from, to + 1, MAX_SWEEP_GROUPS))
      work.push({ rule, group, from, to });
  }
  return correlate(index, store, work, now, null, WINDOW_HORIZON_MS);
}
