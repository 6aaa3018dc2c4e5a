import { env } from "cloudflare:workers";
import { getTableConfig, type SQLiteTable } from "drizzle-orm/sqlite-core";
import { describe, expect, it } from "vitest";
import * as schema from "../../src/store/schema";

const tables = (Object.values(schema) as unknown[]).filter(
  (v): v is SQLiteTable =>
    typeof v === "object" && v !== null && Symbol.for("drizzle:IsDrizzleTable") in v,
);

interface ColumnInfo {
  name: string;
  type: string;
  notnull: number;
  pk: number;
  dflt_value: string | null;
}

/** A drizzle default as SQLite prints it in pragma_table_info. */
const sqlDefault = (v: unknown) =>
  v === undefined ? null : typeof v === "string" ? `'${v.replace(/'/g, "''")}'` : String(v);

describe("the drizzle schema is the migrated schema", () => {
  it("covers every table of the database", async () => {
    const { results } = await env.DB.prepare(
      "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name != 'd1_migrations' ORDER BY name",
    ).all<{ name: string }>();
    expect(tables.map((t) => getTableConfig(t).name).sort()).toEqual(results.map((r) => r.name));
  });

  it("matches each table column by column: name, type, NOT NULL, primary key, default", async () => {
    for (const table of tables) {
      const config = getTableConfig(table);
      const { results } = await env.DB.prepare(
        `SELECT name, type, "notnull", pk, dflt_value FROM pragma_table_info('${config.name}')`,
      ).all<ColumnInfo>();
      const compositePk = config.primaryKeys[0]?.columns.map((c) => c.name) ?? [];
      const fromDrizzle = config.columns.map((c) => ({
        name: c.name,
        type: c.getSQLType().toUpperCase(),
        notnull: c.notNull || c.primary ? 1 : 0,
        pk: c.primary || compositePk.includes(c.name) ? 1 : 0,
        dflt: sqlDefault(c.default),
      }));
      const fromDb = results.map((r) => ({
        name: r.name,
        type: r.type.toUpperCase(),
        // A rowid alias (INTEGER PRIMARY KEY) is NOT NULL either way.
        notnull: r.notnull || r.pk ? 1 : 0,
        pk: r.pk > 0 ? 1 : 0,
        dflt: r.dflt_value,
      }));
      expect(fromDrizzle, config.name).toEqual(fromDb);
    }
  });
});
