import type { RuleSource, StoredRule } from "../ports";
import { listStoredPipelines } from "./pipelines";

/** Runtime detection rules and their match counters (src/store/schema.ts: rules, rule_stats). */

export type { StoredRule };

export async function listStoredRules(db: D1Database): Promise<StoredRule[]> {
  const { results } = await db.prepare("SELECT * FROM rules ORDER BY id").all<StoredRule>();
  return results;
}

export async function getStoredRule(db: D1Database, id: string): Promise<StoredRule | null> {
  return db.prepare("SELECT * FROM rules WHERE id = ?1").bind(id).first<StoredRule>();
}

/**
 * Adds or replaces a runtime rule. Its updatedAt is `r.updatedAt`, or later when that would not
 * be past every stored rule's (clocks tie): each write changes rulesVersion. Returns what it did
 * and the updatedAt stored.
 */
export async function putStoredRule(
  db: D1Database,
  r: StoredRule,
): Promise<{ outcome: "created" | "updated"; updatedAt: number }> {
  const before = await getStoredRule(db, r.id);
  const stored = await db
    .prepare(
      `INSERT INTO rules (id, yaml, title, level, updatedAt, updatedBy)
       VALUES (?1, ?2, ?3, ?4, max(?5, coalesce((SELECT max(updatedAt) FROM rules), 0) + 1), ?6)
       ON CONFLICT(id) DO UPDATE SET yaml = excluded.yaml, title = excluded.title, level = excluded.level,
         updatedAt = excluded.updatedAt, updatedBy = excluded.updatedBy
       RETURNING updatedAt`,
    )
    .bind(r.id, r.yaml, r.title, r.level, r.updatedAt, r.updatedBy)
    .first<{ updatedAt: number }>();
  return { outcome: before ? "updated" : "created", updatedAt: stored?.updatedAt ?? r.updatedAt };
}

/**
 * What the runtime rules and pipelines are now, in one short row: it changes with every put
 * (updatedAt rises past every stored one) and delete (count and sum fall) of either. Read before
 * each commit's matching, so a rule or pipeline change takes effect on the next event in every
 * isolate (a pipeline change recompiles every rule).
 */
export async function rulesVersion(db: D1Database): Promise<string> {
  const stats = (table: string, p: string) =>
    `(SELECT count(*) FROM ${table}) AS ${p}n, (SELECT coalesce(max(updatedAt), 0) FROM ${table}) AS ${p}latest, (SELECT coalesce(sum(updatedAt), 0) FROM ${table}) AS ${p}total`;
  const v = await db
    .prepare(`SELECT ${stats("rules", "r")}, ${stats("pipelines", "p")}`)
    .first<Record<string, number>>();
  const part = (p: string) =>
    `${v?.[`${p}n`] ?? 0}:${v?.[`${p}latest`] ?? 0}:${v?.[`${p}total`] ?? 0}`;
  return `${part("r")}/${part("p")}`;
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

/** The stored rules and pipelines, as detection reads them (src/detect/: the port RuleSource). */
export const d1Rules = (db: D1Database): RuleSource => ({
  version: () => rulesVersion(db),
  list: () => listStoredRules(db),
  pipelines: () => listStoredPipelines(db),
});
