import { parseCondition } from "./correlation-condition";
import { RuleError } from "./errors";
import { checkField } from "./field-path";
import type { Meta } from "./meta";
import { CORRELATION_TYPES, type CorrelationRule, type CorrelationType } from "./types";
import type { Doc, Entry } from "./yaml-nodes";

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };
const KEYS = ["type", "rules", "group-by", "timespan", "condition", "aliases", "generate"];

export type PendingCorrelation = Omit<CorrelationRule, "processing"> & {
  generateReferenced: boolean;
  /** The line of group-by (chained correlations are checked once the whole text is parsed). */
  groupLine: number;
};

/** "15m" → 900; Sigma's number + one lowercase letter of s, m, h, d. */
export function timespanSeconds(text: string): number | null {
  const m = /^(\d{1,9})([smhd])$/.exec(text.trim());
  if (!m) return null;
  const n = Number(m[1]) * (UNIT_SECONDS[m[2] as string] as number);
  return n > 0 ? n : null;
}

function correlationType(doc: Doc, e: Entry | undefined, line: number): CorrelationType {
  if (!e) throw new RuleError('missing "correlation.type"', line, "type");
  const v = doc.string(e.value, "correlation.type", e.valueLine);
  if ((CORRELATION_TYPES as readonly string[]).includes(v)) return v as CorrelationType;
  throw new RuleError(
    `correlation type "${v}" is unknown (use ${CORRELATION_TYPES.join(", ")})`,
    e.valueLine,
    "type",
  );
}

/**
 * `aliases`: alias → (referenced rule → field). Each rule named must be one of `rules`; each
 * field is checked like a group-by field.
 */
function parseAliases(
  doc: Doc,
  e: Entry | undefined,
  rules: readonly string[],
  known: ReadonlySet<string> | null,
): CorrelationRule["aliases"] {
  const out: CorrelationRule["aliases"] = {};
  if (!e || e.value === null) return out;
  for (const alias of doc.entries(e.value, "correlation.aliases", e.line)) {
    const map: Record<string, string> = {};
    for (const r of doc.entries(alias.value, `aliases.${alias.key}`, alias.line)) {
      if (!rules.includes(r.key))
        throw new RuleError(`alias "${alias.key}": "${r.key}" is not in rules`, r.line, r.key);
      map[r.key] = doc.string(r.value, `aliases.${alias.key}.${r.key}`, r.valueLine);
      if (known) checkField(map[r.key] as string, known, r.valueLine);
    }
    out[alias.key] = map;
  }
  return out;
}

/**
 * A correlation document. `knownFor(rules)` gives the fields group-by, aliases and
 * condition.field may name, from the rules it references (null: not checked, when a referenced
 * rule is not in the text or is unreachable; the caller of parseRules resolves the references).
 */
export function parseCorrelation(
  doc: Doc,
  keys: Map<string, Entry>,
  meta: Meta,
  yaml: string,
  knownFor: (rules: string[]) => ReadonlySet<string> | null,
): PendingCorrelation {
  const c = keys.get("correlation") as Entry;
  const at = new Map(doc.entries(c.value, "correlation", c.line).map((e) => [e.key, e]));
  for (const [key, e] of at) {
    if (!KEYS.includes(key)) {
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
  const aliases = parseAliases(doc, at.get("aliases"), rules, known);
  const groupLine = groupEntry?.valueLine ?? c.line;
  for (const f of groupBy) if (known && !Object.hasOwn(aliases, f)) checkField(f, known, groupLine);
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
    aliases,
    timespanSeconds: seconds,
    condition: parseCondition(doc, at.get("condition"), type, rules.length, c.line, known),
    generate: true,
    dedupMinutes: meta.dedupMinutes,
    destinations: meta.destinations,
    yaml,
    warnings: meta.warnings,
    generateReferenced: meta.generate === true || correlationGenerate(doc, at.get("generate")),
    groupLine,
  };
  if (meta.description !== undefined) rule.description = meta.description;
  if (meta.name !== undefined) rule.name = meta.name;
  return rule;
}

/** `correlation.generate` (older drafts put it inside the correlation section): true or false. */
function correlationGenerate(doc: Doc, e: Entry | undefined): boolean {
  if (!e) return false;
  const v = doc.scalar(e.value, "correlation.generate", e.valueLine);
  if (typeof v !== "boolean")
    throw new RuleError("correlation.generate must be true or false", e.valueLine, "generate");
  return v;
}

/**
 * Chained correlations: a correlation's group-by over a referenced correlation must name (or
 * alias) fields that correlation groups by, the only fields its alerts have.
 */
export function checkChains(all: readonly PendingCorrelation[]): void {
  const byRef = new Map<string, PendingCorrelation>();
  for (const c of all) {
    byRef.set(c.id, c);
    if (c.name !== undefined) byRef.set(c.name, c);
  }
  for (const c of all)
    for (const ref of c.rules) {
      const inner = byRef.get(ref);
      if (!inner) continue;
      if (inner === c) throw new RuleError(`correlation references itself`, c.groupLine, ref);
      for (const f of c.groupBy) {
        const field = c.aliases[f]?.[ref] ?? f;
        if (!inner.groupBy.includes(field))
          throw new RuleError(
            `group-by "${f}": correlation "${ref}" groups by ${inner.groupBy.join(", ") || "nothing"}, not "${field}"`,
            c.groupLine,
            f,
          ).inRule(c.id);
      }
    }
}
