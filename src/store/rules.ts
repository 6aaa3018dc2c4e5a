/** Runtime detection rules and their match counters (src/store/schema.ts: rules, rule_stats). */

export interface StoredRule {
  id: string;
  yaml: string;
  title: string;
  level: string;
  updatedAt: number;
  updatedBy: string | null;
}

export async function listStoredRules(db: D1Database): Promise<StoredRule[]> {
  const { results } = await db.prepare("SELECT * FROM rules ORDER BY id").all<StoredRule>();
  return results;
}

export async function getStoredRule(db: D1Database, id: string): Promise<StoredRule | null> {
  return db.prepare("SELECT * FROM rules WHERE id = ?1").bind(id).first<StoredRule>();
}

export async function putStoredRule(db: D1Database, r: StoredRule): Promise<"created" | "updated"> {
  const before = await getStoredRule(db, r.id);
  await db
    .prepare(
      `INSERT INTO rules (id, yaml, title, level, updatedAt, updatedBy) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
       ON CONFLICT(id) DO UPDATE SET yaml = excluded.yaml, title = excluded.title, level = excluded.level,
         updatedAt = excluded.updatedAt, updatedBy = excluded.updatedBy`,
    )
    .bind(r.id, r.yaml, r.title, r.level, r.updatedAt, r.updatedBy)
    .run();
  return before ? "updated" : "created";
}

export async function deleteStoredRule(db: D1Database, id: string): Promise<boolean> {
  const r = await db.prepare("DELETE FROM rules WHERE id = ?1").bind(id).run();
  return r.meta.changes > 0;
}

export interface RuleStat {
  ruleId: string;
  matches: number;
  lastMatchAt: number | null;
}

export async function readRuleStats(db: D1Database): Promise<Map<string, RuleStat>> {
  const { results } = await db.prepare("SELECT * FROM rule_stats").all<RuleStat>();
  return new Map(results.map((s) => [s.ruleId, s]));
}
