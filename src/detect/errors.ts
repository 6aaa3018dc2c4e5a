import { AuditflareError } from "../lib/errors";

/**
 * A rule that cannot be used: YAML syntax, an unknown field or modifier, a bad regex or CIDR, a
 * missing title… `line` is the 1-based line in the text given to parseRules (null when the
 * problem has no place, e.g. an empty text); `field` the rule field concerned, if any. The
 * message starts with `line N: ` when the line is known. Code `invalid_rule` (the caller
 * maps it to its own answer).
 */
export class RuleError extends AuditflareError {
  readonly line: number | null;
  readonly field: string | null;
  /** The message without its `line N: `. */
  readonly reason: string;

  constructor(message: string, line: number | null = null, field: string | null = null) {
    super("invalid_rule", line === null ? message : `line ${line}: ${message}`);
    this.line = line;
    this.field = field;
    this.reason = message;
  }

  /** The same error, its message naming the rule: `line N: … (rule "id")`. */
  inRule(id: string): RuleError {
    return new RuleError(`${this.reason} (rule "${id}")`, this.line, this.field);
  }
}
