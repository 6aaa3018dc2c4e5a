import { isMap, isScalar, isSeq, type Node, Pair, Scalar, YAMLMap } from "yaml";
import { RuleError } from "./errors";
import {
  child,
  type FieldMap,
  fieldApplies,
  fieldMap,
  keyText,
  type Logsource,
  renamed,
  renameNames,
  renameSelections,
  selections,
  where,
} from "./pipeline-fields";
import type { Processing, ProcessingItem } from "./pipeline-types";
import type { Doc } from "./yaml-nodes";

/**
 * Runs processing pipelines over the rule documents of one text, before they are compiled: the
 * transformations rewrite each document's YAML tree (field names, logsource, selections,
 * conditions), so what the engine compiles is the transformed rule, and nodes that were only
 * renamed keep their lines for error messages. pySigma's semantics (docs/detections.md
 * "Pipelines"): items run in order; an item applies to a rule whose logsource meets its
 * rule_conditions (a correlation: when one of the rules it references in the same text does);
 * field transformations apply to the names that meet its field_name_conditions.
 */

function logsourceOf(doc: Doc, root: YAMLMap): Logsource {
  const out: Logsource = { category: null, product: null, service: null };
  const ls = doc.deref(child(root, "logsource")?.value);
  if (!isMap(ls)) return out;
  for (const k of ["category", "product", "service"] as const) {
    const v = doc.deref(child(ls, k)?.value);
    if (isScalar(v) && typeof v.value === "string") out[k] = v.value;
  }
  return out;
}

function ruleApplies(item: ProcessingItem, sources: Logsource[]): boolean {
  const meets = (ls: Logsource) => {
    const results = item.ruleConditions.map(
      (c) =>
        (c.category === null || c.category === ls.category) &&
        (c.product === null || c.product === ls.product) &&
        (c.service === null || c.service === ls.service),
    );
    const r = item.ruleAny ? results.some(Boolean) : results.every(Boolean);
    return item.ruleNot ? !r : r;
  };
  return sources.some(meets);
}

function dropItems(doc: Doc, det: YAMLMap, item: ProcessingItem): void {
  const keep = (p: Pair) => {
    const field = (keyText(p) ?? "").split("|")[0]?.trim() ?? "";
    return field === "" || !fieldApplies(item, field);
  };
  for (const pair of selections(det)) {
    const v = doc.deref(pair.value);
    const groups: YAMLMap[] = isMap(v)
      ? [v]
      : isSeq(v)
        ? (doc.items(v) ?? []).filter((n): n is YAMLMap => isMap(n))
        : [];
    for (const g of groups) g.items = g.items.filter(keep);
    const empty = isMap(v)
      ? v.items.length === 0
      : groups.length > 0 && groups.every((g) => g.items.length === 0);
    if (isSeq(v))
      v.items = v.items.filter(
        (n) => !isMap(doc.deref(n)) || (doc.deref(n) as YAMLMap).items.length > 0,
      );
    if (empty)
      throw new RuleError(
        `${where(item)}: drop_detection_item leaves selection "${keyText(pair)}" empty`,
        doc.line(pair.key),
        keyText(pair),
      );
  }
}

function template(value: unknown, ls: Logsource): unknown {
  if (Array.isArray(value)) return value.map((v) => template(v, ls));
  if (typeof value !== "string") return value;
  return value.replace(
    /\$(?:(\$)|\{(category|product|service)\}|(category|product|service)\b)/g,
    (_, dollar: string | undefined, a?: string, b?: string) =>
      dollar ? "$" : (ls[(a ?? b) as keyof Logsource] ?? ""),
  );
}

function addCondition(doc: Doc, det: YAMLMap, ls: Logsource, item: ProcessingItem): void {
  const t = item.transformation;
  if (t.type !== "add_condition") return;
  const base = t.name ?? `_cond_${item.pipeline}_${item.id}`.replace(/[^A-Za-z0-9_.-]/g, "_");
  let name = base;
  for (let n = 2; child(det, name); n++) name = `${base}_${n}`;
  const conds = t.template
    ? Object.fromEntries(Object.entries(t.conditions).map(([k, v]) => [k, template(v, ls)]))
    : t.conditions;
  det.items.push(new Pair(new Scalar(name), doc.doc.createNode(conds)));
  const cond = child(det, "condition");
  const wrap = (n: unknown) => {
    const s = doc.deref(n);
    if (!isScalar(s) || typeof s.value !== "string") return n;
    return renamed(s, `${t.negated ? "not " : ""}${name} and (${s.value})`);
  };
  const c = doc.deref(cond?.value);
  if (cond && isSeq(c)) c.items = c.items.map(wrap);
  else if (cond) cond.value = wrap(c);
}

