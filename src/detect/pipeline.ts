import { isMap, isScalar, LineCounter, type Node, parseDocument } from "yaml";
import { RuleError } from "./errors";
import {
  bool,
  conditionList,
  fieldCondition,
  keyedStrict,
  linking,
  optionalString,
  ruleCondition,
} from "./pipeline-conditions";
import type {
  Pipeline,
  ProcessingItem,
  Transformation,
  TransformationType,
} from "./pipeline-types";
import { checkYamlDepth } from "./yaml-depth";
import { Doc, type Entry } from "./yaml-nodes";

/**
 * Parses a processing pipeline in pySigma's YAML format (docs/detections.md "Pipelines"). Every
 * refusal is a RuleError naming the line: an unknown or unsupported transformation type, a
 * condition type other than logsource/include_fields/exclude_fields, a parameter the type does
 * not take. Bounded: MAX_ITEMS items, MAX_MAPPING names per mapping.
 */

export const MAX_ITEMS = 200;
export const MAX_MAPPING = 1000;

export const TRANSFORMATIONS: readonly TransformationType[] = [
  "field_name_mapping",
  "field_name_prefix_mapping",
  "field_name_prefix",
  "field_name_suffix",
  "change_logsource",
  "add_condition",
  "drop_detection_item",
];

/** pySigma's other transformation types: known, not run here (they say so). */
const NOT_BUILT = new Set([
  "field_name_transform",
  "hashes_fields",
  "extract_fields",
  "wildcard_placeholders",
  "value_placeholders",
  "query_expression_placeholders",
  "file_placeholders",
  "http_placeholders",
  "command_placeholders",
  "add_field",
  "remove_field",
  "set_field",
  "replace_string",
  "map_string",
  "set_state",
  "regex",
  "set_value",
  "convert_type",
  "rule_failure",
  "detection_item_failure",
  "strict_field_mapping_failure",
  "set_custom_attribute",
  "nest",
  "case",
]);

/** Keys of a pipeline that only matter to a query backend: accepted, ignored with a warning. */
const BACKEND_ONLY = new Set(["vars", "allowed_backends", "postprocessing", "finalizers"]);
const ITEM_KEYS = new Set([
  "id",
  "type",
  "rule_conditions",
  "rule_cond_op",
  "rule_cond_not",
  "field_name_conditions",
  "field_name_cond_op",
  "field_name_cond_not",
]);
const PARAMS: Record<TransformationType, readonly string[]> = {
  field_name_mapping: ["mapping"],
  field_name_prefix_mapping: ["mapping"],
  field_name_prefix: ["prefix"],
  field_name_suffix: ["suffix"],
  change_logsource: ["category", "product", "service"],
  add_condition: ["conditions", "negated", "template", "name"],
  drop_detection_item: [],
};

function mapping(doc: Doc, e: Entry | undefined, line: number): Map<string, string[]> {
  if (!e) doc.fail('this transformation needs "mapping"', line, "mapping");
  const entries = doc.entries(e.value, "mapping", e.valueLine);
  if (entries.length > MAX_MAPPING)
    doc.fail(`a mapping holds at most ${MAX_MAPPING} names`, e.valueLine, "mapping");
  return new Map(entries.map((m) => [m.key, doc.strings(m.value, m.key, m.valueLine)]));
}

function transformation(
  doc: Doc,
  type: TransformationType,
  keys: Map<string, Entry>,
  line: number,
): Transformation {
  const str = (k: string) => {
    const e = keys.get(k);
    if (!e) doc.fail(`${type} needs "${k}"`, line, k);
    return doc.scalar(e.value, k, e.valueLine) === "" ? "" : doc.string(e.value, k, e.valueLine);
  };
  switch (type) {
    case "field_name_mapping":
    case "field_name_prefix_mapping":
      return { type, mapping: mapping(doc, keys.get("mapping"), line) };
    case "field_name_prefix":
      return { type, prefix: str("prefix") };
    case "field_name_suffix":
      return { type, suffix: str("suffix") };
    case "change_logsource":
      return {
        type,
        category: optionalString(doc, keys.get("category")),
        product: optionalString(doc, keys.get("product")),
        service: optionalString(doc, keys.get("service")),
      };
    case "add_condition": {
      const c = keys.get("conditions");
      if (!c || !isMap(c.value))
        return doc.fail(
          'add_condition needs "conditions" (a mapping)',
          c?.valueLine ?? line,
          "conditions",
        );
      const conditions = c.value.toJSON() as Record<string, unknown>;
      if (Object.keys(conditions).length === 0)
        doc.fail("conditions is empty", c.valueLine, "conditions");
      return {
        type,
        conditions,
        negated: bool(doc, keys.get("negated")),
        name: optionalString(doc, keys.get("name")),
        template: bool(doc, keys.get("template")),
      };
    }
    case "drop_detection_item":
      return { type };
  }
}

