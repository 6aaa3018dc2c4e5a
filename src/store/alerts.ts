import { toIso } from "../lib/time";
import type { Match } from "../model/match";
import type { LogRow } from "./schema";

/**
 * Detections and alerts (src/store/schema.ts). The statements of one match run in the commit's
 * transaction, in this order: the detection (ignored when this rule already matched this event),
 * then the open alert of its (rule, dedup key) window counts it, or else a new alert is made;
 * both only when the detection is new in this commit (`commitId`). The rule's stats (rule_stats:
 * matches, lastMatchAt, the Rules tab) count the same new detections, silent ones included.
 */

const NEW_DETECTION =
  "EXISTS (SELECT 1 FROM detections WHERE ruleId = ?1 AND eventId = ?2 AND commitId = ?3)";
const OPEN_IN_WINDOW = "ruleId = ?1 AND dedupKey = ?4 AND firstSeen > ?5 AND status != 'closed'";

/** What an alert statement needs: the match (or correlation window) and the alert's fields. */
export interface AlertInput {
  ruleId: string;
  title: string;
  level: string;
  dedupKey: string;
  dedupMinutes: number;
  destinations: string[] | null;
  sourceID: string | null;
  /** The event the alert lists (a correlation window: the one that made it fire; a scheduled
   * rule's row: none). */
  eventId: string | null;
  /** The events a new alert lists (a correlation window: its first 20). */
  eventIds: string[];
  /** What a new alert shows besides its events (a scheduled rule: its row), or none. */
  context?: Record<string, unknown>;
}

/**
 * The open alert of (rule, dedup key) within dedupMinutes counts the match, or else a new
 * alert is made; both only when `guard` (SQL over ?1 ruleId, ?2 eventId, ?3 token, ?4 dedup
 * key, ?8 `key`) holds: the detection, or the correlation window, is new in this transaction.
 */
export function alertStatements(
  db: D1Database,
  a: AlertInput,
  guard: string,
  token: string,
  key: string | number,
  now: number,
): D1PreparedStatement[] {
  const params = [a.ruleId, a.eventId, token, a.dedupKey, now - a.dedupMinutes * 60_000, now];
  const update = db
    .prepare(
      `UPDATE alerts SET count = count + 1, lastSeen = ?6, version = version + 1,
         eventIds = CASE WHEN ?2 IS NOT NULL AND json_array_length(eventIds) < 20 THEN json_insert(eventIds, '$[#]', ?2) ELSE eventIds END
       WHERE ${OPEN_IN_WINDOW} AND ${guard.replaceAll("?8", "?7")}`,
    )
    // SQLite refuses a value bound past the last parameter the statement names.
    .bind(...params, ...(guard.includes("?8") ? [key] : []));
  const create = db
    .prepare(
      `INSERT INTO alerts (id, ruleId, title, level, dedupKey, sourceID, firstSeen, lastSeen, count, eventIds, destinations, context)
       SELECT ?7, ?1, ?9, ?10, ?4, ?11, ?6, ?6, 1, json(?12), ?13, ?14
       WHERE ${guard} AND NOT EXISTS (SELECT 1 FROM alerts WHERE ${OPEN_IN_WINDOW})`,
    )
    .bind(
      ...params,
      crypto.randomUUID(),
      key,
      a.title,
      a.level,
      a.sourceID,
      JSON.stringify(a.eventIds),
      a.destinations ? JSON.stringify(a.destinations) : null,
      a.context ? JSON.stringify(a.context) : null,
    );
  return [update, create];
}

/** Event ids per rule-stats statement: 2,000 ids of 32 hex keep it far below D1's 100 KB. */
const STATS_CHUNK = 2000;

/**
 * rule_stats counts the detections new in this commit, one statement per rule (and chunk of
 * events) after the commit's detection inserts: a detection this commit did not insert (a
 * re-pushed event) is not counted. ?1 ruleId, ?2 now, ?3 commitId, ?4 the events' ids (JSON).
 */
