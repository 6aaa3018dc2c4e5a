import { RuleError } from "./errors";
import { checkField } from "./field-path";
import type { Meta } from "./meta";
import type { CorrelationRule } from "./types";
import type { Doc, Entry } from "./yaml-nodes";

const TYPES = ["event_count", "value_count"] as const;
const SIGMA_TYPES = ["temporal", "temporal_ordered", "value_sum", "value_avg", "value_percentile"];
const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

export type PendingCorrelation = CorrelationRule & { generateReferenced: boolean };

/** "15m" → 900; Sigma's number + one lowercase letter of s, m, h, d. */
export function timespanSeconds(text: string): number | null {
  const m = /^(\d{1,9})([smhd])$/.exec(text.trim());
  if (!m) return null;
  const n = Number(m[1]) * (UNIT_SECONDS[m[2] as string] as number);
  return n > 0 ? n : null;
}

function correlationType(doc: Doc, e: Entry | undefined, line: number): CorrelationRule["type"] {
  if (!e) throw new RuleError('missing "correlation.type"', line, "type");
  const v = doc.string(e.value, "correlation.type", e.valueLine);
  if ((TYPES as readonly string[]).includes(v)) return v as CorrelationRule["type"];
  const why = SIGMA_TYPES.includes(v) ? "is not supported" : "is unknown";
  throw new RuleError(
    `correlation type "${v}" ${why} (use ${TYPES.join(" or ")})`,
    e.valueLine,
    "type",
  );
}

function count(doc: Doc, e: Entry): number {
  const v = doc.scalar(e.value, `condition.${e.key}`, e.valueLine);
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0) {
    throw new RuleError(`condition.${e.key} must be a whole number`, e.valueLine, e.key);
  }
  return v;
}

function condition(
  doc: Doc,
  e: Entry | undefined,
  type: CorrelationRule["type"],
  line: number,
  known: ReadonlySet<string>,
): CorrelationRule["condition"] {
  if (!e) throw new RuleError('missing "correlation.condition"', line, "condition");
  const out: CorrelationRule["condition"] = {};
  for (const k of doc.entries(e.value, "correlation.condition", e.line)) {
    if (k.key === "gte" || k.key === "gt") out[k.key] = count(doc, k);
    else if (k.key === "field") {
      if (type !== "value_count")
        throw new RuleError("condition.field is for value_count", k.line, "field");
      out.field = doc.string(k.value, "condition.field", k.valueLine);
      checkField(out.field, known, k.valueLine);
    } else if (["lt", "lte", "eq", "neq"].includes(k.key)) {
      throw new RuleError(`condition "${k.key}" is not supported (use gte or gt)`, k.line, k.key);
    } else throw new RuleError(`unknown condition "${k.key}"`, k.line, k.key);
  }
  if (out.gte === undefined && out.gt === undefined) {
    throw new RuleError("condition needs gte or gt", e.line, "condition");
  }
  if (type === "value_count" && out.field === undefined) {
    throw new RuleError("a value_count condition needs field", e.line, "field");
  }
  return out;
}

/**
 * A correlation document. `knownFor(rules)` gives the fields group-by and condition.field may
 * name, from the rules it references (the caller of parseRules resolves the references).
 */
export function parseCorrelation(
  doc: Doc,
  keys: Map<string, Entry>,
  meta: Meta,
  yaml: string,
  knownFor: (rules: string[]) => ReadonlySet<string>,
): PendingCorrelation {
  const c = keys.get("correlation") as Entry;
  const at = new Map(doc.entries(c.value, "correlation", c.line).map((e) => [e.key, e]));
  for (const [key, e] of at) {
    if (key === "aliases")
      throw new RuleError("correlation aliases are not supported", e.line, key);
    if (!["type", "rules", "group-by", "timespan", "condition"].includes(key)) {
      throw new RuleError(`unknown key "correlation.${key}"`, e.line, key);
    }
  }
  const type = correlationType(doc, at.get("type"), c.line);
  const rulesEntry = at.get("rules");
  if (!rulesEntry) throw new RuleError('missing "correlation.rules"', c.line, "rules");
  const rules = doc.strings(rulesEntry.value, "correlation.rules", rulesEntry.valueLine);
  if (rules.length === 0)
    throw new RuleError("correlation.rules is empty", rulesEntry.line, "rules");
  const known = knownFor(rules);
  const groupEntry = at.get("group-by");
  const groupBy =
    groupEntry && groupEntry.value !== null
      ? doc.strings(groupEntry.value, "group-by", groupEntry.valueLine)
      : [];
  for (const f of groupBy) checkField(f, known, groupEntry?.valueLine ?? c.line);
  const span = at.get("timespan");
  if (!span) throw new RuleError('missing "correlation.timespan"', c.line, "timespan");
  const text = String(doc.scalar(span.value, "timespan", span.valueLine));
  const seconds = timespanSeconds(text);
  if (seconds === null) {
    throw new RuleError(
      `timespan "${text}" must be a number and s, m, h or d (e.g. 15m)`,
      span.valueLine,
      "timespan",
    );
  }
  const rule: PendingCorrelation = {
    kind: "correlation",
    id: meta.id,
    title: meta.title,
    level: meta.level,
    type,
    rules,
    groupBy,
    timespanSeconds: seconds,
    condition: condition(doc, at.get("condition"), type, c.line, known),
    dedupMinutes: meta.dedupMinutes,
    destinations: meta.destinations,
    yaml,
    warnings: meta.warnings,
    generateReferenced: meta.generate === true,
  };
  if (meta.description !== undefined) rule.description = meta.description;
  if (meta.name !== undefined) rule.name = meta.name;
  return rule;
}
