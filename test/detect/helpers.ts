import { expect } from "vitest";
import {
  type CorrelationRule,
  type DetectionRule,
  parseRules,
  type Rule,
  RuleError,
} from "../../src/detect/sigma";

/** Common columns (maps as `actor`, `tags.*`) and one vendor's columns. */
const COMMON = [
  "eventName",
  "eventID",
  "sourceType",
  "sourceID",
  "readOnly",
  "srcIP",
  "serviceName",
  "actor",
  "tags.*",
  "resources",
  "count",
];
const VENDOR: Record<string, string[]> = {
  planetscale: ["action", "actor_display_name", "remote_ip"],
  circleci: ["scope", "success"],
};

export function knownFields(product: string | null): ReadonlySet<string> {
  return new Set([
    ...COMMON,
    ...(product ? (VENDOR[product] ?? []) : Object.values(VENDOR).flat()),
  ]);
}

export const PRODUCTS = ["planetscale", "circleci", "turbopuffer", "airkit", "turso", "auditflare"];

export function parse(text: string): Rule[] {
  return parseRules(text, knownFields, PRODUCTS);
}

/** A whole rule around a `detection:` body (indented two spaces, as written under it). */
export function ruleText(detection: string, extra = ""): string {
  const body = detection
    .trim()
    .split("\n")
    .map((l) => `  ${l}`)
    .join("\n");
  return `title: Test rule\nid: test-rule\nlevel: high\n${extra}detection:\n${body}\n`;
}

export function detection(text: string): DetectionRule {
  const rules = parse(text);
  expect(rules).toHaveLength(1);
  const [rule] = rules;
  if (rule?.kind !== "detection") throw new Error("not a detection");
  return rule;
}

/** The detection of `detection:` body text. */
export function compile(body: string, extra = ""): DetectionRule {
  return detection(ruleText(body, extra));
}

export function correlation(rules: Rule[], id: string): CorrelationRule {
  const rule = rules.find((r) => r.id === id);
  if (rule?.kind !== "correlation") throw new Error(`${id} is not a correlation`);
  return rule;
}

/** The RuleError parsing `text` throws. */
export function errorOf(text: string): RuleError {
  try {
    parse(text);
  } catch (err) {
    if (err instanceof RuleError) return err;
    throw err;
  }
  throw new Error("parsed without an error");
}

/** Asserts a single-selection rule matches the first row and not the second. */
export function expectSplit(
  body: string,
  yes: Record<string, unknown>,
  no: Record<string, unknown>,
) {
  const rule = compile(body);
  expect(rule.match(yes), "should match").not.toBeNull();
  expect(rule.match(no), "should not match").toBeNull();
}