function item(doc: Doc, pipeline: string, node: Node, line: number, index: number): ProcessingItem {
  const entries = doc.entries(node, "a transformation", line);
  const typeEntry = entries.find((e) => e.key === "type");
  if (!typeEntry) return doc.fail('a transformation needs "type"', line, "type");
  const typeName = doc.string(typeEntry.value, "type", typeEntry.valueLine);
  if (!(TRANSFORMATIONS as readonly string[]).includes(typeName)) {
    const why = NOT_BUILT.has(typeName) ? "is not supported" : "is unknown";
    doc.fail(
      `transformation type "${typeName}" ${why} (supported: ${TRANSFORMATIONS.join(", ")})`,
      typeEntry.valueLine,
      "type",
    );
  }
  const type = typeName as TransformationType;
  const keys = keyedStrict(
    doc,
    entries,
    new Set([...ITEM_KEYS, ...PARAMS[type]]),
    `a ${type} transformation`,
  );
  const id = optionalString(doc, keys.get("id")) ?? `item-${index + 1}`;
  return {
    pipeline,
    id,
    transformation: transformation(doc, type, keys, line),
    ruleConditions: conditionList(doc, keys.get("rule_conditions")).map((c) =>
      ruleCondition(doc, c.node, c.line),
    ),
    ruleAny: linking(doc, keys.get("rule_cond_op")),
    ruleNot: bool(doc, keys.get("rule_cond_not")),
    fieldConditions: conditionList(doc, keys.get("field_name_conditions")).map((c) =>
      fieldCondition(doc, c.node, c.line),
    ),
    fieldAny: linking(doc, keys.get("field_name_cond_op")),
    fieldNot: bool(doc, keys.get("field_name_cond_not")),
  };
}

/** Parses one pipeline text; `id` names it (file name or URL id). Throws a RuleError naming the line. */
export function parsePipeline(id: string, text: string): Pipeline {
  checkYamlDepth(text);
  const lc = new LineCounter();
  const parsed = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  const error = parsed.errors[0];
  if (error) throw new RuleError(`YAML: ${error.message}`, lc.linePos(error.pos[0]).line);
  const doc = new Doc(parsed, lc);
  if (parsed.contents === null || (isScalar(parsed.contents) && parsed.contents.value === null))
    doc.fail("the pipeline is empty", 1);
  const warnings: string[] = [];
  const keys = new Map<string, Entry>();
  for (const e of doc.entries(parsed.contents, "a pipeline", 1)) {
    if (BACKEND_ONLY.has(e.key))
      warnings.push(
        `line ${e.line}: "${e.key}" ignored (it serves query backends; auditflare runs rules without converting them)`,
      );
    else if (!["name", "priority", "transformations"].includes(e.key))
      doc.fail(
        `unknown key "${e.key}" (allowed: name, priority, transformations, ${[...BACKEND_ONLY].join(", ")})`,
        e.line,
        e.key,
      );
    else keys.set(e.key, e);
  }
  const p = keys.get("priority");
  const priority = p ? doc.scalar(p.value, "priority", p.valueLine) : 0;
  if (typeof priority !== "number" || !Number.isInteger(priority))
    return doc.fail("priority must be a whole number", p?.valueLine ?? 1, "priority");
  const t = keys.get("transformations");
  if (!t) return doc.fail('a pipeline needs "transformations" (a list)', 1, "transformations");
  const nodes = doc.items(t.value);
  if (nodes === null)
    return doc.fail("transformations must be a list", t.valueLine, "transformations");
  if (nodes.length > MAX_ITEMS)
    doc.fail(
      `a pipeline holds at most ${MAX_ITEMS} transformations`,
      t.valueLine,
      "transformations",
    );
  const items = nodes.map((n, i) =>
    item(doc, id, n as Node, doc.line(n, t.valueLine) ?? t.valueLine, i),
  );
  const seen = new Set<string>();
  for (const [i, it] of items.entries()) {
    if (seen.has(it.id))
      doc.fail(`transformation id "${it.id}" is used twice`, doc.line(nodes[i], t.valueLine), "id");
    seen.add(it.id);
  }
  return { id, name: optionalString(doc, keys.get("name")) ?? id, priority, items, warnings };
}

/** The items of several pipelines in the order they run: by priority, then id. */
export function processingOf(pipelines: readonly Pipeline[]): ProcessingItem[] {
  return [...pipelines]
    .sort((a, b) => a.priority - b.priority || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .flatMap((p) => p.items);
}