export function ruleStatsStatements(
  db: D1Database,
  matches: readonly Match[],
  now: number,
  commitId: string,
): D1PreparedStatement[] {
  const byRule = new Map<string, string[]>();
  for (const m of matches) {
    const ids = byRule.get(m.ruleId) ?? [];
    ids.push(m.eventId);
    byRule.set(m.ruleId, ids);
  }
  const statement = db.prepare(
    `INSERT INTO rule_stats (ruleId, matches, lastMatchAt)
     SELECT ?1, count(*), ?2 FROM detections
       WHERE ruleId = ?1 AND commitId = ?3 AND eventId IN (SELECT value FROM json_each(?4))
       HAVING count(*) > 0
     ON CONFLICT(ruleId) DO UPDATE SET matches = matches + excluded.matches,
       lastMatchAt = max(coalesce(lastMatchAt, 0), excluded.lastMatchAt)`,
  );
  return [...byRule].flatMap(([ruleId, ids]) =>
    Array.from({ length: Math.ceil(ids.length / STATS_CHUNK) }, (_, i) =>
      statement.bind(
        ruleId,
        now,
        commitId,
        JSON.stringify(ids.slice(i * STATS_CHUNK, (i + 1) * STATS_CHUNK)),
      ),
    ),
  );
}

/**
 * A match's statements: its detection row; for a rule that alerts, its alert statements. A
 * correlation's hit is only stored: its windows are decided after the commit.
 */
export function matchStatements(
  db: D1Database,
  m: Match,
  sourceID: string,
  now: number,
  commitId: string,
): D1PreparedStatement[] {
  const detection = db
    .prepare(
      `INSERT INTO detections (ruleId, eventId, dedupKey, value, eventTime, commitId)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(ruleId, eventId) DO NOTHING`,
    )
    .bind(m.ruleId, m.eventId, m.dedupKey, m.correlation?.value ?? null, m.eventTime, commitId);
  if (m.silent) return [detection];
  const input = { ...m, sourceID, eventIds: [m.eventId] };
  return [detection, ...alertStatements(db, input, NEW_DETECTION, commitId, m.eventId, now)];
}

export interface AlertRow {
  id: string;
  ruleId: string;
  title: string;
  level: string;
  dedupKey: string;
  sourceID: string | null;
  firstSeen: number;
  lastSeen: number;
  count: number;
  eventIds: string;
  status: string;
  destinations: string | null;
  version: number;
  notifiedVersion: number;
  delivery: string;
  context: string | null;
}

/** An alert as the API and the destinations show it. */
export const presentAlert = (a: AlertRow) => ({
  id: a.id,
  ruleId: a.ruleId,
  title: a.title,
  level: a.level,
  dedupKey: a.dedupKey,
  sourceID: a.sourceID,
  firstSeen: toIso(a.firstSeen),
  lastSeen: toIso(a.lastSeen),
  count: a.count,
  eventIds: JSON.parse(a.eventIds) as string[],
  status: a.status as "open" | "acknowledged" | "closed",
  delivery: a.delivery,
  ...(a.context ? { context: JSON.parse(a.context) as Record<string, unknown> } : {}),
});

/** Alerts whose latest version is not queued for the destinations yet (the outbox). */
export async function unnotifiedAlerts(db: D1Database, limit = 50): Promise<AlertRow[]> {
  const { results } = await db
    .prepare("SELECT * FROM alerts WHERE version > notifiedVersion ORDER BY lastSeen LIMIT ?1")
    .bind(limit)
    .all<AlertRow>();
  return results;
}

/**
 * Claims an alert's versions after `from` for queueing (false when another sweep claimed them
 * first, so concurrent sweeps never queue one version twice).
 */
export async function claimNotification(
  db: D1Database,
  id: string,
  from: number,
  to: number,
): Promise<boolean> {
  const r = await db
    .prepare("UPDATE alerts SET notifiedVersion = ?3 WHERE id = ?1 AND notifiedVersion = ?2")
    .bind(id, from, to)
    .run();
  return r.meta.changes > 0;
}

/** Gives a claim back (the queue refused the messages): the next sweep queues them. */
export async function releaseNotification(
  db: D1Database,
  id: string,
  from: number,
  to: number,
): Promise<void> {
  await db
    .prepare("UPDATE alerts SET notifiedVersion = ?2 WHERE id = ?1 AND notifiedVersion = ?3")
    .bind(id, from, to)
    .run();
}

