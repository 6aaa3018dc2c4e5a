import { describe, expect, it } from "vitest";
import { compile, errorOf, ruleText } from "./helpers";

const SELECTIONS = `
sel_a:
  eventName: a
sel_b:
  actor.email: b
filter:
  tags.env: dev
_private:
  eventName: zzz
`;

function rule(condition: string) {
  return compile(`${SELECTIONS}condition: ${condition}`);
}

const row = (eventName: string, email: string, env = "prod") => ({
  eventName,
  actor: { email },
  tags: { env },
});

describe("condition", () => {
  it("and", () => {
    const r = rule("sel_a and sel_b");
    expect(r.match(row("a", "b"))).toEqual(['sel_a: eventName: "a"', 'sel_b: actor.email: "b"']);
    expect(r.match(row("a", "x"))).toBeNull();
  });

  it("or", () => {
    const r = rule("sel_a or sel_b");
    expect(r.match(row("x", "b"))).toEqual(['sel_b: actor.email: "b"']);
    expect(r.match(row("x", "x"))).toBeNull();
  });

  it("not", () => {
    const r = rule("sel_a and not filter");
    expect(r.match(row("a", "x", "prod"))).toEqual(['sel_a: eventName: "a"']);
    expect(r.match(row("a", "x", "dev"))).toBeNull();
  });

  it("a lone not explains with the condition", () => {
    const r = rule("not filter");
    expect(r.match(row("x", "x", "prod"))).toEqual(["condition: not filter"]);
    expect(r.match(row("x", "x", "dev"))).toBeNull();
  });

  it("precedence: not binds tighter than and, and than or", () => {
    // sel_a or (sel_b and (not filter))
    const r = rule("sel_a or sel_b and not filter");
    expect(r.match(row("a", "x", "dev"))).not.toBeNull();
    expect(r.match(row("x", "b", "prod"))).not.toBeNull();
    expect(r.match(row("x", "b", "dev"))).toBeNull();
  });

  it("parentheses", () => {
    const r = rule("(sel_a or sel_b) and not filter");
    expect(r.match(row("a", "x", "prod"))).not.toBeNull();
    expect(r.match(row("a", "x", "dev"))).toBeNull();
    const nested = rule("not (sel_a or (sel_b))");
    expect(nested.match(row("x", "x"))).not.toBeNull();
    expect(nested.match(row("x", "b"))).toBeNull();
  });
});

describe("condition: 1 of / all of", () => {
  it("keywords are case-insensitive", () => {
    const r = rule("sel_a AND NOT filter");
    expect(r.match(row("a", "x", "prod"))).not.toBeNull();
    expect(r.match(row("a", "x", "dev"))).toBeNull();
  });

  it("1 of a pattern", () => {
    const r = rule("1 of sel_*");
    expect(r.match(row("x", "b"))).toEqual(['sel_b: actor.email: "b"']);
    expect(r.match(row("x", "x"))).toBeNull();
  });

  it("all of a pattern", () => {
    const r = rule("all of sel_*");
    expect(r.match(row("a", "b"))).not.toBeNull();
    expect(r.match(row("a", "x"))).toBeNull();
  });

  it("1 of them (names starting with _ excluded)", () => {
    const r = rule("1 of them");
    expect(r.match(row("x", "x", "dev"))).toEqual(['filter: tags.env: "dev"']);
    expect(r.match(row("zzz", "x"))).toBeNull();
  });

  it("all of them", () => {
    const r = rule("all of them");
    expect(r.match(row("a", "b", "dev"))).not.toBeNull();
    expect(r.match(row("a", "b", "prod"))).toBeNull();
  });

  it("1 of x combined with not 1 of y", () => {
    const r = rule("1 of sel_* and not 1 of filt*");
    expect(r.match(row("a", "x", "prod"))).not.toBeNull();
    expect(r.match(row("a", "x", "dev"))).toBeNull();
  });

  it("a list of conditions is OR", () => {
    const r = compile(`${SELECTIONS}condition:\n  - sel_a and filter\n  - sel_b`);
    expect(r.match(row("x", "b", "prod"))).not.toBeNull();
    expect(r.match(row("a", "x", "dev"))).not.toBeNull();
    expect(r.match(row("a", "x", "prod"))).toBeNull();
  });
});

describe("condition errors name the condition's line", () => {
  const cases: [string, string][] = [
    ["sel_a and sel_c", 'unknown selection "sel_c"'],
    ["sel_a and", "ends where a selection was expected"],
    ["(sel_a or sel_b", 'a "(" is not closed'],
    ["sel_a sel_b", 'unexpected "sel_b"'],
    ["2 of sel_*", '"2 of" is not supported'],
    ["1 of nothing*", "matches no selection"],
    ["sel_*", 'needs "1 of" or "all of"'],
    ["sel_a | count() > 5", "aggregations"],
  ];
  for (const [condition, message] of cases) {
    it(condition, () => {
      const err = errorOf(ruleText(`${SELECTIONS}condition: ${condition}`));
      // 3 metadata lines, "detection:", then 8 lines of selections: the condition is line 13.
      expect(err.line).toBe(13);
      expect(err.message).toMatch(/^line 13: condition /);
      expect(err.message).toContain(message);
    });
  }
});
