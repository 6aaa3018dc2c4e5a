import { isScalar, type Node } from "yaml";
import { encodes, transformValue } from "./encodings";
import { RuleError } from "./errors";
import { compileAccessor } from "./field-path";
import type { Modifiers, TimePart } from "./modifiers";
import { cidrTest, type Item, regexTest, textOf, type ValueTest } from "./patterns";
import { compileFolded, compileString, type StringTest } from "./strings";
import type { Row } from "./types";
import type { Doc } from "./yaml-nodes";

export type { Item, ValueTest };

function stringTest(t: StringTest): (v: unknown) => boolean {
  return (v) => {
    const s = textOf(v);
    return s !== null && t(s);
  };
}

function escapeWildcards(s: string): string {
  return s.replace(/[\\*?]/g, "\\$&");
}

function compareTest(item: Item, op: NonNullable<Modifiers["compare"]>): ValueTest {
  const n = item.value;
  if (typeof n !== "number") {
    throw new RuleError(`"${op}" needs a number, got ${item.source}`, item.line, item.field);
  }
  const test = (v: unknown) => {
    const x =
      typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
    if (op === "lt") return x < n;
    if (op === "lte") return x <= n;
    if (op === "gt") return x > n;
    return x >= n;
  };
  return { test, elementwise: true, text: item.source };
}

/**
 * A string value, after its transforms (windash, encodings): any of its variants. `folded`: the
 * test of the folded text (compileFolded), for a value without `cased`.
 */
function stringValues(item: Item, value: string, mods: Modifiers, folded: boolean): StringTest {
  const compile = (v: string) =>
    folded ? compileFolded(v, mods.mode) : compileString(v, mods.mode, mods.cased);
  if (mods.transforms.length === 0) return compile(value);
  if (mods.transforms.some(encodes) && /(^|[^\\])[*?]/.test(value)) {
    const msg = `${mods.text.slice(1)}: a value with wildcards cannot be encoded`;
    throw new RuleError(msg, item.line, item.field);
  }
  const variants = transformValue(value, mods.transforms, item.line, item.field);
  const tests = variants.map((v) =>
    compile(mods.transforms.some(encodes) ? escapeWildcards(v) : v),
  );
  return (s) => tests.some((t) => t(s));
}

/** `fieldref`: the value names a field whose value this one equals (contains, …). */
function fieldrefTest(item: Item, mods: Modifiers): ValueTest {
  if (typeof item.value !== "string" || item.value.trim() === "") {
    throw new RuleError(`"fieldref" needs a field name, got ${item.source}`, item.line, item.field);
  }
  const other = compileAccessor(item.value.trim());
  const test = (v: unknown, row: Row) => {
    const want = textOf(other(row));
    const got = textOf(v);
    if (want === null || got === null) return false;
    return compileString(escapeWildcards(want), mods.mode, mods.cased)(got);
  };
  return { test, elementwise: true, text: `field ${item.value}`, fieldOf: item.value.trim() };
}

/** The UTC part of a date (ISO text or epoch milliseconds); null when not a date. */
function timePart(v: unknown, part: TimePart): number | null {
  const d = typeof v === "number" ? new Date(v) : typeof v === "string" ? new Date(v) : null;
  if (d === null || Number.isNaN(d.getTime())) return null;
  if (part === "minute") return d.getUTCMinutes();
  if (part === "hour") return d.getUTCHours();
  if (part === "day") return d.getUTCDate();
  if (part === "month") return d.getUTCMonth() + 1;
  if (part === "year") return d.getUTCFullYear();
  // ISO week: the week of the Thursday of this date's week.
  const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  t.setUTCDate(t.getUTCDate() + 4 - (t.getUTCDay() || 7));
  return Math.ceil(((t.getTime() - Date.UTC(t.getUTCFullYear(), 0, 1)) / 86_400_000 + 1) / 7);
}

