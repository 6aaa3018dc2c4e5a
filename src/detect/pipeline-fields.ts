import { isMap, isScalar, isSeq, type Node, Pair, Scalar, YAMLMap, YAMLSeq } from "yaml";
import { RuleError } from "./errors";
import type { LogsourceCondition, ProcessingItem } from "./pipeline-types";
import type { Doc } from "./yaml-nodes";

/** Field-name transformations of processing pipelines over a rule's YAML tree (pipeline-apply.ts). */

/** Alternatives a one-to-many mapping may multiply a selection into (OR of the combinations). */
export const MAX_VARIANTS = 64;

export type Logsource = Record<keyof LogsourceCondition, string | null>;
export type FieldMap = (field: string) => readonly string[] | null;

export const where = (item: ProcessingItem) =>
  `pipeline "${item.pipeline}", transformation "${item.id}"`;

export function child(root: YAMLMap, key: string): Pair | undefined {
  return root.items.find((p) => isScalar(p.key) && p.key.value === key);
}

export function keyText(pair: Pair): string | null {
  return isScalar(pair.key) && pair.key.value !== null ? String(pair.key.value) : null;
}

export function fieldApplies(item: ProcessingItem, field: string): boolean {
  const results = item.fieldConditions.map((c) => (c.exclude ? !c.test(field) : c.test(field)));
  const r = item.fieldAny ? results.some(Boolean) : results.every(Boolean);
  return item.fieldNot ? !r : r;
}

/** The item's field-name function, or null when the item does not rename fields. */
export function fieldMap(item: ProcessingItem): FieldMap | null {
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

export function renamed(old: Node, text: string): Scalar {
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
export function selections(det: YAMLMap): Pair[] {
  return det.items.filter((p) => {
    const k = keyText(p);
    return k !== null && k !== "condition" && k !== "timeframe";
  });
}

export function renameSelections(
  doc: Doc,
  det: YAMLMap,
  fields: FieldMap,
  item: ProcessingItem,
): void {
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
export function renameNames(
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
