import { RuleError } from "./errors";
import type { Selection } from "./selection";
import { compileString } from "./strings";
import type { Row } from "./types";

export type Test = (row: Row) => boolean;

/** How deep `not` and parentheses may nest (docs/detections.md): deeper is refused, not a
 * stack overflow. */
export const MAX_CONDITION_DEPTH = 64;

const KEYWORDS = new Set(["and", "or", "not", "of", "them", "(", ")"]);

function anyOf(tests: Test[]): Test {
  if (tests.length === 1) return tests[0] as Test;
  return (row) => {
    for (const t of tests) if (t(row)) return true;
    return false;
  };
}

function allOf(tests: Test[]): Test {
  if (tests.length === 1) return tests[0] as Test;
  return (row) => {
    for (const t of tests) if (!t(row)) return false;
    return true;
  };
}

/**
 * Recursive descent over the Sigma condition grammar, binding from least to most: or, and,
 * not, `1 of` / `all of`, parentheses. Keywords are case-insensitive; selection names are not.
 */
class Parser {
  private i = 0;
  private depth = 0;
  private readonly tokens: string[];

  constructor(
    private readonly text: string,
    private readonly selections: ReadonlyMap<string, Selection>,
    private readonly line: number,
    readonly used: Set<Selection>,
  ) {
    this.tokens = text.match(/\(|\)|[^\s()]+/g) ?? [];
  }

  fail(message: string): never {
    const shown = this.text.length > 80 ? `${this.text.slice(0, 80)}…` : this.text;
    throw new RuleError(`condition "${shown}": ${message}`, this.line, "condition");
  }

  private peek(): string | undefined {
    return this.tokens[this.i]?.toLowerCase();
  }

  parse(): Test {
    if (this.tokens.length === 0) this.fail("empty");
    if (this.text.includes("|")) {
      this.fail("aggregations (| count() …) are not supported: use a correlation rule");
    }
    const test = this.or();
    if (this.i < this.tokens.length) this.fail(`unexpected "${this.tokens[this.i]}"`);
    return test;
  }

  private or(): Test {
    const parts = [this.and()];
    while (this.peek() === "or") {
      this.i++;
      parts.push(this.and());
    }
    return anyOf(parts);
  }

  private and(): Test {
    const parts = [this.not()];
    while (this.peek() === "and") {
      this.i++;
      parts.push(this.not());
    }
    return allOf(parts);
  }

  /** Runs one nesting level (a `not`, a parenthesis) within MAX_CONDITION_DEPTH. */
  private nested(parse: () => Test): Test {
    if (++this.depth > MAX_CONDITION_DEPTH)
      this.fail(`nested more than ${MAX_CONDITION_DEPTH} deep (not and parentheses)`);
    const test = parse();
    this.depth--;
    return test;
  }

  private not(): Test {
    if (this.peek() !== "not") return this.primary();
    this.i++;
    const inner = this.nested(() => this.not());
    return (row) => !inner(row);
  }

  private primary(): Test {
    const raw = this.tokens[this.i++];
    if (raw === undefined) this.fail("ends where a selection was expected");
    const tok = raw.toLowerCase();
    if (tok === "(") {
      const inner = this.nested(() => this.or());
      if (this.tokens[this.i++] !== ")") this.fail('a "(" is not closed');
      return inner;
    }
    if (this.peek() === "of") return this.quantified(tok);
    if (KEYWORDS.has(tok)) this.fail(`unexpected "${raw}"`);
    if (raw.includes("*")) this.fail(`"${raw}" needs "1 of" or "all of" before it`);
    const selection = this.selections.get(raw);
    if (!selection) this.fail(`unknown selection "${raw}"`);
    this.used.add(selection);
    return selection.test;
  }

  /** `1 of x` / `all of x`: x is `them` or a name with `*` wildcards. */
  private quantified(quantifier: string): Test {
    this.i++; // "of"
    if (quantifier !== "1" && quantifier !== "all") {
      this.fail(`"${quantifier} of" is not supported (only "1 of" and "all of")`);
    }
    const target = this.tokens[this.i++];
    if (
      target === undefined ||
      (KEYWORDS.has(target.toLowerCase()) && target.toLowerCase() !== "them")
    ) {
      this.fail(`"${quantifier} of" needs "them" or a selection pattern`);
    }
    const them = target.toLowerCase() === "them";
    // A glob, not a RegExp: `1 of *a*a*a…` cannot backtrack. `*` is its one wildcard.
    const pattern = compileString(target.replace(/[\\?]/g, "\\$&"), "equals", true);
    const matched = [...this.selections.values()].filter((s) =>
      them ? !s.name.startsWith("_") : pattern(s.name),
    );
    if (matched.length === 0) this.fail(`"${quantifier} of ${target}" matches no selection`);
    for (const s of matched) this.used.add(s);
    const tests = matched.map((s) => s.test);
    return quantifier === "1" ? anyOf(tests) : allOf(tests);
  }
}

/** A condition compiled against the selections; `used` lists the selections it reads. */
export function compileCondition(
  text: string,
  selections: ReadonlyMap<string, Selection>,
  line: number,
): { test: Test; used: Selection[] } {
  const parser = new Parser(text, selections, line, new Set());
  const test = parser.parse();
  return { test, used: [...parser.used] };
}
