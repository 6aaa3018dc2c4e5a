/**
 * Sigma detection rules (SigmaHQ specification 2.x): parse and match. Storage, routes and
 * alerting live elsewhere. One YAML text holds one or more rule documents (`---` separated);
 * each compiles once into closures that match a row without re-reading the rule.
 *
 * Decisions beyond the specification (auditflare's):
 * - Fields: knownFields(product) names the fields a rule may use. A dotted field `m.k` (e.g.
 *   actor.email) is allowed when the set holds `m.k` itself, `m`, or `m.*`: the caller puts
 *   its map columns (actor, tags, …) there as `m` or `m.*`.
 * - logsource.product not in `products` (null: not checked; src/detect/fields.ts products()
 *   gives auditflare's source types), or a logsource.category the processing pipelines left:
 *   accepted with a warning, `reachable: false` (never matches), fields unchecked; service is
 *   a source id.
 * - `generate`: a detection that no correlation in the same text references alerts on its own
 *   (true). One that is referenced is false unless a referencing correlation says
 *   `generate: true` (Sigma's meaning) or the detection itself says `generate: true|false`
 *   (an auditflare extension, which wins). A rule's `yaml` re-parsed alone loses this context.
 * - Correlation references are not resolved: ids and names not in the text are returned as
 *   they are, for the caller to resolve. group-by, aliases and condition.field are checked
 *   against knownFields(p) where p is the one product of the referenced rules, else
 *   knownFields(null); not checked when a referenced rule is not a reachable detection of
 *   the text. A correlation over a correlation of the text groups by fields that one does.
 * - auditflare keys: `dedup` (a field or list of fields), `dedup-minutes` (or `dedupMinutes`;
 *   a whole number ≥ 0, default 60), `destinations` (a list; absent or null = all).
 * - `exists: true` means present (a null field exists, as the specification says); a `null`
 *   value matches a missing or null field. Custom top-level keys are ignored; id and level
 *   optional (docs/detections.md).
 * - Every correlation type and condition of the specification (src/detect/correlation.ts);
 *   what is not supported (`expand`, aggregations) is refused with a RuleError rather than
 *   ignored.
 */
import { LineCounter, parseAllDocuments } from "yaml";
import { checkChains, type PendingCorrelation, parseCorrelation } from "./correlation";
import { type PendingDetection, parseDetection } from "./detection";
import { RuleError } from "./errors";
import {
  CORRELATION_KEYS,
  DETECTION_KEYS,
  keyed,
  type Meta,
  parseMeta,
  SCHEDULED_KEYS,
} from "./meta";
import { applyProcessing } from "./pipeline-apply";
import type { Processing } from "./pipeline-types";
import { parseScheduled } from "./scheduled";
import type { CorrelationRule, DetectionRule, KnownFields, Rule, ScheduledRule } from "./types";
import { checkYamlDepth } from "./yaml-depth";
import { Doc, type Entry } from "./yaml-nodes";

export { timespanSeconds } from "./correlation";
export { RuleError } from "./errors";
export { fieldValue, isKnownField } from "./field-path";
export type {
  CorrelationRule,
  DetectionRule,
  KnownFields,
  Level,
  Row,
  Rule,
  ScheduledRule,
} from "./types";
export { LEVELS } from "./types";

type Pending = PendingDetection | PendingCorrelation | ScheduledRule;

/** Runs a rule's compilation, its errors naming the rule. */
function inRule<T>(id: string, compile: () => T): T {
  try {
    return compile();
  } catch (err) {
    throw err instanceof RuleError ? err.inRule(id) : err;
  }
}

/** A document's own text, without its `---` line. */
function documentText(text: string, range: [number, number, number]): string {
  const own = text.slice(range[0], range[2]);
  const body = own.startsWith("---") ? own.slice(own.indexOf("\n") + 1 || own.length) : own;
  return `${body.trimEnd()}\n`;
}

function checkUnique(rules: { meta: Meta }[]): void {
  const seen = new Set<string>();
  for (const { meta } of rules) {
    if (seen.has(meta.id)) throw new RuleError(`id "${meta.id}" is used twice`, meta.idLine, "id");
    seen.add(meta.id);
  }
  const names = new Set<string>();
  for (const { meta } of rules) {
    if (meta.name === undefined) continue;
    if (names.has(meta.name))
      throw new RuleError(`name "${meta.name}" is used twice`, meta.nameLine, "name");
    names.add(meta.name);
  }
}

/** Whether a rule alerts on its own: a detection, or a correlation another one chains. */
function generateOf(
  d: PendingDetection | PendingCorrelation,
  correlations: PendingCorrelation[],
): boolean {
  if (d.kind === "detection" && d.explicitGenerate !== undefined) return d.explicitGenerate;
  const refs = correlations.filter(
    (c) => c.rules.includes(d.id) || (d.name !== undefined && c.rules.includes(d.name)),
  );
  return refs.length === 0 || refs.some((c) => c.generateReferenced);
}

