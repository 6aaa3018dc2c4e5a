import type { ViewDefinition } from "../model/view";
import type { RangedRelation } from "../sql/time-range";
import { anyMapSql, type MapColumn, mapSql } from "./derived";
import { keyAtOrAfter } from "./keys";
import { COMMON_COLUMNS, UNSTORED_COLUMNS } from "./rows";
import { viewColumnExpr } from "./source-fields";

/**
 * The views people query (`POST /v1/sql`, DESIGN §4), generated from the vendor registry's view
 * specs (src/vendors/<vendor>/index.ts, handed in by src/catalog.ts: the store imports no vendor), so a view and its normalizer cannot drift: `npm run views`
 * writes a migration when a definition changes, and test/store/views.test.ts checks the migrated
 * database holds exactly these.
 * - `logs`: every source, the common columns with ISO-8601 times (text, so `eventTime >=
 *   '2026-11-01'` compares as people expect), JSON maps and arrays as JSON text, and
 *   `sourceFields` complete (the vendor columns, as the API shows them).
 * - one view per vendor: the common columns plus the vendor's own, for its rows only.
 * Both read the internal table `events`, whose times are epoch milliseconds and whose key `rid` is
 * the time index: `rangedRelation` gives the same SELECT restricted to a key range, which the SQL
 * gate puts in place of a relation when the query bounds `eventTime` (src/sql/time-range.ts).
 */

const TIME_COLUMNS = new Set(["receivedAt", "eventTime"]);
const ISO = (c: string) => `strftime('%Y-%m-%dT%H:%M:%fZ', ${c} / 1000.0, 'unixepoch')`;

const MAP_COLUMNS = new Set<string>(["actor", "tags", "resources"] satisfies MapColumn[]);

/**
 * A common column as a view shows it; a map is rebuilt from rawLog where the row holds a marker
 * (src/store/derived.ts), by `map`: the vendor's construction, or each vendor's by source type.
 */
function commonColumn(c: string, map: (c: MapColumn) => string): string {
  if (UNSTORED_COLUMNS.has(c)) return `NULL AS ${c}`;
  if (MAP_COLUMNS.has(c)) {
    const expr = map(c as MapColumn);
    return expr === c ? c : `${expr} AS ${c}`;
  }
  return TIME_COLUMNS.has(c) ? `${ISO(c)} AS ${c}` : c;
}

const vendorColumns = (v: ViewDefinition) =>
  v.columns.map((c) => `${viewColumnExpr(c, v.rawPaths?.[c])} AS ${c}`);

/** A vendor's view, by its source type (each entry of the vendor registry has both). */
export interface ViewSpec {
  type: string;
  view: ViewDefinition;
}

/** `sourceFields` of the `logs` view: each vendor's columns as one JSON object. */
function sourceFieldsSql(specs: readonly ViewSpec[]): string {
  const cases = specs.map((v) => {
    const view: ViewDefinition = v.view;
    const pairs = view.columns.map(
      (c) => `'${c}', json(${viewColumnExpr(c, view.rawPaths?.[c], "->")})`,
    );
    return `WHEN '${v.type}' THEN json_object(${pairs.join(", ")})`;
  });
  return `CASE sourceType ${cases.join(" ")} ELSE sourceFields END AS sourceFields`;
}

interface Relation {
  readonly name: string;
  readonly description: string;
  /** The SELECT list, and the condition on the internal table (or none). */
  readonly select: string;
  readonly where?: string;
}

/** `table`: `main.events` where the SELECT goes into a user's query, so no CTE can capture it. */
const body = (r: Relation, range?: string, table = "events") => {
  const where = [r.where, range].filter(Boolean).join(" AND ");
  return `SELECT\n  ${r.select}\nFROM ${table}${where ? ` WHERE ${where}` : ""}`;
};

/** The views of a registry: their SQL, the names `POST /v1/sql` may read, their columns. */
export interface ViewCatalog {
  /** Every view, as it must stand in the database (`logs` first). */
  views: ReadonlyArray<{ name: string; description: string; sql: string }>;
  /** The names `POST /v1/sql` may read. */
  queryable: ReadonlySet<string>;
  /** Each view's columns, as `GET /v1/sql/schema` lists them for the explorer's SQL editor. */
  columns: ReadonlyArray<{ name: string; description: string; columns: string[] }>;
  rangedRelation: RangedRelation;
}

function relations(specs: readonly ViewSpec[]): { logs: Relation; all: readonly Relation[] } {
  const logs: Relation = {
    name: "logs",
    description: `every source: the ${COMMON_COLUMNS.length} common columns, ISO times, and sourceFields with the vendor columns`,
    select: `${COMMON_COLUMNS.map((c) => commonColumn(c, (m) => anyMapSql(specs, m))).join(", ")},\n  ${sourceFieldsSql(specs)}`,
  };

  const all: readonly Relation[] = [
    logs,
    ...specs.map((v) => {
      const common: readonly string[] = v.view.common === "all" ? COMMON_COLUMNS : v.view.common;
      return {
        name: v.view.name,
        description: v.view.description,
        // One line for the common columns, one for the vendor's: the file is generated (the
        // registry is what people read), and views stay one block each.
        select: `${common.map((c) => commonColumn(c, (m) => mapSql(v.view, m))).join(", ")},\n  ${vendorColumns(v.view).join(", ")}`,
        where: `sourceType = '${v.type}'`,
      };
    }),
  ];
  return { logs, all };
}

/** Times whose keys are exact (src/store/keys.ts clamps beyond ±2^43 ms). */
const exact = (t: number | undefined): t is number =>
  t !== undefined && t > -(2 ** 43) && t < 2 ** 43 - 1;

/** The views of the given vendor view specs (src/catalog.ts: the registry's). */
export function viewCatalog(specs: readonly ViewSpec[]): ViewCatalog {
  const { logs, all } = relations(specs);
  return {
    views: all.map((r) => ({
      name: r.name,
      description: r.description,
      sql: `CREATE VIEW ${r.name} AS\n${body(r)}`,
    })),
    queryable: new Set(all.map((r) => r.name)),
    columns: [
      {
        name: logs.name,
        description: logs.description,
        columns: [...COMMON_COLUMNS, "sourceFields"],
      },
      ...specs.map((v) => ({
        name: v.view.name,
        description: v.view.description,
        columns: [...(v.view.common === "all" ? COMMON_COLUMNS : v.view.common), ...v.view.columns],
      })),
    ],
    /**
     * The SELECT of view `name` restricted to the rows of the times [from, to) in ms, by key, for
     * the SQL gate's time-range rewrite (src/sql/time-range.ts); undefined for a name that is not
     * a view, or when neither bound gives a key.
     */
    rangedRelation: (name, from, to) => {
      const r = all.find((x) => x.name === name);
      const range = [
        exact(from) ? `rid >= ${keyAtOrAfter(from)}` : undefined,
        exact(to) ? `rid < ${keyAtOrAfter(to)}` : undefined,
      ].filter(Boolean);
      return r && range.length > 0 ? body(r, range.join(" AND "), "main.events") : undefined;
    },
  };
}

/** The migration text that (re)creates the given views. */
export function viewsMigration(
  views: ReadonlyArray<{ name: string; description: string; sql: string }>,
): string {
  return views
    .map((v) => `-- ${v.name}: ${v.description}\nDROP VIEW IF EXISTS ${v.name};\n${v.sql};\n`)
    .join("\n");
}
