import type { RuleSource, RuleState, StoredRule } from "../ports";
import { listStoredPipelines } from "./pipelines";

/** Runtime detection rules and their match counters (src/store/schema.ts: rules, rule_stats). */

export type { RuleState, StoredRule };

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
 * What the runtime rules, pipelines and rule states are now, in one short row: it changes with
 * every put or state change (updatedAt rises past every stored one) and delete (count and sum
 * fall) of any. An isolate reads it when it first matches, and each commit checks it in its own
 * transaction (rulesUnchangedStatement), so a rule or pipeline change takes effect on the next
 * event in every isolate (a pipeline change recompiles every rule).
 */
export async function rulesVersion(db: D1Database): Promise<string> {
  const v = await db.prepare(`SELECT ${VERSION_SQL} AS v`).first<{ v: string }>();
  return v?.v ?? "";
}

/** rulesVersion's text, in SQL: `count:latest:total` of rules, pipelines and rule_states. */
const VERSION_SQL = ["rules", "pipelines", "rule_states"]
  .map(
    (t) =>
      `(SELECT count(*) || ':' || coalesce(max(updatedAt), 0) || ':' || coalesce(sum(updatedAt), 0) FROM ${t})`,
  )
  .join(" || '/' || ");

/**
 * A statement for a commit's batch that fails it (rolling the whole transaction back) when the
 * runtime rules are no longer at `version`: the commit matched its rows with rules loaded
 * earlier, without reading the version first (src/pipeline/ingest.ts). `json()` of a text that
 * is not JSON is the error; evaluated once, it reads three small tables' counts.
 */
export function rulesUnchangedStatement(db: D1Database, version: string): D1PreparedStatement {
  return db
    .prepare(`SELECT json(CASE WHEN ${VERSION_SQL} = ?1 THEN '1' ELSE 'rules changed' END) AS ok`)
    .bind(version);
}

/**
 * Deletes a runtime rule; with `forgetState` (no bundled file has its id) its enabled state
 * too, in the same transaction, so a later rule of that id starts enabled.
 */
export async function deleteStoredRule(
  db: D1Database,
  id: string,
  forgetState: boolean,
): Promise<boolean> {
  const statements = [db.prepare("DELETE FROM rules WHERE id = ?1").bind(id)];
  if (forgetState) statements.push(db.prepare("DELETE FROM rule_states WHERE id = ?1").bind(id));
  const [r] = await db.batch(statements);
  return (r?.meta.changes ?? 0) > 0;
}

export async function listRuleStates(db: D1Database): Promise<RuleState[]> {
  const { results } = await db
    .prepare("SELECT id, enabled, updatedAt, updatedBy FROM rule_states")
    .all<Omit<RuleState, "enabled"> & { enabled: number }>();
  return results.map((r) => ({ ...r, enabled: r.enabled === 1 }));
}

/**
 * Sets a rule file's enabled state by compare-and-set: only a change is written (a retry, or a
 * concurrent request asking for the same state, writes nothing), enabling a file that has no
 * state (enabled) writes nothing, and a change's updatedAt rises past every state's so the
 * rules' version changes. Returns whether this call changed the state.
 */
export async function setRuleEnabled(
  db: D1Database,
  id: string,
  enabled: boolean,
  now: number,
  by: string | null,
): Promise<boolean> {
  const changed = await db
    .prepare(
      `INSERT INTO rule_states (id, enabled, updatedAt, updatedBy)
       SELECT ?1, ?2, max(?3, coalesce((SELECT max(updatedAt) FROM rule_states), 0) + 1), ?4
       WHERE ?2 = 0 OR EXISTS (SELECT 1 FROM rule_states WHERE id = ?1)
       ON CONFLICT(id) DO UPDATE SET enabled = excluded.enabled, updatedAt = excluded.updatedAt,
         updatedBy = excluded.updatedBy
       WHERE rule_states.enabled <> excluded.enabled
       RETURNING updatedAt`,
    )
    .bind(id, enabled ? 1 : 0, now, by)
    .first<{ updatedAt: number }>();
  return changed !== null;
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
  states: () => listRuleStates(db),
});
