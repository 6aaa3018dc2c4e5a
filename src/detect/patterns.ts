import { RE2JS } from "re2js";
import { cidrContains, type ParsedIP, parseCidr, parseIP } from "../lib/ip";
import { RuleError } from "./errors";
import type { StringTest } from "./strings";
import type { Row } from "./types";

/** One rule value compiled: `test` takes the row's value (an array's elements, one by one,
 * when `elementwise`) and the row (for fieldref). */
export interface ValueTest {
  test(v: unknown, row: Row): boolean;
  elementwise: boolean;
  /** The rule value as written, for match explanations. */
  text: string;
  /** fieldref: the field named by the value (checked like the key's field). */
  fieldOf?: string;
  /**
   * The same test on a string, number or boolean, given its text folded (fold(textOf(v))):
   * for a case-insensitive string value, whose rules then share one folded text per event.
   */
  folded?: StringTest;
}

export interface Item {
  value: unknown;
  source: string;
  line: number;
  field: string;
}

/** A row value as text for string patterns (numbers and booleans as written by String). */
export function textOf(v: unknown): string | null {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return null;
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
export function regexTest(item: Item, flags: string): ValueTest {
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
    test: (v) => {
      const s = textOf(v);
      return s !== null && re.test(s);
    },
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

export function cidrTest(item: Item): ValueTest {
  const cidr = typeof item.value === "string" ? parseCidr(item.value.trim()) : null;
  if (!cidr) throw new RuleError(`invalid CIDR ${item.source}`, item.line, item.field);
  const test = (v: unknown) => {
    if (typeof v !== "string") return false;
    const ip = parsedIP(v);
    return ip !== null && cidrContains(cidr, ip);
  };
  return { test, elementwise: true, text: String(item.value) };
}
