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
  /**
   * How the common maps are built from plain paths of the raw record: a row whose map is what
   * this gives stores a marker instead, and readers build it from rawLog (src/store/derived.ts).
   */
  derived?: DerivedMaps;
}

/** [key, dotted path of the raw record]: the key is set when the path holds a non-empty string. */
export type KeyPath = readonly [key: string, path: string];

/** A resource: `<type>:<id>` of the string at `path`, or of each object of the array there. */
export interface DerivedResource {
  path: string;
  /** The type: the string at typePath, else `type`, else the path. */
  type?: string;
  typePath?: string;
  /** For an array of objects: each one's id, and its type (else the resource's). */
  idKey?: string;
  typeKey?: string;
}

/** The most objects of a resource list a derived construction reads (one SQL term each). */
export const MAX_RESOURCE_ITEMS = 8;

export interface DerivedMaps {
  /** actor's keys in order; `email`: an email address in `name` may be the email too. */
  actor?: { pairs: readonly KeyPath[]; email: boolean };
  /** tags: the entries of the object at `from`, then the pairs. */
  tags?: { from?: string; pairs: readonly KeyPath[] };
  resources?: readonly DerivedResource[];
}
