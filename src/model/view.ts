/**
 * src/model/: the pure shapes every layer shares (an event, a vendor view, the common columns, a
 * detection match). May import src/lib/ only; vendors, store, detect and pipeline import it.
 */
/** What the pipeline needs to know of a source (any vendor's SOURCES entry has it). */
export interface SourceRef {
  id: string;
  type: string;
  ttlDays?: number;
  workspaceID?: string;
}

/** A per-vendor view over `logs`, named and shaped as the vendor's seed table. */
export interface ViewDefinition {
  name: string;
  /** What the view is (the comment above it in the migration). */
  description: string;
  /** The common columns it shows, in order: "all" (the 36), or a subset. */
  common: "all" | readonly string[];
  /** The vendor columns, read from `sourceFields` under these names (the normalizer's keys). */
  columns: readonly string[];
  /**
   * Columns the view reads from the raw record instead (dotted key paths of the vendor's JSON):
   * stored in `sourceFields` only when the normalizer's value differs (src/store/source-fields.ts).
   */
  rawPaths?: Readonly<Record<string, string>>;
}
