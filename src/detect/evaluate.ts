import type { Match } from "../model/match";
import type { SourceRef } from "../model/view";
import type { RuleSource } from "../ports";
import { type Correlations, hitOf, indexCorrelations, referencesOf, unionRefs } from "./correlate";
import { matchEvent } from "./event-cache";
import { enabledRules } from "./ruleset";
import { type CorrelationRule, type DetectionRule, fieldValue } from "./sigma";
import { groupKey } from "./windows";

export type { Match };

/**
 * Detection at commit time (docs/detections.md). Rules are pure, so every row of a commit is
 * matched before it is written, and what matched is written in the same D1 transaction as the
 * rows: a `detections` row per (rule, event), whose primary key makes a duplicate event (a
 * retry, a redelivery, a re-push) never match twice, then the alert statements, which act only
 * on that commit's new detections (its `commitId`). An alert is one (rule, dedup key) within
 * dedupMinutes of its first match. A correlation's hits are stored the same way (one per
 * (correlation, event)); its windows are decided after the commit (src/detect/correlate.ts).
 */

export interface Active {
  detections: DetectionRule[];
  correlations: Correlations;
}

/** The rules in force and the version of the runtime rules they were loaded at. */
export interface RulesInForce {
  version: string;
  active: Active;
}

let cached: RulesInForce | undefined;

/**
 * The rules in force (of the enabled files). Each call reads the runtime rules' version (one
 * short D1 row) and reloads when it changed; unchanged runtime files are not parsed again
 * (src/detect/ruleset.ts). A commit does not call it each time (lastLoadedRules).
 */
export async function activeRules(rules: RuleSource): Promise<Active> {
  return (await loadRules(rules)).active;
}

/** activeRules with the version they are of. */
export async function loadRules(rules: RuleSource): Promise<RulesInForce> {
  const version = await rules.version();
  if (cached?.version === version) return cached;
  const detections: DetectionRule[] = [];
  const correlations: CorrelationRule[] = [];
  for (const r of await enabledRules(rules))
    if (r.kind === "detection") detections.push(r);
    else if (r.kind === "correlation") correlations.push(r);
  cached = { version, active: { detections, correlations: indexCorrelations(correlations) } };
  return cached;
}

/**
 * The rules this isolate last loaded, with no read: a commit matched with them checks their
 * version in its own transaction (src/pipeline/ingest.ts), and is matched again if it moved.
 */
export const lastLoadedRules = (): RulesInForce | undefined => cached;

/** Forget the cached rules (a rule was added, replaced or deleted in this isolate). */
export function forgetRules(): void {
  cached = undefined;
}

const keyOf = (row: Record<string, unknown>, fields: readonly string[]) =>
  groupKey(fields.map((f) => fieldValue(row, f)));

/** A correlation's hit of an event that its referenced rules matched at `refs`. */
function correlationMatch(
  c: CorrelationRule,
  refs: readonly number[],
  row: Record<string, unknown>,
  stored: MatchedRow,
): Match {
  const hit = hitOf(c, refs, (f) => fieldValue(row, f));
  return {
    ruleId: c.id,
    title: c.title,
    level: c.level,
    eventId: stored.id,
    eventTime: stored.eventTime,
    dedupKey: hit.group,
    dedupMinutes: c.dedupMinutes,
    destinations: c.destinations,
    silent: true,
    correlation: { value: hit.value },
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
  // The rules of this source, chosen once for the batch (they all come from one source).
  const rules = active.detections.filter(
    (rule) =>
      rule.reachable &&
      (rule.product === null || rule.product === source.type) &&
      (rule.service === null || rule.service === source.id),
  );
  if (rules.length === 0) return out;
  for (const stored of rows) {
    const row = ruleRow(stored);
    // The correlations this row is a hit of, with the references it matched (temporal types).
    let counted: Map<CorrelationRule, number[]> | undefined;
    // Every rule on this row, its fields read once (src/detect/event-cache.ts).
    matchEvent(row, () => {
      for (const rule of rules) {
        if (!rule.match(row)) continue;
        out.push({
          ruleId: rule.id,
          title: rule.title,
          level: rule.level,
          eventId: stored.id,
          eventTime: stored.eventTime,
          dedupKey: keyOf(row, rule.dedup),
          dedupMinutes: rule.dedupMinutes,
          destinations: rule.destinations,
          silent: !rule.generate,
        });
        for (const [c, refs] of referencesOf(active.correlations, rule)) {
          counted ??= new Map();
          counted.set(c, unionRefs(counted.get(c) ?? [], refs));
        }
      }
    });
    if (counted) for (const [c, refs] of counted) out.push(correlationMatch(c, refs, row, stored));
  }
  // A row given twice in one commit matches once.
  const seen = new Set<string>();
  return out.filter((m) => {
    const k = `${m.ruleId}\u0000${m.eventId}`;
    return !seen.has(k) && seen.add(k) !== undefined;
  });
}
