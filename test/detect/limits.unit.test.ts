import { describe, expect, it } from "vitest";
import { compileString } from "../../src/detect/strings";
import { compile, errorOf, expectSplit, ruleText } from "./helpers";

/**
 * What a rule or an event cannot do to the Worker (issue 22, items 8 and 10): wildcards and
 * `|re` run in linear time (RE2), conditions and YAML documents have a depth limit. No timing
 * assertion: each case would take minutes (or overflow the stack) on a backtracking engine.
 */

describe("wildcards match without backtracking", () => {
  it("'*a*a*a*a*a*a*a*a*a*b' (the red-team value) on long runs of a", () => {
    const t = compileString("*a*a*a*a*a*a*a*a*a*b", "equals", false);
    expect(t("a".repeat(5000))).toBe(false);
    expect(t(`${"a".repeat(5000)}b`)).toBe(true);
    expect(t("aaaaaaaaab")).toBe(true);
    expect(t("aaaaaaaab")).toBe(false);
    expect(t("AAAAAAAAAB")).toBe(true);
    expect(compileString("*a*a*a*a*a*a*a*a*a*b", "equals", true)("AAAAAAAAAB")).toBe(false);
  });

  it("? is one character, escapes are literal, contains/startswith/endswith wrap with *", () => {
    expect(compileString("a?c*e", "equals", false)("abcXXe")).toBe(true);
    expect(compileString("a?c*e", "equals", false)("acXXe")).toBe(false);
    expect(compileString("a\\*b*c", "equals", false)("a*bzzc")).toBe(true);
    expect(compileString("a\\*b*c", "equals", false)("axbzzc")).toBe(false);
    expect(compileString("b?d*f", "contains", false)("xxbcdeefyy")).toBe(true);
    expect(compileString("b?d*f", "startswith", false)("xxbcdeefyy")).toBe(false);
    expect(compileString("b?d*f", "endswith", false)("xxbcdeef")).toBe(true);
    expect(compileString("*?*", "equals", false)("")).toBe(false);
    expect(compileString("*?*", "equals", false)("x")).toBe(true);
  });

  it("a `1 of` pattern of many stars matches selection names like a glob", () => {
    const rule = compile(
      `${"a".repeat(40)}_b:\n  eventName: x\n${"a".repeat(40)}:\n  eventName: y\ncondition: 1 of *a*a*a*a*a*a*a*a*a*b`,
    );
    expect(rule.match({ eventName: "x" })).not.toBeNull();
    expect(rule.match({ eventName: "y" })).toBeNull();
  });
});

describe("|re runs on RE2", () => {
  it("'^(a|a)+$' (the red-team pattern) answers at once on 40 a's and a !", () => {
    expectSplit(
      "sel:\n  eventName|re: '^(a|a)+$'\ncondition: sel",
      { eventName: "a".repeat(40) },
      { eventName: `${"a".repeat(40)}!` },
    );
  });

  it("inline flags (?i) and the i, m, s sub-modifiers", () => {
    expectSplit(
      "sel:\n  eventName|re: '(?i)^user\\.create$'\ncondition: sel",
      { eventName: "USER.Create" },
      { eventName: "user.created" },
    );
    expectSplit(
      "sel:\n  eventName|re|i|s|m: '^b.c$'\ncondition: sel",
      { eventName: "a\nB\nC" },
      { eventName: "a\nbxxc" },
    );
  });

  it("refuses what RE2 cannot run (backreferences, lookarounds), naming the field", () => {
    for (const [pattern, why] of [
      ["(a)\\1", /backreference|\\1/],
      ["a(?=b)", /lookaround|\(\?=/],
      ["(?<!x)a", /lookaround|\(\?<!/],
    ] as const) {
      const err = errorOf(ruleText(`sel:\n  eventName|re: '${pattern}'\ncondition: sel`));
      expect(err.message).toMatch(/^line 6: eventName: .*RE2.*\(rule "test-rule"\)$/);
      expect(err.message).toMatch(why);
      expect(err.field).toBe("eventName");
    }
  });
});

describe("depth limits", () => {
  const sel = "sel:\n  eventName: x\n";
  it("a condition nested 5,000 deep is a RuleError, not a stack overflow", () => {
    const deep = `${"(".repeat(5000)}sel${")".repeat(5000)}`;
    const err = errorOf(ruleText(`${sel}condition: '${deep}'`));
    expect(err.message).toMatch(/nested more than 64 deep/);
    expect(err.field).toBe("condition");
  });

  it("12,000 nots are a RuleError; 60 are fine", () => {
    const err = errorOf(ruleText(`${sel}condition: '${"not ".repeat(12000)}sel'`));
    expect(err.message).toMatch(/nested more than 64 deep/);
    const ok = compile(`${sel}condition: '${"not ".repeat(60)}sel'`);
    expect(ok.match({ eventName: "x" })).not.toBeNull();
  });

  it("a YAML document nested deeper than 64 is refused before it is parsed", () => {
    for (const deep of [
      `tags: ${"[".repeat(20000)}${"]".repeat(20000)}\n`,
      `tags: ${"{a: ".repeat(7000)}${"}".repeat(7000)}\n`,
      `tags:\n${"- ".repeat(20000)}x\n`,
    ]) {
      const err = errorOf(`${deep}${ruleText(`${sel}condition: sel`)}`);
      expect(err.message).toMatch(/YAML nested more than 64 deep/);
    }
  });
});
