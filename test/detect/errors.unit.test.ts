import { describe, expect, it } from "vitest";
import { RuleError } from "../../src/detect/sigma";
import { errorOf } from "./helpers";

const HEAD = "title: t\nid: r1\nlevel: high\n";
const BODY = "detection:\n  sel:\n    eventName: x\n  condition: sel\n";

/** Asserts parsing fails at `line` with a message containing `text`. */
function fails(yaml: string, line: number, text: string | RegExp, field?: string) {
  const err = errorOf(yaml);
  expect(err).toBeInstanceOf(RuleError);
  expect(err.line).toBe(line);
  expect(err.message.startsWith(`line ${line}: `)).toBe(true);
  if (typeof text === "string") expect(err.message).toContain(text);
  else expect(err.message).toMatch(text);
  if (field !== undefined) expect(err.field).toBe(field);
}

function rule(detection: string): string {
  return `${HEAD}detection:\n${detection}`;
}

describe("errors name the line", () => {
  it("unknown field, with the nearest known names", () => {
    fails(
      rule("  sel:\n    eventName: x\n    actor_mail: y\n  condition: sel\n"),
      7,
      /unknown field "actor_mail" \(known: actor, .*…\)/,
      "actor_mail",
    );
  });

  it("a dotted field needs a known map column before the dot", () => {
    fails(rule("  sel:\n    actr.email: y\n  condition: sel\n"), 6, 'unknown field "actr.email"');
  });

  it("unknown modifier", () => {
    fails(
      rule("  sel:\n    eventName|contain: x\n  condition: sel\n"),
      6,
      'unknown modifier "contain"',
    );
  });

  it("a Sigma modifier this engine does not implement", () => {
    fails(
      rule("  sel:\n    eventName|expand: '%admins%'\n  condition: sel\n"),
      6,
      'modifier "expand" is not supported: its %placeholders% need a processing pipeline',
    );
  });

  it("modifiers that cannot be combined", () => {
    fails(
      rule("  sel:\n    eventName|contains|startswith: x\n  condition: sel\n"),
      6,
      "cannot be combined",
    );
    fails(rule("  sel:\n    srcIP|cidr|contains: x\n  condition: sel\n"), 6, "cannot be combined");
    fails(rule("  sel:\n    eventName|i: x\n  condition: sel\n"), 6, 'needs "re"');
  });

  it("bad regex, at the value's line", () => {
    fails(
      rule("  sel:\n    eventName|re:\n      - ok\n      - '(unclosed'\n  condition: sel\n"),
      8,
      "invalid regular expression",
    );
  });

  it("bad CIDR", () => {
    fails(
      rule("  sel:\n    srcIP|cidr: 10.0.0.0/33\n  condition: sel\n"),
      6,
      "invalid CIDR 10.0.0.0/33",
    );
    fails(rule("  sel:\n    srcIP|cidr: 'fe80::zz/10'\n  condition: sel\n"), 6, "invalid CIDR");
  });
});

describe("errors name the line: values and structure", () => {
  it("exists needs a boolean; all needs a list; null takes no modifier", () => {
    fails(
      rule("  sel:\n    srcIP|exists: yes\n  condition: sel\n"),
      6,
      '"exists" needs true or false',
    );
    fails(rule("  sel:\n    srcIP|contains|all: x\n  condition: sel\n"), 6, '"all" needs a list');
    fails(
      rule("  sel:\n    srcIP|contains: null\n  condition: sel\n"),
      6,
      "null cannot take modifiers",
    );
    fails(rule("  sel:\n    count|gt: many\n  condition: sel\n"), 6, '"gt" needs a number');
  });

  it("a list mixing keywords and mappings; a keyword search with exists", () => {
    fails(
      rule("  keywords:\n    - evil\n    - eventName: x\n  condition: keywords\n"),
      6,
      "a list mixes mappings and plain values",
    );
    fails(rule("  sel:\n    '|exists': true\n  condition: sel\n"), 6, "keyword search cannot");
  });

  it("missing title (at the document's first line)", () => {
    fails(`id: r1\nlevel: high\n${BODY}`, 1, 'missing "title"', "title");
    fails(`${HEAD}${BODY}---\n# second\nid: r2\nlevel: high\n${BODY}`, 10, 'missing "title"');
  });

  it("a bad level, id or title", () => {
    fails(
      `${HEAD.replace("high", "severe")}${BODY}`,
      3,
      "level must be one of informational, low, medium, high, critical",
    );
    fails(`${HEAD.replace("r1", "r 1")}${BODY}`, 2, 'id "r 1" must be');
    fails(`${HEAD.replace("title: t", "title: ''")}${BODY}`, 1, "title must be a non-empty string");
  });

  it("YAML syntax error", () => {
    const sel = `${HEAD}detection:\n  sel:\n`;
    fails(
      `${sel}    eventName: x\n   bad: y\n  condition: sel\n`,
      7,
      /^line 7: YAML: All mapping items/,
    );
    fails(`${sel}    eventName: x: y\n  condition: sel\n`, 6, "YAML: Nested mappings");
    fails(`${HEAD}detection:\n\tsel: 1\n`, 5, "YAML: Tabs");
    fails(`${HEAD}title: again\n`, 4, "YAML: Map keys must be unique");
    // An unclosed quote is found where the text ends.
    fails(`${sel}    eventName: "x\n`, 7, "YAML: Missing closing");
  });
});

