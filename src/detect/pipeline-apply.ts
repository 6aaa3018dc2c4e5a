import { isMap, isScalar, isSeq, type Node, Pair, Scalar, YAMLMap, YAMLSeq } from "yaml";
import { RuleError } from "./errors";
import type { LogsourceCondition, Processing, ProcessingItem } from "./pipeline-types";
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

/** Alternatives a one-to-many mapping may multiply a selection into (OR of the combinations). */
export const MAX_VARIANTS = 64;

type Logsource = Record<keyof LogsourceCondition, string | null>;
type FieldMap = (field: string) => readonly string[] | null;

const where = (item: ProcessingItem) => `pipeline "${item.pipeline}", transformation "${item.id}"`;

function child(root: YAMLMap, key: string): Pair | undefined {
  return root.items.find((p) => isScalar(p.key) && p.key.value === key);
}

function keyText(pair: Pair): string | null {
  return isScalar(pair.key) && pair.key.value !== null ? String(pair.key.value) : null;
}

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

function fieldApplies(item: ProcessingItem, field: string): boolean {
  const results = item.fieldConditions.map((c) => (c.exclude ? !c.test(field) : c.test(field)));
  const r = item.fieldAny ? results.some(Boolean) : results.every(Boolean);
  return item.fieldNot ? !r : r;
}

/** The item's field-name function, or null when the item does not rename fields. */
function fieldMap(item: ProcessingItem): FieldMap | null {
  const t = item.transformation;
  let map: FieldMap;
  if (t.type === "field_name_mapping") map = (f) => t.mapping.get(f) ?? null;
  else if (t.type === "field_name_prefix") map = (f) => [t.prefix + f];
  else if (t.type === "field_name_suffix") map = (f) => [f + t.suffix];
  else if (t.type === "field_name_prefix_mapping") {
    map = (f) => {
      for (const [src, dest] of t.mapping)
        if (f.startsWith(src)) return dest.map((d) => d + f.slice(src.length));
      return null;
    };
  } else return null;
  return (f) => {
    const out = map(f);
    return out !== null && fieldApplies(item, f) ? out : null;
  };
}

function renamed(old: Node, text: string): Scalar {
  const s = new Scalar(text);
  s.range = old.range ?? null;
  return s;
}

/** A `fieldref` value names a field: mapped too (one-to-many: any of them). */
function mapFieldref(doc: Doc, value: unknown, map: FieldMap): unknown {
  const node = doc.deref(value);
  const one = (n: Node | null): Node[] => {
    if (!isScalar(n) || typeof n.value !== "string") return n ? [n] : [];
    return (map(n.value.trim()) ?? [n.value]).map((t) => renamed(n, t));
  };
  if (isSeq(node)) {
    const seq = new YAMLSeq();
    seq.items = (doc.items(node) ?? []).flatMap(one);
    return seq;
  }
  const out = one(node);
  if (out.length === 1) return out[0];
  const seq = new YAMLSeq();
  seq.items = out;
  return seq;
}

/** One mapping of a selection, its fields renamed: several when a name maps to several. */
function mapGroup(doc: Doc, map: YAMLMap, fields: FieldMap, item: ProcessingItem): YAMLMap[] {
  let variants: Pair[][] = [[]];
  for (const pair of map.items) {
    const key = keyText(pair);
    const [raw = "", ...mods] = (key ?? "").split("|");
    const field = raw.trim();
    if (key === null || field === "") {
      for (const v of variants) v.push(pair);
      continue;
    }
    const value = mods.includes("fieldref") ? mapFieldref(doc, pair.value, fields) : pair.value;
    const targets = fields(field) ?? [field];
    const keyOf = (t: string) => renamed(pair.key as Node, [t, ...mods].join("|"));
    if (targets.length * variants.length > MAX_VARIANTS) {
      const line = doc.line(pair.key);
      throw new RuleError(
        `${where(item)}: mapping makes more than ${MAX_VARIANTS} alternatives of one selection`,
        line,
        field,
      );
    }
    variants = variants.flatMap((v) => targets.map((t) => [...v, new Pair(keyOf(t), value)]));
  }
  return variants.map((pairs) => {
    const m = new YAMLMap();
    m.items = pairs;
    m.range = map.range ?? null;
    return m;
  });
}

/** Every selection of a detection (not `condition` nor `timeframe`) with its pair. */
function selections(det: YAMLMap): Pair[] {
  return det.items.filter((p) => {
    const k = keyText(p);
    return k !== null && k !== "condition" && k !== "timeframe";
  });
}

function renameSelections(doc: Doc, det: YAMLMap, fields: FieldMap, item: ProcessingItem): void {
  for (const pair of selections(det)) {
    const v = doc.deref(pair.value);
    if (isMap(v)) {
      const out = mapGroup(doc, v, fields, item);
      if (out.length === 1) pair.value = out[0];
      else {
        const seq = new YAMLSeq();
        seq.items = out;
        seq.range = v.range ?? null;
        pair.value = seq;
      }
    } else if (isSeq(v)) {
      v.items = (doc.items(v) ?? []).flatMap((n): unknown[] =>
        isMap(n) ? mapGroup(doc, n, fields, item) : [n],
      );
    }
  }
}

/** A list of field names (dedup, group-by) or one (condition.field), mapped one to one. */
function renameNames(
  doc: Doc,
  pair: Pair | undefined,
  fields: FieldMap,
  item: ProcessingItem,
): void {
  const node = doc.deref(pair?.value);
  const one = (n: unknown) => {
    const s = doc.deref(n);
    if (!isScalar(s) || typeof s.value !== "string") return n;
    const out = fields(s.value);
    if (out === null) return n;
    if (out.length !== 1)
      throw new RuleError(
        `${where(item)}: "${s.value}" maps to ${out.length} fields, and a field list takes one`,
        doc.line(s),
        s.value,
      );
    return renamed(s, out[0] as string);
  };
  if (isSeq(node)) node.items = node.items.map(one);
  else if (pair && isScalar(node)) pair.value = one(node);
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
      if (!fields || !isMap(corr)) return;
      renameNames(doc, child(corr, "group-by"), fields, item);
      const cond = doc.deref(child(corr, "condition")?.value);
      if (isMap(cond)) renameNames(doc, child(cond, "field"), fields, item);
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
    if (!isMap(root)) return applied;
    const kind =
      child(root, "correlation") && !child(root, "detection") ? "correlation" : "detection";
    rules.push({ doc, root, kind, applied });
    return applied;
  });
  for (const item of processing) applyItem(item, rules);
  return out;
}
