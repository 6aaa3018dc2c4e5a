import { COMMON_COLUMNS } from "../model/columns";
import { findVendor, SOURCE_TYPES } from "../vendors";

/**
 * The fields a detection rule may name (docs/detections.md): the common columns as GET /v1/logs
 * returns them (the maps `actor`, `tags` read with a dot: `actor.email`, `tags.session_id`;
 * `resources` an array), and the vendor columns of the rule's product by their view names
 * (`psAuditAction`, `action`, `airkitEventType`…). A rule for no product may name any vendor's.
 *
 * Nothing here reads another module's value at load time: the vendor registry sits on an import
 * cycle in the bundle (vendors → pollers → ingest → detect → vendors), where a top-level
 * `const PRODUCTS = SOURCE_TYPES` ran before SOURCE_TYPES was set and every rule without
 * `logsource.product` threw. Values are read when first asked for.
 */

const MAP_COLUMNS = ["actor", "tags"] as const;

/** The source types a rule's logsource.product may name. */
export function products(): readonly string[] {
  return SOURCE_TYPES;
}

let common: ReadonlySet<string> | undefined;
const commonFields = () =>
  (common ??= new Set<string>([...COMMON_COLUMNS, ...MAP_COLUMNS.map((m) => `${m}.*`)]));

const cache = new Map<string | null, ReadonlySet<string>>();

export function knownFields(product: string | null): ReadonlySet<string> {
  let set = cache.get(product);
  if (!set) {
    const types = product === null ? products() : [product];
    const vendor = types.flatMap((p) => [...(findVendor(p)?.view.columns ?? [])]);
    set = new Set([...commonFields(), ...vendor]);
    cache.set(product, set);
  }
  return set;
}

/** A presented row (GET /v1/logs shape) with its vendor columns at the top level, for rules. */
export function ruleRow(presented: Record<string, unknown>): Record<string, unknown> {
  const { sourceFields, ...rest } = presented as { sourceFields?: Record<string, unknown> };
  return sourceFields ? { ...sourceFields, ...rest } : rest;
}