describe("errors name the line: rule keys", () => {
  it("a rule without detection or correlation; one with both", () => {
    fails(HEAD, 1, 'needs "detection"');
    fails(`${HEAD}detection: {}\ncorrelation: {}\n`, 1, "not both");
  });

  it("detection structure", () => {
    fails(rule("  sel:\n    eventName: x\n"), 4, 'missing "detection.condition"');
    fails(rule("  sel: {}\n  condition: sel\n"), 5, 'selection "sel" is empty');
    fails(
      rule("  sel:\n    eventName: x\n  timeframe: 5m\n  condition: sel\n"),
      7,
      "timeframe is not supported",
    );
    fails(
      rule("  sel:\n    eventName:\n      a: b\n  condition: sel\n"),
      7,
      "a value must be a single value",
    );
  });

  it("duplicate ids and names in one text", () => {
    fails(`${HEAD}${BODY}---\ntitle: u\nid: r1\nlevel: low\n${BODY}`, 10, 'id "r1" is used twice');
  });

  it("dedup fields are checked; dedup-minutes is a whole number", () => {
    fails(`${HEAD}dedup: [nope]\n${BODY}`, 4, 'unknown field "nope"');
    fails(`${HEAD}dedup-minutes: 1.5\n${BODY}`, 4, "whole number");
  });
});

describe("correlation errors", () => {
  const corr = (body: string) => `${HEAD}correlation:\n${body}`;
  const base = "  type: event_count\n  rules: [a]\n  timespan: 5m\n  condition:\n    gte: 3\n";

  it("parses the base", () => {
    expect(() => errorOf(corr(base))).toThrow("parsed without an error");
  });

  it("type", () => {
    fails(corr(base.replace("event_count", "bogus")), 5, "is unknown");
  });

  it("timespan", () => {
    fails(corr(base.replace("5m", "5 minutes")), 7, 'timespan "5 minutes" must be');
    fails(corr(base.replace("5m", "0s")), 7, "timespan");
  });

  it("condition", () => {
    fails(corr(base.replace("gte: 3", "percentile: 3")), 9, "is for value_percentile");
    fails(corr(base.replace("    gte: 3\n", "    {}\n")), 8, "needs one of");
    fails(
      corr(base.replace("gte: 3", "field: actor.email")),
      9,
      "condition.field is for value_count",
    );
    fails(corr(base.replace("event_count", "value_count")), 8, "needs field");
    fails(corr(base.replace("gte: 3", "gte: -1")), 9, "whole number");
    fails(corr(base.replace("gte: 3", "gte: 2.5")), 9, "whole number");
    fails(corr(base.replace("gte: 3", "gte: 5000")), 9, "above the 1000 hits");
    fails(corr(base.replace("gte: 3", "gt: 5\n    lt: 3")), 8, "no value that satisfies");
    fails(corr(base.replace("gte: 3", "gt: 5\n    lte: 5")), 8, "no value that satisfies");
    fails(corr(base.replace("gte: 3", "eq: 5\n    neq: 5")), 8, "no value that satisfies");
    const sum = base.replace("event_count", "value_sum");
    fails(
      corr(sum.replace("gte: 3", "gte: 3\n    field: count\n    percentile: 50")),
      11,
      "percentile is for value_percentile",
    );
    const pct = base.replace("event_count", "value_percentile");
    fails(
      corr(pct.replace("gte: 3", "gte: 3\n    field: count\n    percentile: 0")),
      11,
      "(0, 100]",
    );
    fails(corr(base.replace("gte: 3", "lower: 3")), 9, 'unknown condition "lower"');
  });

  it("group-by and alias fields are checked when the referenced rules are in the text", () => {
    const a = `---\ntitle: a\nid: a1\nname: a\n${BODY}`;
    fails(`${corr(`${base}  group-by: [nope]\n`)}${a}`, 10, 'unknown field "nope"');
    const alias = (to: string, ref = "a") =>
      `  aliases:\n    who:\n      ${ref}: ${to}\n  group-by: [who]\n`;
    fails(`${corr(`${base}${alias("nope")}`)}${a}`, 12, 'unknown field "nope"');
    fails(`${corr(`${base}${alias("eventName", "b")}`)}${a}`, 12, '"b" is not in rules');
    expect(() => errorOf(`${corr(`${base}${alias("eventName")}`)}${a}`)).toThrow("parsed without");
  });

  it("a chained correlation groups by fields of the correlation it references", () => {
    const inner = `---\ntitle: i\nid: i1\nname: inner\ncorrelation:\n${base}  group-by: [eventName]\n`;
    const outer = (by: string) =>
      corr(`  type: temporal\n  rules: [inner]\n  timespan: 5m\n  group-by: [${by}]\n`);
    fails(`${outer("srcIP")}${inner}`, 8, 'groups by eventName, not "srcIP"');
    expect(() => errorOf(`${outer("eventName")}${inner}`)).toThrow("parsed without");
  });

  it("missing parts", () => {
    fails(corr("  type: event_count\n  timespan: 5m\n"), 4, 'missing "correlation.rules"');
    fails(corr("  rules: [a]\n"), 4, 'missing "correlation.type"');
    fails(corr(base.replace("[a]", "[]")), 6, "correlation.rules is empty");
  });
});
