import { isMap, type Node } from "yaml";
import { RuleError } from "./errors";
import { type Accessor, checkField, compileAccessor } from "./field-path";
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

function valueMatches(t: ValueTest, v: unknown): boolean {
  if (t.elementwise && Array.isArray(v)) {
    for (const e of v) if (t.test(e)) return true;
    return false;
  }
  return t.test(v);
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
  if (field === "") {
    throw new RuleError("keyword searches (a key without a field) are not supported", line, key);
  }
  checkField(field, known, line);
  const mods = parseModifiers(modNames, line, field);
  const tests = compileValues(doc, node, mods, field, line);
  const get: Accessor = compileAccessor(field);
  const label = `${field}${mods.text}`;
  if (mods.all) {
    return {
      test: (row) => {
        const v = get(row);
        for (const t of tests) if (!valueMatches(t, v)) return false;
        return true;
      },
      describe: () => `${label}: [${tests.map((t) => t.text).join(", ")}]`,
    };
  }
  return {
    test: (row) => {
      const v = get(row);
      for (const t of tests) if (valueMatches(t, v)) return true;
      return false;
    },
    describe: (row) => {
      const v = get(row);
      return `${label}: ${tests.find((t) => valueMatches(t, v))?.text ?? "?"}`;
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
  return {
    test: (row: Row) => {
      for (const c of checks) if (!c.test(row)) return false;
      return true;
    },
    describe: (row: Row) => checks.map((c) => c.describe(row)).join(", "),
  };
}

/**
 * A selection: a mapping (every field matches) or a list of mappings (any of them matches).
 * A list of plain values (a keyword search over the whole event) is refused.
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
    throw new RuleError(`selection "${name}" must be a mapping or a list of mappings`, line, name);
  }
  if (items.length === 0) throw new RuleError(`selection "${name}" is empty`, line, name);
  const groups = items.map((item) => {
    const itemLine = doc.line(item, line) ?? line;
    if (item === null || !isMap(item)) {
      throw new RuleError(
        `selection "${name}": keyword searches (a list of plain values) are not supported`,
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
