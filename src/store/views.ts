import { VENDORS } from "../vendors";
import type { ViewDefinition } from "../vendors/types";
import { COMMON_COLUMNS, UNSTORED_COLUMNS } from "./rows";
import { viewColumnSql } from "./source-fields";

/**
 * The per-vendor views, generated from the vendor registry (src/vendors/<vendor>/index.ts), so
 * a view and its normalizer cannot drift: `npm run views` writes a migration when a definition
 * changes, and test/store/views.test.ts checks the migrated database holds exactly these.
 */

const TIME_COLUMNS = new Set(["receivedAt", "eventTime"]);

function commonColumn(c: string): string {
  if (UNSTORED_COLUMNS.has(c)) return `NULL AS ${c}`;
  return TIME_COLUMNS.has(c)
    ? `strftime('%Y-%m-%dT%H:%M:%fZ', ${c} / 1000.0, 'unixepoch') AS ${c}`
    : c;
}

/** The CREATE VIEW statement of one vendor's view. */
function viewSql(type: string, v: ViewDefinition): string {
  const common: readonly string[] = v.common === "all" ? COMMON_COLUMNS : v.common;
  // One line for the common columns, one for the vendor's: the file is generated (the registry
  // is what people read), and views stay one block each rather than 50 near-identical lines.
  const vendor = v.columns.map((c) => viewColumnSql(c, v.rawPaths?.[c]));
  return `CREATE VIEW ${v.name} AS\nSELECT\n  ${common.map(commonColumn).join(", ")},\n  ${vendor.join(", ")}\nFROM logs WHERE sourceType = '${type}'`;
}

/** Every vendor's view, as it must stand in the database. */
export const VIEWS: ReadonlyArray<{ name: string; description: string; sql: string }> = VENDORS.map(
  (v) => ({ name: v.view.name, description: v.view.description, sql: viewSql(v.type, v.view) }),
);

/** The migration text that (re)creates the given views. */
export function viewsMigration(
  views: ReadonlyArray<{ name: string; description: string; sql: string }>,
): string {
  return views
    .map((v) => `-- ${v.name}: ${v.description}\nDROP VIEW IF EXISTS ${v.name};\n${v.sql};\n`)
    .join("\n");
}
