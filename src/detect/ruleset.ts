import { AppError } from "../lib/errors";
import type { RuleSource, StoredRule } from "../ports";
import { knownFields, products } from "./fields";
import type { Processing } from "./pipeline-types";
import { type PipelinesInForce, pipelinesInForce } from "./pipelines";
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
  /** False when disabled (POST /v1/rules/:id/disable): its rules do not run. */
  enabled: boolean;
}

/**
 * Rules of a Sigma YAML text, against auditflare's fields and source types, through the
 * processing pipelines in force (`processing`, src/detect/pipelines.ts).
 */
const parse = (yaml: string, processing: Processing) =>
  parseRules(yaml, knownFields, products(), processing);

/** Parses rules sent to the API; 400 naming the line and field when one is not valid. */
export function parseRulesOr400(yaml: string, processing: Processing): Rule[] {
  try {
    return parse(yaml, processing);
  } catch (err) {
    if (err instanceof RuleError) throw new AppError("invalid_rule", err.message);
    throw err;
  }
}

/** Parses a rule file, which must hold a rule with its id; 400 when it is not valid. */
export function parseRuleFile(id: string, yaml: string, processing: Processing): Rule[] {
  const parsed = parseRulesOr400(yaml, processing);
  if (parsed.length === 0) throw new AppError("invalid_rule", "the body holds no rule");
  if (!parsed.some((r) => r.id === id))
    throw new AppError(
      "invalid_rule",
      `no rule in the body has the id "${id}" (found: ${parsed.map((r) => r.id).join(", ")})`,
    );
  return parsed;
}

let bundled: { key: string; files: RuleFile[] } | undefined;

/** Rules of a text already accepted once: a failure now (a pipeline changed) is logged, not thrown. */
function parseKept(what: string, yaml: string, processing: Processing): Rule[] {
  try {
    return parse(yaml, processing);
  } catch (err) {
    console.error(`${what} no longer parses: ${(err as Error).message}`);
    return [];
  }
}

/**
 * The starter pack, parsed once per isolate and pipeline set (a broken bundled rule fails
 * `npm run rules:test`; PUT /v1/pipelines refuses a pipeline under which one breaks).
 */
export function bundledRules(pipelines: PipelinesInForce): RuleFile[] {
  if (bundled?.key !== pipelines.key) {
    const files = STARTER_RULES.map(({ id, yaml }) => ({
      id,
      origin: "bundled" as const,
      yaml,
      rules: parseKept(`bundled rule file ${id}`, yaml, pipelines.processing),
      updatedAt: null,
      enabled: true,
    }));
    bundled = { key: pipelines.key, files };
  }
  return bundled.files;
}

/** Where a rule file lives, for messages. */
export function placeOf(f: Pick<RuleFile, "id" | "origin">): string {
  return f.origin === "bundled"
    ? `the bundled file rules/${f.id}.yml`
    : `the runtime rule "${f.id}"`;
}

/**
 * Refuses a rule file whose rule ids or names another file in force already uses (a runtime
 * file replaces the file of its own id, so that one is not compared): two rules of one id
 * would share detections and stats, and a correlation would count both.
 */
export function checkUniqueAcrossFiles(
  file: Pick<RuleFile, "id" | "origin" | "rules">,
  inForce: Iterable<RuleFile>,
): void {
  const mine = new Map<string, string>();
  for (const r of file.rules) {
    mine.set(`id "${r.id}"`, r.id);
    if (r.name !== undefined) mine.set(`name "${r.name}"`, r.id);
  }
  for (const other of inForce) {
    if (other.id === file.id) continue;
    for (const r of other.rules) {
      const keys = [`id "${r.id}"`, ...(r.name === undefined ? [] : [`name "${r.name}"`])];
      const clash = keys.find((k) => mine.has(k));
      if (clash)
        throw new AppError(
          "invalid_rule",
          `rule ${clash} in ${placeOf(file)} is already used by rule "${r.id}" in ${placeOf(other)}`,
        );
    }
  }
}

/** Runtime files parsed once per (id, updatedAt, pipelines): a change re-parses only what changed. */
const parsedRuntime = new Map<string, { updatedAt: number; key: string; rules: Rule[] }>();

function runtimeRules(s: StoredRule, pipelines: PipelinesInForce): Rule[] {
  const hit = parsedRuntime.get(s.id);
  if (hit?.updatedAt === s.updatedAt && hit.key === pipelines.key) return hit.rules;
  // Stored after a check, so only a later change of fields can break it: kept, not run.
  const rules = parseKept(`rule ${s.id}`, s.yaml, pipelines.processing);
  parsedRuntime.set(s.id, { updatedAt: s.updatedAt, key: pipelines.key, rules });
  return rules;
}

/**
 * Every rule file in force, enabled or not, by id, compiled through `pipelines` (default: those
 * in force). What runs is `enabledRules`.
 */
export async function ruleFiles(
  rules: RuleSource,
  given?: PipelinesInForce,
): Promise<Map<string, RuleFile>> {
  const [pipelines, stored, states] = await Promise.all([
    given ?? rules.pipelines().then(pipelinesInForce),
    rules.list(),
    rules.states(),
  ]);
  const disabled = new Set(states.flatMap((s) => (s.enabled ? [] : [s.id])));
  const files = new Map(
    bundledRules(pipelines).map((f) => [f.id, { ...f, enabled: !disabled.has(f.id) }]),
  );
  const ids = new Set(stored.map((s) => s.id));
  for (const id of parsedRuntime.keys()) if (!ids.has(id)) parsedRuntime.delete(id);
  for (const s of stored) {
    const rules = runtimeRules(s, pipelines);
    const { id, yaml, updatedAt } = s;
    files.set(id, { id, origin: "runtime", yaml, rules, updatedAt, enabled: !disabled.has(id) });
  }
  return files;
}

/**
 * The rules that run: those of the enabled files. Matching at commit, correlations (at commit
 * and from the cron) and scheduled rules read only these; a disabled file's rules still load
 * (GET /v1/rules), and backtests and tests run the YAML they are given.
 */
export async function enabledRules(rules: RuleSource): Promise<Rule[]> {
  const files = [...(await ruleFiles(rules)).values()];
  return files.flatMap((f) => (f.enabled ? f.rules : []));
}

/**
 * Refuses a change of pipelines under which a rule file in force (bundled, or `stored`) would
 * no longer load: a pipeline may rename a field to one no source has, or a deleted pipeline may
 * have given a rule the names it uses. `code` names the refusal.
 */
export function checkRulesUnder(
  processing: Processing,
  stored: readonly StoredRule[],
  code: "invalid_pipeline" | "pipeline_in_use",
): void {
  const files = [
    ...STARTER_RULES.map((f) => ({ ...f, origin: "bundled" as const })),
    ...stored.map((s) => ({ id: s.id, yaml: s.yaml, origin: "runtime" as const })),
  ];
  for (const f of files) {
    try {
      parse(f.yaml, processing);
    } catch (err) {
      if (!(err instanceof RuleError)) throw err;
      throw new AppError(code, `${placeOf(f)} would no longer load: ${err.message}`);
    }
  }
}
