/** Naming of vendor view columns that mirror the vendor's own keys. */

/** A vendor key as its view column: ("ps", "audit_action") → "psAuditAction" (any case in). */
export const prefixedColumn = (prefix: string, key: string) =>
  prefix + key.toLowerCase().replace(/(^|_)([a-z])/g, (_, __, ch: string) => ch.toUpperCase());

/**
 * The vendor columns of a view that are the vendor's top-level JSON keys, prefixed: the column
 * names, and each read from rawLog at its key (src/store/source-fields.ts).
 */
export function prefixedColumns(prefix: string, keys: readonly string[]) {
  const columns = keys.map((k) => prefixedColumn(prefix, k));
  const rawPaths = Object.fromEntries(keys.map((k, i) => [columns[i] as string, k]));
  return { columns, rawPaths };
}
