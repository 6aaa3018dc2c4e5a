import { RuleError } from "./errors";
import { checkField } from "./field-path";
import type { CorrelationCondition, CorrelationType } from "./types";
import { MAX_GROUP_HITS } from "./windows";
import type { Doc, Entry } from "./yaml-nodes";

/**
 * A correlation's `condition` (Sigma correlation specification 2.1): the bounds gt, gte, lt,
 * lte, eq, neq, any of them together (a range: every bound given must hold), `field` for the
 * value_* types, and auditflare's `percentile` for value_percentile. A temporal type without a
 * condition needs every referenced rule: {gte: rules.length}.
 */

const BOUNDS = ["gt", "gte", "lt", "lte", "eq", "neq"] as const;
type Bound = (typeof BOUNDS)[number];

/** The types whose condition is on a count (whole numbers) rather than on a field's numbers. */
const COUNTING: readonly CorrelationType[] = [
  "event_count",
  "value_count",
  "temporal",
  "temporal_ordered",
];
const WITH_FIELD: readonly CorrelationType[] = [
  "value_count",
  "value_sum",
  "value_avg",
  "value_percentile",
];

function bound(doc: Doc, e: Entry, type: CorrelationType): number {
  const v = doc.scalar(e.value, `condition.${e.key}`, e.valueLine);
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw new RuleError(`condition.${e.key} must be a number`, e.valueLine, e.key);
  }
  if (COUNTING.includes(type)) {
    if (!Number.isInteger(v) || v < 0)
      throw new RuleError(`condition.${e.key} must be a whole number`, e.valueLine, e.key);
    // A group's window is evaluated over at most MAX_GROUP_HITS hits (docs/detections.md).
    if (v > MAX_GROUP_HITS)
      throw new RuleError(
        `condition.${e.key} ${v} is above the ${MAX_GROUP_HITS} hits a window is evaluated over`,
        e.valueLine,
        e.key,
      );
  }
  return v;
}

/** Refuses a range no value satisfies (gt: 5 with lt: 3), which would silently never fire. */
function checkSatisfiable(c: CorrelationCondition, line: number): void {
  const lows = [c.gt, c.gte, c.eq].filter((v): v is number => v !== undefined);
  const highs = [c.lt, c.lte, c.eq].filter((v): v is number => v !== undefined);
  const low = Math.max(...lows);
  const high = Math.min(...highs);
  const open = (c.gt !== undefined && c.gt === low) || (c.lt !== undefined && c.lt === high);
  if (low > high || (low === high && open) || (c.eq !== undefined && c.eq === c.neq)) {
    throw new RuleError("the condition's bounds leave no value that satisfies them", line);
  }
}

export function parseCondition(
  doc: Doc,
  e: Entry | undefined,
  type: CorrelationType,
  ruleCount: number,
  line: number,
  known: ReadonlySet<string> | null,
): CorrelationCondition {
  const temporal = type === "temporal" || type === "temporal_ordered";
  if (!e) {
    if (temporal) return { gte: ruleCount };
    throw new RuleError('missing "correlation.condition"', line, "condition");
  }
  const out: CorrelationCondition = {};
  for (const k of doc.entries(e.value, "correlation.condition", e.line)) {
    if ((BOUNDS as readonly string[]).includes(k.key)) out[k.key as Bound] = bound(doc, k, type);
    else if (k.key === "field") {
      if (!WITH_FIELD.includes(type))
        throw new RuleError(`condition.field is for ${WITH_FIELD.join(", ")}`, k.line, "field");
      out.field = doc.string(k.value, "condition.field", k.valueLine);
      if (known) checkField(out.field, known, k.valueLine);
    } else if (k.key === "percentile") {
      const v = doc.scalar(k.value, "condition.percentile", k.valueLine);
      if (type !== "value_percentile")
        throw new RuleError("condition.percentile is for value_percentile", k.line, k.key);
      if (typeof v !== "number" || !(v > 0 && v <= 100))
        throw new RuleError("condition.percentile must be a number in (0, 100]", k.line, k.key);
      out.percentile = v;
    } else throw new RuleError(`unknown condition "${k.key}"`, k.line, k.key);
  }
  if (!BOUNDS.some((b) => out[b] !== undefined)) {
    if (!temporal)
      throw new RuleError(`condition needs one of ${BOUNDS.join(", ")}`, e.line, "condition");
    out.gte = ruleCount;
  }
  if (WITH_FIELD.includes(type) && out.field === undefined) {
    throw new RuleError(`a ${type} condition needs field`, e.line, "field");
  }
  checkSatisfiable(out, e.line);
  return out;
}
