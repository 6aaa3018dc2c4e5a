/** Processing pipelines (pySigma's YAML format, docs/detections.md "Pipelines"): the parsed shapes. */

/** The transformation types auditflare runs, each with its parameters. */
export type Transformation =
  | { type: "field_name_mapping"; mapping: ReadonlyMap<string, readonly string[]> }
  | { type: "field_name_prefix_mapping"; mapping: ReadonlyMap<string, readonly string[]> }
  | { type: "field_name_prefix"; prefix: string }
  | { type: "field_name_suffix"; suffix: string }
  | {
      type: "change_logsource";
      category: string | null;
      product: string | null;
      service: string | null;
    }
  | {
      type: "add_condition";
      /** field (with modifiers) → value(s), as a selection of the rule. */
      conditions: Readonly<Record<string, unknown>>;
      negated: boolean;
      /** The selection's name (default `_cond_<pipeline>_<item>`). */
      name: string | null;
      /** `$category`, `$product`, `$service` in string values take the rule's logsource. */
      template: boolean;
    }
  | { type: "drop_detection_item" };

export type TransformationType = Transformation["type"];

/** `rule_conditions` of type `logsource`: the fields given must equal the rule's. */
export interface LogsourceCondition {
  category: string | null;
  product: string | null;
  service: string | null;
}

/** `field_name_conditions`: include_fields / exclude_fields, plain names or RE2 patterns. */
export interface FieldNameCondition {
  exclude: boolean;
  test(field: string): boolean;
}

/** One item of a pipeline's `transformations`. */
export interface ProcessingItem {
  /** The pipeline's id (its file name or the id of PUT /v1/pipelines/:id). */
  pipeline: string;
  /** The item's `id` (else `item-<n>`, its position). */
  id: string;
  transformation: Transformation;
  ruleConditions: LogsourceCondition[];
  /** `rule_cond_op`: and (default) / or; `rule_cond_not` negates. */
  ruleAny: boolean;
  ruleNot: boolean;
  fieldConditions: FieldNameCondition[];
  fieldAny: boolean;
  fieldNot: boolean;
}

export interface Pipeline {
  id: string;
  name: string;
  /** Lower runs first (pySigma's ProcessingPipelineResolver); ties by id. */
  priority: number;
  items: ProcessingItem[];
  /** What was accepted and ignored (`line N: …`). */
  warnings: string[];
}

/** The items of every pipeline in force, in the order they run. */
export type Processing = readonly ProcessingItem[];