export async function getAlert(db: D1Database, id: string): Promise<AlertRow | null> {
  return db.prepare("SELECT * FROM alerts WHERE id = ?1").bind(id).first<AlertRow>();
}

export async function setDelivery(db: D1Database, id: string, delivery: string): Promise<void> {
  await db.prepare("UPDATE alerts SET delivery = ?2 WHERE id = ?1").bind(id, delivery).run();
}

export async function setAlertStatus(
  db: D1Database,
  id: string,
  status: "acknowledged" | "closed",
): Promise<boolean> {
  const r = await db
    .prepare("UPDATE alerts SET status = ?2 WHERE id = ?1 AND status != 'closed'")
    .bind(id, status)
    .run();
  return r.meta.changes > 0;
}

/** Counts a delivery to a destination: a success clears its last error. */
export async function recordDestination(
  db: D1Database,
  id: string,
  outcome: { ok: true } | { ok: false; error: string },
  now: number,
): Promise<void> {
  await db
    .prepare(
      `INSERT INTO destination_health (destinationID, delivered, failed, lastSuccessAt, lastErrorAt, lastError)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6)
       ON CONFLICT(destinationID) DO UPDATE SET delivered = delivered + excluded.delivered,
         failed = failed + excluded.failed,
         lastSuccessAt = coalesce(excluded.lastSuccessAt, lastSuccessAt),
         lastErrorAt = CASE WHEN excluded.lastSuccessAt IS NOT NULL THEN NULL ELSE coalesce(excluded.lastErrorAt, lastErrorAt) END,
         lastError = CASE WHEN excluded.lastSuccessAt IS NOT NULL THEN NULL ELSE coalesce(excluded.lastError, lastError) END`,
    )
    .bind(
      id,
      outcome.ok ? 1 : 0,
      outcome.ok ? 0 : 1,
      outcome.ok ? now : null,
      outcome.ok ? null : now,
      outcome.ok ? null : outcome.error.slice(0, 1000),
    )
    .run();
}

export interface DestinationHealth {
  destinationID: string;
  delivered: number;
  failed: number;
  lastSuccessAt: number | null;
  lastErrorAt: number | null;
  lastError: string | null;
}

export async function readDestinationHealth(
  db: D1Database,
): Promise<Map<string, DestinationHealth>> {
  const { results } = await db.prepare("SELECT * FROM destination_health").all<DestinationHealth>();
  return new Map(results.map((h) => [h.destinationID, h]));
}

/** An alert's events (its eventIds), as stored. */
export async function alertEvents(db: D1Database, a: AlertRow): Promise<LogRow[]> {
  const { results } = await db
    .prepare(`SELECT * FROM events WHERE id IN (SELECT value FROM json_each(?1))`)
    .bind(JSON.stringify(JSON.parse(a.eventIds) as string[]))
    .all<LogRow>();
  return results;
}

/** A page of alerts, newest first, after the cursor (firstSeen, id); `limit` + 1 rows at most. */
export async function listAlerts(
  db: D1Database,
  q: {
    status: string | null;
    ruleId: string | null;
    level: string | null;
    from: number | null;
    to: number | null;
    after: [number, string] | [null, null];
    limit: number;
  },
): Promise<AlertRow[]> {
  const { results } = await db
    .prepare(
      `SELECT * FROM alerts WHERE (?1 IS NULL OR status = ?1) AND (?2 IS NULL OR ruleId = ?2)
       AND (?3 IS NULL OR level = ?3) AND (?4 IS NULL OR firstSeen >= ?4) AND (?5 IS NULL OR firstSeen < ?5)
       AND (?6 IS NULL OR firstSeen < ?6 OR (firstSeen = ?6 AND id < ?7))
     ORDER BY firstSeen DESC, id DESC LIMIT ?8`,
    )
    .bind(q.status, q.ruleId, q.level, q.from, q.to, q.after[0], q.after[1], q.limit + 1)
    .all<AlertRow>();
  return results;
}
