import type { StoredPipeline } from "../ports";

/** Runtime processing pipelines (src/store/schema.ts: pipelines). */

export type { StoredPipeline };

export async function listStoredPipelines(db: D1Database): Promise<StoredPipeline[]> {
  const { results } = await db.prepare("SELECT * FROM pipelines ORDER BY id").all<StoredPipeline>();
  return results;
}

export async function countStoredPipelines(db: D1Database): Promise<number> {
  const r = await db.prepare("SELECT count(*) AS n FROM pipelines").first<{ n: number }>();
  return r?.n ?? 0;
}

/**
 * Adds or replaces a runtime pipeline; as for rules, updatedAt rises past every stored one, so
 * each write changes the version the engine reads (src/store/rules.ts rulesVersion).
 */
export async function putStoredPipeline(
  db: D1Database,
  p: StoredPipeline,
): Promise<{ outcome: "created" | "updated"; updatedAt: number }> {
  const before = await db.prepare("SELECT 1 FROM pipelines WHERE id = ?1").bind(p.id).first();
  const stored = await db
    .prepare(
      `INSERT INTO pipelines (id, yaml, name, priority, updatedAt, updatedBy)
       VALUES (?1, ?2, ?3, ?4, max(?5, coalesce((SELECT max(updatedAt) FROM pipelines), 0) + 1), ?6)
       ON CONFLICT(id) DO UPDATE SET yaml = excluded.yaml, name = excluded.name,
         priority = excluded.priority, updatedAt = excluded.updatedAt, updatedBy = excluded.updatedBy
       RETURNING updatedAt`,
    )
    .bind(p.id, p.yaml, p.name, p.priority, p.updatedAt, p.updatedBy)
    .first<{ updatedAt: number }>();
  return { outcome: before ? "updated" : "created", updatedAt: stored?.updatedAt ?? p.updatedAt };
}

export async function deleteStoredPipeline(db: D1Database, id: string): Promise<boolean> {
  const r = await db.prepare("DELETE FROM pipelines WHERE id = ?1").bind(id).run();
  return r.meta.changes > 0;
}
