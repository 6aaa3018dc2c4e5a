export type Level = "informational" | "low" | "medium" | "high" | "critical";
export const LEVELS: readonly Level[] = ["informational", "low", "medium", "high", "critical"];

/** An event row as GET /v1/logs returns it, vendor view columns flattened to the top level. */
export type Row = Record<string, unknown>;

export interface DetectionRule {
  kind: "detection";
  id: string;
  title: string;
  level: Level;
  description?: string;
  /** logsource.product: a source type ("planetscale", "circleci", …); null = every source. */
  product: string | null;
  /** logsource.service: a source id; null = every source of the product. */
  service: string | null;
  /**
   * logsource.category. No source of auditflare produces one yet (processing pipelines will
   * map them), so a rule with a category never matches (its warnings say so).
   */
  category: string | null;
  /** False when no source can produce the rule's events (an unknown product, a category). */
  reachable: boolean;
  /** Whether a match alerts on its own (see parseRules for the default). */
  generate: boolean;
  /** Sigma `name`: correlations may reference a rule by name or id. */
  name?: string;
  /** Fields whose values form the dedup key ([] = the rule id alone). */
  dedup: string[];
  dedupMinutes: number;
  /** Alert destinations; null = all. */
  destinations: string[] | null;
  /** Which selections matched and why (field, modifier, value) when the row matches; else null. */
  match(row: Row): string[] | null;
  /** The document's source text. */
  yaml: string;
  /** What was accepted but may not do what the author expects (`line N: …`). */
  warnings: string[];
}

export interface CorrelationRule {
  kind: "correlation";
  id: string;
  title: string;
  level: Level;
  description?: string;
  /** Sigma `name` (a correlation may itself be referenced by another correlation). */
  name?: string;
  type: "event_count" | "value_count";
  /** Referenced rule ids or names (not resolved: the caller resolves them). */
  rules: string[];
  groupBy: string[];
  timespanSeconds: number;
  /** `field`: the field whose distinct values a value_count counts. */
  condition: { gte?: number; gt?: number; field?: string };
  dedupMinutes: number;
  destinations: string[] | null;
  yaml: string;
  warnings: string[];
}

export type Rule = DetectionRule | CorrelationRule;

export type KnownFields = (product: string | null) => ReadonlySet<string>;
