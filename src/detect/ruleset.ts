import { AppError } from "../lib/errors";
import { listStoredRules } from "../store/rules";
import { knownFields, PRODUCTS } from "./fields";
import { parseRules, type Rule, RuleError } from "./sigma";
import { STARTER_RULES } from "./starter-rules";

/**
 * The rules in force: the starter pack bundled from rules/ and the rules added at runtime
 * (PUT /v1/rules/:id), a runtime rule replacing a bundled one of the same id. Each is a file:
 * one id, one or more Sigma documents (a correlation and the rules it counts travel together).
 */

export interface RuleFile {
  id: string;
  origin: "bundled" | "runtime";
  yaml: string;
  rules: Rule[];
  updatedAt: number | null;
}

/** Rules of a Sigma YAML text, against auditflare's fields and source types. */
const parse = (yaml: string) => parseRules(yaml, knownFields, PRODUCTS);

/** Parses rules sent to the API; 400 naming the line and field when one is not valid. */
export function parseRulesOr400(yaml: string): Rule[] {
  try {
    return parse(yaml);
  } catch (err) {
    if (err instanceof RuleError) throw new AppError("invalid_rule", err.message);
    throw err;
  }
}

/** Parses a rule file, which must hold a rule with its id; 400 when it is not valid. */
export function parseRuleFile(id: string, yaml: string): Rule[] {
  const parsed = parseRulesOr400(yaml);
  if (parsed.length === 0) throw new AppError("invalid_rule", "the body holds no rule");
  if (!parsed.some((r) => r.id === id))
    throw new AppError(
      "invalid_rule",
      `no rule in the body has the id "${id}" (found: ${parsed.map((r) => r.id).join(", ")})`,
    );
  return parsed;
}

let bundled: RuleFile[] | undefined;

/** The starter pack, parsed once per isolate (a broken bundled rule fails `npm run rules:test`). */
export function bundledRules(): RuleFile[] {
  bundled ??= STARTER_RULES.map(({ id, yaml }) => ({
    id,
    origin: "bundled" as const,
    yaml,
    rules: parse(yaml),
    updatedAt: null,
  }));
  return bundled;
}

/** Every rule file in force, by id. */
export async function ruleFiles(db: D1Database): Promise<Map<string, RuleFile>> {
  const files = new Map(bundledRules().map((f) => [f.id, f]));
  for (const s of await listStoredRules(db)) {
    let rules: Rule[] = [];
    try {
      rules = parse(s.yaml);
    } catch (err) {
      // Stored after a check, so only a later change of fields can break it: kept, not run.
      console.error(`rule ${s.id} no longer parses: ${(err as Error).message}`);
    }
    files.set(s.id, { id: s.id, origin: "runtime", yaml: s.yaml, rules, updatedAt: s.updatedAt });
  }
  return files;
}
