import { RE2JS } from "re2js";
import { isSeq, type Node } from "yaml";
import type { FieldNameCondition, LogsourceCondition } from "./pipeline-types";
import type { Doc, Entry } from "./yaml-nodes";

/** The parameters and conditions of a pipeline's items (src/detect/pipeline.ts), parsed. */

export const optionalString = (doc: Doc, e: Entry | undefined) =>
  e && e.value !== null ? doc.string(e.value, e.key, e.valueLine) : null;

export function bool(doc: Doc, e: Entry | undefined): boolean {
  if (!e) return false;
  const v = doc.scalar(e.value, e.key, e.valueLine);
  if (typeof v !== "boolean") doc.fail(`${e.key} must be true or false`, e.valueLine, e.key);
  return v;
}

export function linking(doc: Doc, e: Entry | undefined): boolean {
  if (!e) return false;
  const v = doc.string(e.value, e.key, e.valueLine);
  if (v !== "and" && v !== "or") doc.fail(`${e.key} must be "and" or "or"`, e.valueLine, e.key);
  return v === "or";
}

/** The entries of a mapping by key; a key outside `allowed` is refused naming its line. */
export function keyedStrict(
  doc: Doc,
  entries: Entry[],
  allowed: ReadonlySet<string>,
  what: string,
) {
  const map = new Map<string, Entry>();
  for (const e of entries) {
    if (!allowed.has(e.key))
      doc.fail(`${what}: unknown key "${e.key}" (allowed: ${[...allowed].join(", ")})`, e.line);
    map.set(e.key, e);
  }
  return map;
}

/** A list of condition mappings (pySigma also allows a mapping of named ones, for *_cond_expr). */
export function conditionList(doc: Doc, e: Entry | undefined): { node: Node; line: number }[] {
  if (!e || e.value === null) return [];
  if (!isSeq(e.value))
    doc.fail(
      `${e.key} must be a list (named conditions need ${e.key.replace(/s$/, "")}_expr, which is not supported)`,
      e.valueLine,
      e.key,
    );
  return (doc.items(e.value) ?? []).map((n) => ({
    node: n as Node,
    line: doc.line(n, e.valueLine) ?? e.valueLine,
  }));
}

export function ruleCondition(doc: Doc, node: Node, line: number): LogsourceCondition {
  const keys = keyedStrict(
    doc,
    doc.entries(node, "a rule condition", line),
    new Set(["type", "category", "product", "service"]),
    "a rule condition",
  );
  const type = keys.get("type");
  const t = type ? doc.string(type.value, "type", type.valueLine) : "";
  if (t !== "logsource")
    doc.fail(
      `rule condition type "${t}" is not supported (supported: logsource)`,
      type?.valueLine ?? line,
      "type",
    );
  return {
    category: optionalString(doc, keys.get("category")),
    product: optionalString(doc, keys.get("product")),
    service: optionalString(doc, keys.get("service")),
  };
}

export function fieldCondition(doc: Doc, node: Node, line: number): FieldNameCondition {
  const keys = keyedStrict(
    doc,
    doc.entries(node, "a field name condition", line),
    new Set(["type", "fields", "mode"]),
    "a field name condition",
  );
  const type = keys.get("type");
  const t = type ? doc.string(type.value, "type", type.valueLine) : "";
  if (t !== "include_fields" && t !== "exclude_fields")
    doc.fail(
      `field name condition type "${t}" is not supported (supported: include_fields, exclude_fields)`,
      type?.valueLine ?? line,
      "type",
    );
  const f = keys.get("fields");
  if (!f) doc.fail('a field name condition needs "fields"', line, "fields");
  const fields = doc.strings(f.value, "fields", f.valueLine);
  const mode = optionalString(doc, keys.get("mode")) ?? "plain";
  if (mode !== "plain" && mode !== "re")
    doc.fail('mode must be "plain" or "re"', keys.get("mode")?.valueLine ?? line, "mode");
  const exclude = t === "exclude_fields";
  if (mode === "plain") return { exclude, test: (field) => fields.includes(field) };
  const patterns = fields.map((p) => {
    try {
      return RE2JS.compile(p);
    } catch (err) {
      return doc.fail(
        `invalid regular expression "${p}": ${(err as Error).message}`,
        f.valueLine,
        "fields",
      );
    }
  });
  // pySigma's re.match: anchored at the start of the name.
  return { exclude, test: (field) => patterns.some((p) => p.matcher(field).lookingAt()) };
}
