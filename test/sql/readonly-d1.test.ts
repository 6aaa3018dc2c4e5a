import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ALLOWED, allowedSql, refusal } from "./helpers";

/** Every table and view the migrations create, read from the schema itself. */
async function schemaRelations(): Promise<string[]> {
  const { results } = await env.DB.prepare(
    "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') ORDER BY name",
  ).all<{ name: string }>();
  return results.map((r) => r.name);
}

describe("the read-only gate against the real D1 schema", () => {
  it("every allowed relation exists, and every other table or view is refused", async () => {
    const names = await schemaRelations();
    for (const name of ALLOWED) expect(names).toContain(name);
    const others = names.filter((name) => !ALLOWED.has(name));
    expect(others).toEqual(expect.arrayContaining(["quarantine", "alerts", "rules", "cursors"]));
    for (const name of others) {
      expect(refusal(`SELECT * FROM ${name}`)).toMatch(/is not allowed/);
      expect(refusal(`SELECT * FROM logs WHERE id IN (SELECT id FROM "${name}")`)).toMatch(
        /is not allowed/,
      );
    }
  });

  it("the SQL it lets through runs on D1 as written, prefixes removed", async () => {
    for (const sql of [
      "SELECT * FROM auditflare.logs LIMIT 1;",
      "select id from Logs union select id from auditflare.turbopuffer_audit_logs;",
      "WITH quarantine AS (SELECT id, actor FROM logs) SELECT count(*) FROM quarantine",
      "SELECT j.value FROM auditflare.logs, json_each(auditflare.logs.actor) AS j LIMIT 1",
      "SELECT count(*) FROM circleci_audit_logs c JOIN airkit_audit_logs a ON a.id = c.id",
      "SELECT * FROM logs WHERE id IN (SELECT id FROM planetscale_logs) -- trailing comment",
      "SELECT unixepoch(), (SELECT count(*) FROM turso_audit_logs), * FROM (VALUES (1))",
    ]) {
      const safe = allowedSql(sql);
      await expect(env.DB.prepare(safe).all(), safe).resolves.toMatchObject({ success: true });
    }
  });

  it("the returned SQL can be wrapped in a subquery", async () => {
    const safe = allowedSql("SELECT id FROM logs ORDER BY id -- newest last\n;");
    await expect(
      env.DB.prepare(`SELECT count(*) AS n FROM (${safe}) LIMIT 1`).first<{ n: number }>(),
    ).resolves.toMatchObject({ n: expect.any(Number) });
  });
});