function changeLogsource(doc: Doc, root: YAMLMap, item: ProcessingItem): void {
  const t = item.transformation;
  if (t.type !== "change_logsource") return;
  let pair = child(root, "logsource");
  if (!pair) {
    pair = new Pair(new Scalar("logsource"), new YAMLMap());
    root.items.push(pair);
  }
  let ls = doc.deref(pair.value);
  if (!isMap(ls)) {
    ls = new YAMLMap();
    pair.value = ls;
  }
  const map = ls as YAMLMap;
  map.items = map.items.filter(
    (p) => !["category", "product", "service"].includes(keyText(p) ?? ""),
  );
  for (const k of ["category", "product", "service"] as const) {
    const v = t[k];
    if (v !== null)
      map.items.push(new Pair(renamed(pair.key as Node, k), renamed(pair.key as Node, v)));
  }
}

interface RuleDoc {
  doc: Doc;
  root: YAMLMap;
  kind: "detection" | "correlation";
  /** `pipeline/item` of every item that applied. */
  applied: string[];
}

function referenced(doc: Doc, root: YAMLMap): string[] {
  const corr = doc.deref(child(root, "correlation")?.value);
  const rules = isMap(corr) ? doc.deref(child(corr, "rules")?.value) : null;
  const list = isSeq(rules) ? (doc.items(rules) ?? []) : [rules];
  return list.flatMap((n) => (isScalar(n) && typeof n.value === "string" ? [n.value] : []));
}

/**
 * A correlation's field names: `group-by` (not the names `aliases` defines: those are no
 * fields), `condition.field`, and each alias's field of a referenced rule, renamed only when the
 * item applies to that rule (`named`: the logsources of the rules in the same text; a rule of
 * another file: as the correlation).
 */
function renameCorrelation(
  doc: Doc,
  corr: YAMLMap,
  fields: FieldMap,
  item: ProcessingItem,
  named: ReadonlyMap<string, Logsource>,
): void {
  const aliases = doc.deref(child(corr, "aliases")?.value);
  const aliasPairs = isMap(aliases) ? aliases.items : [];
  const aliasNames = new Set(aliasPairs.map(keyText));
  renameNames(doc, child(corr, "group-by"), (f) => (aliasNames.has(f) ? null : fields(f)), item);
  const cond = doc.deref(child(corr, "condition")?.value);
  if (isMap(cond)) renameNames(doc, child(cond, "field"), fields, item);
  for (const alias of aliasPairs) {
    const perRule = doc.deref(alias.value);
    if (!isMap(perRule)) continue;
    for (const pair of perRule.items) {
      const ls = named.get(keyText(pair) ?? "");
      if (ls === undefined || ruleApplies(item, [ls])) renameNames(doc, pair, fields, item);
    }
  }
}

function applyItem(item: ProcessingItem, docs: RuleDoc[]): void {
  const named = new Map<string, Logsource>();
  for (const d of docs.filter((x) => x.kind === "detection")) {
    const ls = logsourceOf(d.doc, d.root);
    for (const k of ["id", "name"]) {
      const v = d.doc.deref(child(d.root, k)?.value);
      if (isScalar(v) && typeof v.value === "string") named.set(v.value, ls);
    }
  }
  const applies = docs.map((d) =>
    d.kind === "detection"
      ? ruleApplies(item, [logsourceOf(d.doc, d.root)])
      : ruleApplies(
          item,
          referenced(d.doc, d.root).flatMap((r) => named.get(r) ?? []),
        ),
  );
  const fields = fieldMap(item);
  docs.forEach((d, i) => {
    if (!applies[i]) return;
    d.applied.push(`${item.pipeline}/${item.id}`);
    const { doc, root } = d;
    if (d.kind === "correlation") {
      const corr = doc.deref(child(root, "correlation")?.value);
      if (fields && isMap(corr)) renameCorrelation(doc, corr, fields, item, named);
      return;
    }
    const det = doc.deref(child(root, "detection")?.value);
    if (fields) {
      if (isMap(det)) renameSelections(doc, det, fields, item);
      renameNames(doc, child(root, "dedup"), fields, item);
    } else if (item.transformation.type === "change_logsource") changeLogsource(doc, root, item);
    else if (isMap(det) && item.transformation.type === "add_condition")
      addCondition(doc, det, logsourceOf(doc, root), item);
    else if (isMap(det) && item.transformation.type === "drop_detection_item")
      dropItems(doc, det, item);
  });
}

/**
 * Applies the pipelines' items, in order, to the rule documents of one text (their trees are
 * rewritten in place). Returns, per document, the `pipeline/item` ids that applied.
 */
export function applyProcessing(processing: Processing, docs: readonly Doc[]): string[][] {
  const rules: RuleDoc[] = [];
  const out = docs.map((doc) => {
    const root = doc.doc.contents;
    const applied: string[] = [];
    // A scheduled rule's SQL is not Sigma: processing pipelines do not apply to it.
    if (!isMap(root) || child(root, "query")) return applied;
    const kind =
      child(root, "correlation") && !child(root, "detection") ? "correlation" : "detection";
    rules.push({ doc, root, kind, applied });
    return applied;
  });
  for (const item of processing) applyItem(item, rules);
  return out;
}
