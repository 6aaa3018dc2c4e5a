import { RE2JS } from "re2js";
import { isScalar, type Node } from "yaml";
import { cidrContains, type ParsedIP, parseCidr, parseIP } from "../lib/ip";
import { RuleError } from "./errors";
import type { Modifiers } from "./modifiers";
import { compileString, type StringTest } from "./strings";
import type { Doc } from "./yaml-nodes";

/** One rule value compiled: `test` takes the row's value (an array's elements, one by one,
 * when `elementwise`). */
export interface ValueTest {
  test(v: unknown): boolean;
  elementwise: boolean;
  /** The rule value as written, for match explanations. */
  text: string;
}

interface Item {
  value: unknown;
  source: string;
  line: number;
  field: string;
}

/** A row value as text for string patterns (numbers and booleans as written by String). */
function textOf(v: unknown): string | null {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return null;
}

function stringTest(t: StringTest): (v: unknown) => boolean {
  return (v) => {
    const s = textOf(v);
    return s !== null && t(s);
  };
}

function escapeWildcards(s: string): string {
  return s.replace(/[\\*?]/g, "\\$&");
}

/** The `re` sub-modifiers as RE2 flags (Sigma: i, m, s; `(?i)` inline works as well). */
const RE2_FLAGS: Record<string, number> = {
  i: RE2JS.CASE_INSENSITIVE,
  m: RE2JS.MULTILINE,
  s: RE2JS.DOTALL,
};

/** Why RE2 refused a pattern, in words a rule author can act on. */
function re2Refusal(pattern: string, err: unknown): string {
  const why = err instanceof Error ? err.message : String(err);
  const lookaround = /\(\?<?[=!]/.test(pattern);
  const backref = /\\[1-9]|\\k</.test(pattern);
  const hint = lookaround
    ? " (lookarounds such as (?=, (?!, (?<= and (?<! are not supported)"
    : backref
      ? " (backreferences such as \\1 are not supported)"
      : "";
  return `invalid regular expression for RE2${hint}: ${why}`;
}

/**
 * `|re`: RE2 syntax (Sigma's regular expressions; inline flags like `(?i)`), matched anywhere
 * in the value, in time linear in the value whatever the pattern: no backtracking, so no
 * pattern or event can stall ingest. What RE2 cannot run (backreferences, lookarounds) is
 * refused when the rule is parsed.
 */
function regexTest(item: Item, flags: string): ValueTest {
  if (typeof item.value !== "string") {
    throw new RuleError(`"re" needs a string, got ${item.source}`, item.line, item.field);
  }
  const bits = [...flags].reduce((b, f) => b | (RE2_FLAGS[f] ?? 0), 0);
  let re: RE2JS;
  try {
    re = RE2JS.compile(item.value, bits);
  } catch (err) {
    const message = `${item.field}: ${re2Refusal(item.value, err)}`;
    throw new RuleError(message, item.line, item.field);
  }
  return {
    test: stringTest((s) => re.test(s)),
    elementwise: true,
    text: `/${item.value}/${flags}`,
  };
}

// The last address parsed: every cidr test of every rule reads the same row's srcIP in turn.
let lastText: string | null = null;
let lastIP: ParsedIP | null = null;

function parsedIP(text: string): ParsedIP | null {
  if (text !== lastText) {
    lastIP = parseIP(text);
    lastText = text;
  }
  return lastIP;
}

function cidrTest(item: Item): ValueTest {
  const cidr = typeof item.value === "string" ? parseCidr(item.value.trim()) : null;
  if (!cidr) throw new RuleError(`invalid CIDR ${item.source}`, item.line, item.field);
  const test = (v: unknown) => {
    if (typeof v !== "string") return false;
    const ip = parsedIP(v);
    return ip !== null && cidrContains(cidr, ip);
  };
  return { test, elementwise: true, text: String(item.value) };
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

/** A plain or contains/startswith/endswith value: strings as Sigma strings, numbers and
 * booleans by value (or as their text). */
function plainTest(item: Item, mods: Modifiers): ValueTest {
  const { value, source } = item;
  if (typeof value === "string") {
    const t = compileString(value, mods.mode, mods.cased);
    return { test: stringTest(t), elementwise: true, text: JSON.stringify(value) };
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
    test: (v) => (v !== undefined && v !== null) === want,
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
    if (mods.text !== "" && mods.text !== "|all") {
      throw new RuleError(
        `null cannot take modifiers (${mods.text.slice(1)})`,
        item.line,
        item.field,
      );
    }
    return NULL_TEST;
  }
  if (mods.re) return regexTest(item, mods.reFlags);
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
