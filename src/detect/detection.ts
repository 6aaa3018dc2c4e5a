import { isSeq } from "yaml";
import { compileCondition, type Test } from "./condition";
import { RuleError } from "./errors";
import { checkField } from "./field-path";
import type { Meta } from "./meta";
import { compileSelection, type Selection } from "./selection";
import type { DetectionRule, KnownFields, Row } from "./types";
import type { Doc, Entry } from "./yaml-nodes";

const SELECTION_NAME = /^[A-Za-z0-9_.-]+$/;
const RESERVED = new Set(["and", "or", "not", "of", "them", "1", "all"]);

/** Every field name is allowed: a rule for events no source has, whose fields are unknown. */
const ANY_FIELD: ReadonlySet<string> = new (class extends Set<string> {
  override has(): boolean {
    return true;
  }
})();

/**
 * logsource: product (a source type), service (a source id), category. A product no source
 * has, or a category (no source produces one until processing pipelines map them), is
 * accepted with a warning: the rule never matches, and its fields are not checked. Other keys
 * (custom ones, `definition`) are ignored.
 */
function logsource(
  doc: Doc,
  e: Entry | undefined,
  products: readonly string[] | null,
  warnings: string[],
) {
  const out = { product: null as string | null, service: null as string | null };
  const src = { ...out, category: null as string | null, reachable: true };
  if (!e || e.value === null) return src;
  for (const k of doc.entries(e.value, "logsource", e.line)) {
    if (k.key !== "product" && k.key !== "service" && k.key !== "category") continue;
    const v = doc.string(k.value, `logsource.${k.key}`, k.valueLine);
    src[k.key] = v;
    if (k.key === "product" && products && !products.includes(v)) {
      src.reachable = false;
      warnings.push(
        `line ${k.valueLine}: no source has logsource.product "${v}" (known: ${products.join(", ")}): the rule is kept but never matches`,
      );
    }
    if (k.key === "category") {
      src.reachable = false;
      warnings.push(
        `line ${k.valueLine}: logsource.category "${v}" is not produced by any source yet (no processing pipeline maps it): the rule is kept but never matches`,
      );
    }
  }
  return src;
}

function conditions(
  doc: Doc,
  e: Entry | undefined,
  line: number,
): { text: string; line: number }[] {
  if (!e) throw new RuleError('missing "detection.condition"', line, "condition");
  if (!isSeq(e.value))
    return [{ text: doc.string(e.value, "condition", e.valueLine), line: e.valueLine }];
  const items = doc.items(e.value) ?? [];
  if (items.length === 0)
    throw new RuleError("condition is an empty list", e.valueLine, "condition");
  return items.map((n) => {
    const l = doc.line(n, e.valueLine) ?? e.valueLine;
    return { text: doc.string(n, "condition", l), line: l };
  });
}

/** Selections and condition(s) of a `detection:` section, compiled into one test. */
function compileDetection(doc: Doc, e: Entry, known: ReadonlySet<string>) {
  const selections = new Map<string, Selection>();
  let condition: Entry | undefined;
  for (const k of doc.entries(e.value, "detection", e.line)) {
    if (k.key === "condition") condition = k;
    else if (k.key === "timeframe") {
      throw new RuleError(
        "timeframe is not supported: use a correlation rule",
        k.line,
        "timeframe",
      );
    } else {
      if (!SELECTION_NAME.test(k.key) || RESERVED.has(k.key.toLowerCase())) {
        throw new RuleError(`"${k.key}" cannot be a selection name`, k.line, k.key);
      }
      selections.set(k.key, compileSelection(doc, k.key, k.value, k.line, known));
    }
  }
  const conds = conditions(doc, condition, e.line);
  const used = new Set<Selection>();
  const tests: Test[] = conds.map((c) => {
    const compiled = compileCondition(c.text, selections, c.line);
    for (const s of compiled.used) used.add(s);
    return compiled.test;
  });
  const test: Test = tests.length === 1 ? (tests[0] as Test) : (row) => tests.some((t) => t(row));
  return { test, used: [...used], text: conds.map((c) => c.text).join(" | ") };
}

export type PendingDetection = Omit<DetectionRule, "generate" | "processing"> & {
  explicitGenerate?: boolean;
};

export function parseDetection(
  doc: Doc,
  keys: Map<string, Entry>,
  meta: Meta,
  yaml: string,
  knownFields: KnownFields,
  products: readonly string[] | null,
): PendingDetection {
  const warnings: string[] = [];
  const source = logsource(doc, keys.get("logsource"), products, warnings);
  const known = source.reachable ? knownFields(source.product) : ANY_FIELD;
  const det = keys.get("detection") as Entry;
  const { test, used, text } = compileDetection(doc, det, known);
  const dedupEntry = keys.get("dedup");
  const dedup =
    dedupEntry && dedupEntry.value !== null
      ? doc.strings(dedupEntry.value, "dedup", dedupEntry.valueLine)
      : [];
  if (dedupEntry) for (const f of dedup) checkField(f, known, dedupEntry.valueLine);
  const rule: PendingDetection = {
    kind: "detection",
    id: meta.id,
    title: meta.title,
    level: meta.level,
    product: source.product,
    service: source.service,
    category: source.category,
    reachable: source.reachable,
    dedup,
    dedupMinutes: meta.dedupMinutes,
    destinations: meta.destinations,
    match(row: Row): string[] | null {
      if (!test(row)) return null;
      const why: string[] = [];
      for (const s of used) if (s.test(row)) why.push(s.describe(row));
      return why.length > 0 ? why : [`condition: ${text}`];
    },
    yaml,
    warnings: [...meta.warnings, ...warnings],
  };
  if (meta.description !== undefined) rule.description = meta.description;
  if (meta.name !== undefined) rule.name = meta.name;
  if (meta.generate !== undefined) rule.explicitGenerate = meta.generate;
  return rule;
}