/** minute, hour, day, week, month, year: a part of a date, equal (or compared) to a number. */
function timeTest(item: Item, mods: Modifiers, part: TimePart): ValueTest {
  const n = item.value;
  if (typeof n !== "number") {
    throw new RuleError(`"${part}" needs a number, got ${item.source}`, item.line, item.field);
  }
  const test = (v: unknown) => {
    const x = timePart(v, part);
    if (x === null) return false;
    if (mods.compare === "lt") return x < n;
    if (mods.compare === "lte") return x <= n;
    if (mods.compare === "gt") return x > n;
    if (mods.compare === "gte") return x >= n;
    return x === n;
  };
  return { test, elementwise: true, text: item.source };
}

/** A plain or contains/startswith/endswith value: strings as Sigma strings, numbers and
 * booleans by value (or as their text). */
function plainTest(item: Item, mods: Modifiers): ValueTest {
  const { value, source } = item;
  if (typeof value === "string") {
    const t = stringValues(item, value, mods, false);
    const test: ValueTest = { test: stringTest(t), elementwise: true, text: JSON.stringify(value) };
    if (!mods.cased) test.folded = stringValues(item, value, mods, true);
    return test;
  }
  if (typeof value !== "number" && typeof value !== "boolean") {
    throw new RuleError(`unsupported value ${source}`, item.line, item.field);
  }
  const texts = [...new Set([source, String(value)])];
  const tests = texts.map((s) => compileString(escapeWildcards(s), mods.mode, mods.cased));
  if (mods.mode !== "equals")
    return { test: stringTest((s) => tests.some((t) => t(s))), elementwise: true, text: source };
  const test = (v: unknown) => {
    if (v === value) return true;
    if (typeof v !== "string") return false;
    for (const t of tests) if (t(v)) return true;
    return false;
  };
  return { test, elementwise: true, text: source };
}

function existsTest(item: Item): ValueTest {
  const want = item.value;
  if (typeof want !== "boolean") {
    throw new RuleError(`"exists" needs true or false, got ${item.source}`, item.line, item.field);
  }
  return {
    test: (v) => (v !== undefined) === want,
    elementwise: false,
    text: String(want),
  };
}

const NULL_TEST: ValueTest = {
  test: (v) => v === undefined || v === null,
  elementwise: false,
  text: "null",
};

function compileItem(item: Item, mods: Modifiers): ValueTest {
  if (mods.exists) return existsTest(item);
  if (item.value === null) {
    if (mods.text !== "" && mods.text !== "|all" && mods.text !== "|neq") {
      throw new RuleError(
        `null cannot take modifiers (${mods.text.slice(1)})`,
        item.line,
        item.field,
      );
    }
    return NULL_TEST;
  }
  if (mods.re) return regexTest(item, mods.reFlags);
  if (mods.fieldref) return fieldrefTest(item, mods);
  if (mods.time) return timeTest(item, mods, mods.time);
  if (mods.cidr) return cidrTest(item);
  if (mods.compare) return compareTest(item, mods.compare);
  return plainTest(item, mods);
}

/** The value(s) of one `field|mods: value` entry, one test per listed value. */
export function compileValues(
  doc: Doc,
  node: Node | null,
  mods: Modifiers,
  field: string,
  line: number,
): ValueTest[] {
  const listed = doc.items(node);
  const nodes = listed ?? [node];
  if (listed && listed.length === 0) throw new RuleError(`${field}: an empty list`, line, field);
  if (!listed && mods.all) throw new RuleError(`"all" needs a list of values`, line, field);
  if (listed && mods.exists) throw new RuleError(`"exists" takes one value`, line, field);
  return nodes.map((n) => {
    const itemLine = doc.line(n, line) ?? line;
    if (n !== null && !isScalar(n)) {
      throw new RuleError(
        `${field}: a value must be a single value or a list of them`,
        itemLine,
        field,
      );
    }
    const value = n === null ? null : n.value;
    const source = value === null ? "null" : (n?.source ?? JSON.stringify(value));
    return compileItem({ value, source, line: itemLine, field }, mods);
  });
}
