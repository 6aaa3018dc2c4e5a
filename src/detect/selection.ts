import { isMap, isScalar, type Node } from "yaml";
import { RuleError } from "./errors";
import { fieldReader } from "./event-cache";
import { checkField } from "./field-path";
import { parseModifiers } from "./modifiers";
import type { Row } from "./types";
import { compileValues, type ValueTest } from "./values";
import type { Doc } from "./yaml-nodes";

/** A named search identifier of a detection, compiled. */
export interface Selection {
  name: string;
  test(row: Row): boolean;
  /** Why it matched (call only when test is true): `name: field|mods: value, …`. */
  describe(row: Row): string;
}

interface FieldCheck {
  test(row: Row): boolean;
  describe(row: Row): string;
}

function valueMatches(t: ValueTest, v: unknown, row: Row): boolean {
  if (t.elementwise && Array.isArray(v)) {
    for (const e of v) if (t.test(e, row)) return true;
    return false;
  }
  return t.test(v, row);
}

/** How deep a keyword search looks into an event's objects and arrays. */
const KEYWORD_DEPTH = 8;

/** Whether a test matches any text (string, number, boolean) anywhere in a value. */
function anyText(t: ValueTest, v: unknown, row: Row, depth: number): boolean {
  if (typeof v === "string" || typeof v === "number" || typeof v === "boolean")
    return t.test(v, row);
  if (v === null || typeof v !== "object" || depth > KEYWORD_DEPTH) return false;
  for (const e of Array.isArray(v) ? v : Object.values(v))
    if (anyText(t, e, row, depth + 1)) return true;
  return false;
}

/**
 * A keyword search (a key with no field: `'|all': […]`, or a list of plain values): each value
 * is looked for anywhere in the event's text (every string, number and boolean of the row),
 * as `contains` unless another string modifier is given.
 */
function keywordCheck(doc: Doc, key: string, node: Node | null, line: number): FieldCheck {
  const mods = parseModifiers(key.split("|").slice(1), line, "keywords");
  if (mods.mode === "equals" && !mods.re && !mods.fieldref) mods.mode = "contains";
  if (mods.exists || mods.fieldref || mods.neq) {
    throw new RuleError(`a keyword search cannot take "${mods.text.slice(1)}"`, line, key);
  }
  const tests = compileValues(doc, node, mods, "keywords", line);
  const found = (t: ValueTest, row: Row) => anyText(t, row, row, 0);
  const label = `keywords${mods.text}`;
  if (mods.all) {
    return {
      test: (row) => tests.every((t) => found(t, row)),
      describe: () => `${label}: [${tests.map((t) => t.text).join(", ")}]`,
    };
  }
  return {
    test: (row) => tests.some((t) => found(t, row)),
    describe: (row) => `${label}: ${tests.find((t) => found(t, row))?.text ?? "?"}`,
  };
}