/** The rules, each with the pipeline items that applied to its document (`applied[i]`). */
function finish(pending: Pending[], applied: string[][]): Rule[] {
  const correlations = pending.filter((p): p is PendingCorrelation => p.kind === "correlation");
  checkChains(correlations);
  return pending.map((p, i): Rule => {
    if (p.kind === "scheduled") return p;
    const processing = applied[i] ?? [];
    if (p.kind === "correlation") {
      const { generateReferenced: _, groupLine: __, ...rule } = p;
      return {
        ...rule,
        generate: generateOf(p, correlations),
        processing,
      } satisfies CorrelationRule;
    }
    const { explicitGenerate: _, ...rest } = p;
    return { ...rest, generate: generateOf(p, correlations), processing } satisfies DetectionRule;
  });
}

/**
 * Parses one YAML text of one or more rule documents. knownFields(product) gives the field
 * names a rule of that product may use (null: a rule for every source); products the allowed
 * logsource.product values (null: any); `processing` the items of the processing pipelines
 * in force (src/detect/pipeline.ts), run over each document before it is compiled. Throws a
 * RuleError naming the line. A text nested deeper than MAX_YAML_DEPTH is refused before the
 * YAML parser (which recurses) sees it.
 */
export function parseRules(
  text: string,
  knownFields: KnownFields,
  products: readonly string[] | null = null,
  processing: Processing = [],
): Rule[] {
  checkYamlDepth(text);
  const lc = new LineCounter();
  const parsed = parseAllDocuments(text, { lineCounter: lc, prettyErrors: false });
  if (!Array.isArray(parsed)) return [];
  const docs: {
    doc: Doc;
    keys: Map<string, Entry>;
    meta: Meta;
    yaml: string;
    applied: string[];
  }[] = [];
  for (const d of parsed) {
    const error = d.errors[0];
    if (error) throw new RuleError(`YAML: ${error.message}`, lc.linePos(error.pos[0]).line);
  }
  const all = parsed.filter((d) => d.contents !== null).map((d) => new Doc(d, lc));
  const appliedOf = applyProcessing(processing, all);
  for (const [i, doc] of all.entries()) {
    const d = doc.doc;
    const docLine = doc.line(d.contents) ?? 1;
    const entries = doc.entries(d.contents, "a rule", docLine);
    const has = (k: string) => entries.some((e) => e.key === k);
    if ([has("detection"), has("correlation"), has("query")].filter(Boolean).length > 1) {
      throw new RuleError(
        'a rule has one of "detection", "correlation" and "query" (a scheduled rule), not both',
        docLine,
      );
    }
    if (!has("detection") && !has("correlation") && !has("query")) {
      throw new RuleError(
        'a rule needs "detection" (or "correlation", or "query" for a scheduled rule)',
        docLine,
        "detection",
      );
    }
    const warnings: string[] = [];
    const allowed = has("detection")
      ? DETECTION_KEYS
      : has("query")
        ? SCHEDULED_KEYS
        : CORRELATION_KEYS;
    const keys = keyed(entries, allowed, warnings);
    docs.push({
      doc,
      keys,
      meta: parseMeta(doc, keys, docLine, warnings),
      yaml: documentText(text, d.range),
      applied: appliedOf[i] ?? [],
    });
  }
  checkUnique(docs);
  const detections = new Map<string, PendingDetection>();
  const pending: (Pending | null)[] = docs.map(({ doc, keys, meta, yaml }) => {
    if (keys.has("query")) {
      const line = doc.line(doc.doc.contents) ?? 1;
      return inRule(meta.id, () => parseScheduled(doc, keys, meta, yaml, line));
    }
    if (!keys.has("detection")) return null;
    const rule = inRule(meta.id, () =>
      parseDetection(doc, keys, meta, yaml, knownFields, products),
    );
    detections.set(rule.id, rule);
    if (rule.name !== undefined) detections.set(rule.name, rule);
    return rule;
  });
  // Fields are checked against the referenced rules' product; not at all when one of them is
  // not a detection of this text (another file's rule, a correlation: checkChains) or can
  // never match (an unknown product, whose fields are unchecked too).
  const knownFor = (rules: string[]) => {
    const found = rules.map((r) => detections.get(r));
    if (found.some((d) => d === undefined || !d.reachable)) return null;
    const product = found[0]?.product ?? null;
    return knownFields(found.every((d) => d?.product === product) ? product : null);
  };
  const rules = docs.map(
    ({ doc, keys, meta, yaml }, i) =>
      pending[i] ?? inRule(meta.id, () => parseCorrelation(doc, keys, meta, yaml, knownFor)),
  );
  return finish(
    rules,
    docs.map((d) => d.applied),
  );
}
