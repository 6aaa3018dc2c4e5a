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
   * logsource.category (after the processing pipelines). No source of auditflare produces
   * one, so a rule still with a category never matches (its warnings say so).
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
  /** The processing pipeline items that applied to the rule (`pipeline/item`), in order. */
  processing: string[];
}

export const CORRELATION_TYPES = [
  "event_count",
  "value_count",
  "value_sum",
  "value_avg",
  "value_percentile",
  "temporal",
  "temporal_ordered",
] as const;
export type CorrelationType = (typeof CORRELATION_TYPES)[number];

/** A correlation's condition: every bound given must hold (a range is two of them). */
export interface CorrelationCondition {
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
  eq?: number;
  neq?: number;
  /** value_*: the field whose values are counted, summed, averaged or ranked. */
  field?: string;
  /** value_percentile: which percentile (1–100, nearest rank; default 50, the median). */
  percentile?: number;
}

export interface CorrelationRule extends RuleOutput {
  kind: "correlation";
  id: string;
  title: string;
  level: Level;
  description?: string;
  /** Sigma `name` (a correlation may itself be referenced by another correlation). */
  name?: string;
  type: CorrelationType;
  /** Referenced rule ids or names (not resolved: the caller resolves them). */
  rules: string[];
  groupBy: string[];
  /** `aliases`: alias → (referenced rule id or name → the field it reads in that rule's events). */
  aliases: Record<string, Record<string, string>>;
  timespanSeconds: number;
  /** temporal types without a condition: every referenced rule ({gte: rules.length}). */
  condition: CorrelationCondition;
  /** Whether a window that holds alerts (false: only counted by a correlation referencing it). */
  generate: boolean;
}

/**
 * A scheduled rule (a scheduled query): a read-only SQL query over the views run every
 * `everyMinutes` over the window [run − lookbackMinutes, run), each returned row an alert
 * (docs/detections.md). Parsed here; gated, run and alerted by src/pipeline/scheduled.ts.
 */
export interface ScheduledRule extends RuleOutput {
  kind: "scheduled";
  id: string;
  title: string;
  level: Level;
  description?: string;
  name?: string;
  /** The SQL as written, with `:from` and `:to` for the window's bounds. */
  query: string;
  everyMinutes: number;
  lookbackMinutes: number;
  /** Columns of the result whose values form the alert's dedup key ([] = every column). */
  groupBy: string[];
  /** Always true: a scheduled rule alerts (nothing references it). */
  generate: boolean;
}

/** What correlation and scheduled rules carry besides their own fields. */
interface RuleOutput {
  dedupMinutes: number;
  destinations: string[] | null;
  yaml: string;
  warnings: string[];
  /** The processing pipeline items that applied to the rule (`pipeline/item`), in order (always [] for a scheduled rule: pipelines do not apply to SQL). */
  processing: string[];
}

export type Rule = DetectionRule | CorrelationRule | ScheduledRule;

export type KnownFields = (product: string | null) => ReadonlySet<string>;