function compileField(
  doc: Doc,
  key: string,
  node: Node | null,
  line: number,
  known: ReadonlySet<string>,
): FieldCheck {
  const [rawField = "", ...modNames] = key.split("|");
  const field = rawField.trim();
  if (field === "") return keywordCheck(doc, key, node, line);
  checkField(field, known, line);
  const mods = parseModifiers(modNames, line, field);
  const tests = compileValues(doc, node, mods, field, line);
  for (const t of tests) if (t.fieldOf) checkField(t.fieldOf, known, line);
  const reader = fieldReader(field);
  const get = reader.get;
  const label = `${field}${mods.text}`;
  // Case-insensitive string values test the field's text folded once per event, shared by
  // every rule reading the field (src/detect/event-cache.ts); the others test the value.
  const folded = tests.map((t) => t.folded);
  const anyFolded = folded.some((f) => f !== undefined);
  /** Whether a test's answer on a string, number or boolean (f: its folded text) is `want`. */
  const anyAnswers = (row: Row, f: string, want: boolean) => {
    for (let i = 0; i < tests.length; i++) {
      const low = folded[i];
      const hit = low ? low(f) : (tests[i] as ValueTest).test(get(row), row);
      if (hit === want) return true;
    }
    return false;
  };
  if (mods.all) {
    const every = (row: Row) => {
      const f = anyFolded ? reader.folded(row) : undefined;
      if (f !== undefined) return !anyAnswers(row, f, false);
      const v = get(row);
      for (const t of tests) if (!valueMatches(t, v, row)) return false;
      return true;
    };
    return {
      test: mods.neq ? (row) => !every(row) : every,
      describe: () => `${label}: [${tests.map((t) => t.text).join(", ")}]`,
    };
  }
  const one = tests.length === 1 ? (tests[0] as ValueTest) : undefined;
  const oneFolded = folded[0];
  const some =
    one && oneFolded
      ? // One case-insensitive string value (the usual entry): no loop.
        (row: Row) => {
          const f = reader.folded(row);
          return f !== undefined ? oneFolded(f) : valueMatches(one, get(row), row);
        }
      : (row: Row) => {
          const f = anyFolded ? reader.folded(row) : undefined;
          if (f !== undefined) return anyAnswers(row, f, true);
          const v = get(row);
          for (const t of tests) if (valueMatches(t, v, row)) return true;
          return false;
        };
  if (mods.neq) {
    return {
      test: (row) => !some(row),
      describe: () => `${label}: [${tests.map((t) => t.text).join(", ")}]`,
    };
  }
  return {
    test: some,
    describe: (row) => {
      const v = get(row);
      return `${label}: ${tests.find((t) => valueMatches(t, v, row))?.text ?? "?"}`;
    },
  };
}

function compileGroup(
  doc: Doc,
  node: Node,
  name: string,
  line: number,
  known: ReadonlySet<string>,
) {
  const entries = doc.entries(node, `selection "${name}"`, line);
  if (entries.length === 0) throw new RuleError(`selection "${name}" is empty`, line, name);
  const checks = entries.map((e) => compileField(doc, e.key, e.value, e.line, known));
  const only = checks.length === 1 ? (checks[0] as FieldCheck) : undefined;
  return {
    test: only
      ? only.test
      : (row: Row) => {
          for (const c of checks) if (!c.test(row)) return false;
          return true;
        },
    describe: (row: Row) => checks.map((c) => c.describe(row)).join(", "),
  };
}

/**
 * A selection: a mapping (every field matches), a list of mappings (any of them matches), or
 * keywords (a value or a list of plain values: any of them anywhere in the event's text).
 */
export function compileSelection(
  doc: Doc,
  name: string,
  node: Node | null,
  line: number,
  known: ReadonlySet<string>,
): Selection {
  if (node !== null && isMap(node)) {
    const g = compileGroup(doc, node, name, line, known);
    return { name, test: g.test, describe: (row) => `${name}: ${g.describe(row)}` };
  }
  const items = doc.items(node);
  if (items === null) {
    if (node !== null && isScalar(node) && node.value !== null) {
      const k = keywordCheck(doc, "", node, line);
      return { name, test: k.test, describe: (row) => `${name}: ${k.describe(row)}` };
    }
    throw new RuleError(`selection "${name}" must be a mapping, a list or a keyword`, line, name);
  }
  if (items.length === 0) throw new RuleError(`selection "${name}" is empty`, line, name);
  if (items.every((item) => item !== null && isScalar(item))) {
    const k = keywordCheck(doc, "", node, line);
    return { name, test: k.test, describe: (row) => `${name}: ${k.describe(row)}` };
  }
  const groups = items.map((item) => {
    const itemLine = doc.line(item, line) ?? line;
    if (item === null || !isMap(item)) {
      throw new RuleError(
        `selection "${name}": a list mixes mappings and plain values (keywords)`,
        itemLine,
        name,
      );
    }
    return compileGroup(doc, item, name, itemLine, known);
  });
  return {
    name,
    test: (row) => {
      for (const g of groups) if (g.test(row)) return true;
      return false;
    },
    describe: (row) => `${name}: ${groups.find((g) => g.test(row))?.describe(row) ?? "?"}`,
  };
}
