import type { Match } from "../model/match";
import type { SourceRef } from "../model/view";
import type { RuleSource } from "../ports";
import { ruleFiles } from "./ruleset";
import { type CorrelationRule, type DetectionRule, fieldValue } from "./sigma";
import { countedValue, groupKey, thresholdOf } from "./windows";

export type { Match };

/**
 * Detection at commit time (docs/detections.md). Rules are pure, so every row of a commit is
 * matched before it is written, and what matched is written in the same D1 transaction as the
 * rows: a `detections` row per (rule, event), whose primary key makes a duplicate event (a
 * retry, a redelivery, a re-push) never match twice, then the alert statements, which act only
 * on that commit's new detections (its `commitId`). An alert is one (rule, dedup key) within
 * dedupMinutes of its first match; a correlation alerts when its count crosses the threshold.
 */

interface Active {
  detections: DetectionRule[];
  /** Correlations by the id and the name of each rule they count. */
  counting: Map<string, CorrelationRule[]>;
}

let cached: { version: string; active: Active } | undefined;

/**
 * The rules in force. Each call reads the runtime rules' version (one short D1 row) and reloads
 * when it changed, so a PUT or DELETE of /v1/rules takes effect on the next event in every
 * isolate; unchanged runtime files are not parsed again (src/detect/ruleset.ts).
 */
export async function activeRules(rules: RuleSource): Promise<Active> {
  const version = await rules.version();
  if (cached?.version === version) return cached.active;
  const detections: DetectionRule[] = [];
  const counting = new Map<string, CorrelationRule[]>();
  for (const file of (await ruleFiles(rules)).values())
    for (const r of file.rules) {
      if (r.kind === "detection") detections.push(r);
      else for (const ref of r.rules) counting.set(ref, [...(counting.get(ref) ?? []), r]);
    }
  cached = { version, active: { detections, counting } };
  return cached.active;
}

/** Forget the cached rules (a rule was added, replaced or deleted in this isolate). */
export function forgetRules(): void {
  cached = undefined;
}

const keyOf = (row: Record<string, unknown>, fields: readonly string[]) =>
  groupKey(fields.map((f) => fieldValue(row, f)));

function correlationMatch(c: CorrelationRule, row: Record<string, unknown>, base: Match): Match {
  const { field } = c.condition;
  const min = thresholdOf(c.condition);
  return {
    ...base,
    ruleId: c.id,
    title: c.title,
    level: c.level,
    dedupKey: keyOf(row, c.groupBy),
    dedupMinutes: c.dedupMinutes,
    destinations: c.destinations,
    silent: false,
    correlation: {
      value: field ? countedValue(fieldValue(row, field)) : null,
      spanMs: c.timespanSeconds * 1000,
      min,
      distinct: c.type === "value_count",
    },
  };
}

/** A stored row as far as matching needs it: its id and time (the rest is read through `ruleRow`). */
interface MatchedRow {
  id: string;
  eventTime: number;
}

/**
 * Every (rule, row) match of a commit's rows, each (rule, event) once. `ruleRow` gives a row as
 * rules read it (the store's presentation, src/store/present.ts), computed only when a rule runs.
 */
export function matchRows<R extends MatchedRow>(
  active: Active,
  source: SourceRef,
  rows: readonly R[],
  ruleRow: (row: R) => Record<string, unknown>,
): Match[] {
  const out: Match[] = [];
  const seen = new Set<string>();
  for (const stored of rows) {
    let row: Record<string, unknown> | undefined;
    for (const rule of active.detections) {
      if (!rule.reachable) continue;
      if (rule.product !== null && rule.product !== source.type) continue;
      if (rule.service !== null && rule.service !== source.id) continue;
      row ??= ruleRow(stored);
      if (!rule.match(row)) continue;
      const base: Match = {
        ruleId: rule.id,
        title: rule.title,
        level: rule.level,
        eventId: stored.id,
        eventTime: stored.eventTime,
        dedupKey: keyOf(row, rule.dedup),
        dedupMinutes: rule.dedupMinutes,
        destinations: rule.destinations,
        silent: !rule.generate,
      };
      const related = [
        ...(active.counting.get(rule.id) ?? []),
        ...(rule.name ? (active.counting.get(rule.name) ?? []) : []),
      ];
      for (const m of [base, ...related.map((c) => correlationMatch(c, row as never, base))]) {
        const k = `${m.ruleId}\u0000${m.eventId}`;
        if (seen.has(k)) continue;
        seen.add(k);
        out.push(m);
      }
    }
  }
  return out;
}

/** The matches of a commit's rows against the rules in force (`rules`: the stored ones). */
export async function detectionMatches<R extends MatchedRow>(
  rules: RuleSource,
  source: SourceRef,
  rows: readonly R[],
  ruleRow: (row: R) => Record<string, unknown>,
): Promise<Match[]> {
  if (rows.length === 0) return [];
  return matchRows(await activeRules(rules), source, rows, ruleRow);
}
