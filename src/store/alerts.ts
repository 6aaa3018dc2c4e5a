import { toIso } from "../lib/time";
import type { Match } from "../model/match";
import type { LogRow } from "./schema";

/**
 * Detections and alerts (src/store/schema.ts). A commit's detection statements run in its
 * transaction, in this order (`detectionStatements`): its detection rows in bulk (a row already
 * there, this rule having matched this event before, is ignored), then per (rule, dedup key) the
 * open alert of its window counts the group's detections new in this commit (`commitId`), or
 * else one new alert is made. The rule's stats (rule_stats: matches, lastMatchAt, the Rules tab)
 * count the same new detections, silent ones included.
 */

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

/**
 * rule_stats counts the detections new in this commit: right after each detection INSERT, in
 * the same transaction, `changes()` is exactly the rows it added (a detection this commit did not
 * insert, a re-pushed event's, is not counted). ?1 ruleId, ?2 now.
 */
const RULE_STATS_SQL = `INSERT INTO rule_stats (ruleId, matches, lastMatchAt)
  SELECT ?1, c, ?2 FROM (SELECT changes() AS c) WHERE c > 0
  ON CONFLICT(ruleId) DO UPDATE SET matches = matches + excluded.matches,
    lastMatchAt = max(coalesce(lastMatchAt, 0), excluded.lastMatchAt)`;

/** Detection rows per bulk insert: a row is ~80 bytes of JSON, far below D1's 100 KB. */
const DETECTIONS_CHUNK = 400;

// One rule's detections of a commit (?1: JSON [[eventId, dedupKey, value, eventTime], ...],
// ?2 ruleId, ?3 commitId, ?4 hit), keyed by (eventTime, eventId, ruleId): an event whose id is
// stored with another time is the stored event's duplicate, and gets no detection of its own.
// The lookup reads the events' id index where this commit's INSERTs just wrote (no page written).
const DETECTIONS_SQL = `INSERT INTO detections (ruleId, eventId, dedupKey, value, eventTime, commitId, hit)
SELECT ?2, j.value ->> 0, j.value ->> 1, j.value ->> 2, j.value ->> 3, ?3, ?4 FROM json_each(?1) AS j
WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.id = j.value ->> 0 AND e.eventTime != j.value ->> 3)
ON CONFLICT DO NOTHING`;

/**
 * The commit's detections, per rule as many rows per INSERT as DETECTIONS_CHUNK (one JSON
 * parameter), each INSERT followed by the rule's stats counting what it added.
 */
function detectionInserts(
  db: D1Database,
  matches: readonly Match[],
  now: number,
  commitId: string,
): D1PreparedStatement[] {
  const byRule = new Map<string, Match[]>();
  for (const m of matches) {
    const key = `${m.ruleId}\u0000${m.correlation ? 1 : 0}`;
    const of = byRule.get(key);
    if (of) of.push(m);
    else byRule.set(key, [m]);
  }
  const insert = db.prepare(DETECTIONS_SQL);
  const stats = db.prepare(RULE_STATS_SQL);
  const out: D1PreparedStatement[] = [];
  for (const ms of byRule.values()) {
    const first = ms[0] as Match;
    for (let i = 0; i < ms.length; i += DETECTIONS_CHUNK) {
      const rows = ms
        .slice(i, i + DETECTIONS_CHUNK)
        .map((m) => [m.eventId, m.dedupKey, m.correlation?.value ?? null, m.eventTime]);
      out.push(
        insert.bind(JSON.stringify(rows), first.ruleId, commitId, first.correlation ? 1 : 0),
        stats.bind(first.ruleId, now),
      );
    }
  }
  return out;
}

/** The alerting matches of a commit by (rule, dedup key), each group's events in commit order. */
function alertGroups(matches: readonly Match[]): Match[][] {
  const groups = new Map<string, Match[]>();
  for (const m of matches) {
    if (m.silent) continue;
    const key = `${m.ruleId}\u0000${m.dedupKey}`;
    const group = groups.get(key);
    if (group) group.push(m);
    else groups.set(key, [m]);
  }
  return [...groups.values()];
}

/** Events of one group per alert statement pair: 1,500 [id of 32 hex, time] are ~75 KB. */
const GROUP_CHUNK = 1500;
/** The groups' JSON per alert statement pair, far below D1's 100 KB. */
const GROUPS_BYTES = 90_000;

// The commit's alert groups (?1: JSON [[ruleId, dedupKey, since, title, level, destinations,
// new alert id, [[event id, event time] in commit order]], ...]).
const GRP = `grp AS (SELECT value ->> 0 AS ruleId, value ->> 1 AS dedupKey, value ->> 2 AS since,
    value ->> 3 AS title, value ->> 4 AS level, value ->> 5 AS destinations, value ->> 6 AS newId,
    value -> 7 AS ids FROM json_each(?1))`;

/**
 * The events of the groups in `of` whose detection this commit (?2 commitId) inserted (looked up
 * by its key), with their place in the group (k). Materialized: read by every group's
 * subqueries, the detections looked up once.
 */
const freshOf = (of: string) => `fresh AS MATERIALIZED (SELECT g.ruleId, g.dedupKey, g.since,
    g.newId, j.key AS k, j.value ->> 0 AS id FROM ${of} AS g, json_each(g.ids) AS j
    WHERE EXISTS (SELECT 1 FROM detections d WHERE d.eventTime = j.value ->> 1
      AND d.eventId = j.value ->> 0 AND d.ruleId = g.ruleId AND d.commitId = ?2))`;
const GROUPS = `${GRP},
  ${freshOf("grp")}`;

// The groups' open alerts in their windows (at most one per group) count the group's new
// detections at once: one new version, its first 20 events followed by the new ones (a list
// already at 20 is kept as it is, not rebuilt).
const GROUPS_UPDATE = `WITH ${GROUPS},
  news AS (SELECT ruleId, dedupKey, since, count(*) AS n FROM fresh GROUP BY ruleId, dedupKey)
UPDATE alerts SET count = alerts.count + news.n, lastSeen = ?3, version = alerts.version + 1,
  eventIds = CASE WHEN json_array_length(alerts.eventIds) >= 20 THEN alerts.eventIds ELSE
    (SELECT json_group_array(id) FROM (
      SELECT id FROM (SELECT 0 AS g, e.key AS k, e.value AS id FROM json_each(alerts.eventIds) AS e
                      UNION ALL SELECT 1, f.k, f.id FROM fresh AS f
                        WHERE f.ruleId = news.ruleId AND f.dedupKey = news.dedupKey)
      ORDER BY g, k LIMIT 20)) END
FROM news
WHERE alerts.ruleId = news.ruleId AND alerts.dedupKey = news.dedupKey
  AND alerts.firstSeen > news.since AND alerts.status != 'closed'`;

// The groups with new detections and no open alert in their window: one alert each. Only the
// groups without an open alert have their new detections looked up: in a commit whose groups
// all have one (a steady stream of matches), this statement looks nothing up.
const GROUPS_INSERT = `WITH ${GRP},
  unopened AS MATERIALIZED (SELECT * FROM grp WHERE NOT EXISTS (SELECT 1 FROM alerts AS a
    WHERE a.ruleId = grp.ruleId AND a.dedupKey = grp.dedupKey AND a.firstSeen > grp.since
      AND a.status != 'closed')),
  ${freshOf("unopened")}
INSERT INTO alerts (id, ruleId, title, level, dedupKey, sourceID, firstSeen, lastSeen, count, eventIds, destinations)
SELECT u.newId, u.ruleId, u.title, u.level, u.dedupKey, ?4, ?3, ?3,
  (SELECT count(*) FROM fresh AS f WHERE f.newId = u.newId),
  (SELECT json_group_array(id) FROM (SELECT f.id FROM fresh AS f WHERE f.newId = u.newId
     ORDER BY f.k LIMIT 20)),
  u.destinations
FROM unopened AS u
WHERE EXISTS (SELECT 1 FROM fresh AS f WHERE f.newId = u.newId)`;

/**
 * A commit's alerting matches, deduplicated in memory per (rule, dedup key), in two statements
 * for all its groups (more only past GROUPS_BYTES, or for a group over GROUP_CHUNK events): the
 * open alert of each group's window counts the group's new detections at once (one new version,
 * so one notification, whatever the number of events), or else one alert is made holding them.
 * Only detections this commit inserted count (a re-pushed event never counts twice). Same
 * outcome as the per-event statements of `alertStatements` applied in order.
 */
function groupsAlertStatements(
  db: D1Database,
  groups: Match[][],
  sourceID: string,
  now: number,
  commitId: string,
): D1PreparedStatement[] {
  // Round r holds the r-th GROUP_CHUNK events of each group: a group's later events follow the
  // statements that made or raised its alert.
  const rounds: string[][] = [];
  for (const group of groups) {
    const first = group[0] as Match;
    const since = now - first.dedupMinutes * 60_000;
    for (let i = 0, r = 0; i < group.length; i += GROUP_CHUNK, r++) {
      const ids = group.slice(i, i + GROUP_CHUNK).map((m) => [m.eventId, m.eventTime]);
      const destinations = first.destinations ? JSON.stringify(first.destinations) : null;
      const entry = [first.ruleId, first.dedupKey, since, first.title, first.level, destinations];
      const round = rounds[r] ?? [];
      rounds[r] = round;
      round.push(JSON.stringify([...entry, crypto.randomUUID(), ids]));
    }
  }
  const update = db.prepare(GROUPS_UPDATE);
  const insert = db.prepare(GROUPS_INSERT);
  const out: D1PreparedStatement[] = [];
  const flush = (parts: string[]) => {
    const json = `[${parts.join(",")}]`;
    out.push(update.bind(json, commitId, now), insert.bind(json, commitId, now, sourceID));
  };
  for (const round of rounds) {
    let parts: string[] = [];
    let bytes = 2;
    for (const part of round) {
      if (parts.length > 0 && bytes + part.length + 1 > GROUPS_BYTES) {
        flush(parts);
        parts = [];
        bytes = 2;
      }
      parts.push(part);
      bytes += part.length + 1;
    }
    if (parts.length > 0) flush(parts);
  }
  return out;
}

/**
 * A commit's detection statements, batched: its detection rows in bulk inserts, then per
 * (rule, dedup key) of the rules that alert, the open alert counts the group or one alert is
 * made (deduplicated in memory: one alert write per alert, not per event). A correlation's hit
 * is only stored: its windows are decided after the commit. Each rule's stats follow its
 * inserts (RULE_STATS_SQL).
 */
export function detectionStatements(
  db: D1Database,
  matches: readonly Match[],
  sourceID: string,
  now: number,
  commitId: string,
): D1PreparedStatement[] {
  if (matches.length === 0) return [];
  return [
    ...detectionInserts(db, matches, now, commitId),
    ...groupsAlertStatements(db, alertGroups(matches), sourceID, now, commitId),
  ];
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
  notifyClaimedAt: number | null;
  /** The version the claim queues (a claim taken over keeps its sender's; see CLAIM_VERSION). */
  notifyClaimedVersion?: number | null;
  notifiedAt: number | null;
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

/**
 * How long a claim holds an alert's unqueued versions for one sender. A sender claims, queues,
 * then marks them queued, all within seconds (a push's waitUntil, the cron); a claim older than
 * this is a sender that died in between, and the next sweep claims and queues them again: at
 * least once, never lost. A message sent twice that way carries the same webhook-id
 * (`msg_<alert>_<version>`), which receivers deduplicate.
 */
export const NOTIFY_LEASE_MS = 5 * 60_000;

/**
 * A due alert: a version not notified yet (the condition of the index alerts_due, which the
 * outbox reads by), unclaimed or its claim older than `lease` (a parameter: now − the lease).
 */
const due = (lease: string) =>
  `version > notifiedVersion AND (notifyClaimedAt IS NULL OR notifyClaimedAt <= ${lease})`;

/**
 * An alert's updates go out at most once per this interval: a version raised within it of the
 * alert's last notification (`notifiedAt`) waits, and the versions raised meanwhile go as one,
 * the latest, by the first commit or cron (every minute) after it. A new alert goes at once. A
 * burst of matches (a push of 1,000 events a second for an hour) is one `alert.created` and an
 * `alert.updated` a minute per alert, not one per commit (Slack's incoming webhooks take about
 * one message a second each). The limit is per alert: a thousand new alerts still go at once.
 */
export const UPDATE_EVERY_MS = 60_000;

/**
 * How much earlier than UPDATE_EVERY_MS an update may go: the every-minute cron does not fire to
 * the millisecond, and an alert notified by one run would otherwise miss the next by a hair and
 * wait for the one after (an update every 2 minutes).
 */
const UPDATE_SLACK_MS = 5_000;

/**
 * The outbox read's and claim's time bounds at `now`: claims older than the first are taken
 * again; updates notified before the second may go.
 */
const sendBounds = (now: number) =>
  [now - NOTIFY_LEASE_MS, now - UPDATE_EVERY_MS + UPDATE_SLACK_MS] as const;

/** A due alert whose next version may go now: new, or its last notification `quiet` ago or more. */
const sendable = (lease: string, quiet: string) =>
  `${due(lease)} AND (notifiedVersion = 0 OR notifiedAt IS NULL OR notifiedAt <= ${quiet})`;

/**
 * What a claim queues: the version an earlier claim took (it ran out, or was given back: that
 * sender may have queued it, under its webhook-id), else the latest.
 */
const CLAIM_VERSION = "notifyClaimedVersion = coalesce(notifyClaimedVersion, version)";

/**
 * A claimed alert as its sender sees it: `version` is the version it queues (the claim's), a
 * newer one raised meanwhile stays due for the next sweep.
 */
const asClaimed = (a: AlertRow): AlertRow => ({
  ...a,
  version: a.notifyClaimedVersion ?? a.version,
});

/**
 * The outbox's reads of the due alerts (`version > notifiedVersion`, unclaimed or their claim
 * run out), each by the index of the due alerts only (src/store/schema.ts alerts_due): the
 * page read (?1 limit, ?2 claims older than this are taken again, ?3 updates notified before
 * this may go: now − UPDATE_EVERY_MS + UPDATE_SLACK_MS), the page claimed (the same after ?2
 * now), and the no-destination sweep (?1 as the read's ?2; no interval: nothing is sent).
 */
export const OUTBOX_SQL = {
  due: `SELECT * FROM alerts WHERE ${sendable("?2", "?3")} ORDER BY lastSeen LIMIT ?1`,
  claim: `UPDATE alerts SET notifyClaimedAt = ?2, ${CLAIM_VERSION} WHERE id IN (
         SELECT id FROM alerts WHERE ${sendable("?3", "?4")} ORDER BY lastSeen LIMIT ?1)
       RETURNING *`,
  markAll: `UPDATE alerts SET notifiedVersion = version, notifyClaimedAt = NULL,
         notifyClaimedVersion = NULL WHERE ${due("?1")}`,
} as const;

/** Alerts whose latest version is not queued for the destinations yet and not claimed (the outbox). */
export async function unnotifiedAlerts(
  db: D1Database,
  limit = 50,
  now = Date.now(),
): Promise<AlertRow[]> {
  const { results } = await db
    .prepare(OUTBOX_SQL.due)
    .bind(limit, ...sendBounds(now))
    .all<AlertRow>();
  return results;
}

/**
 * The outbox's next page (as `unnotifiedAlerts` reads it) claimed at once, in one statement:
 * the alerts returned are the ones claimed here, as `claimNotifications` of that page would
 * return them (the statement reads and claims in one write, so no other sweep claims one
 * between), oldest lastSeen first.
 */
export async function claimDue(db: D1Database, limit = 50, now = Date.now()): Promise<AlertRow[]> {
  const { results } = await db
    .prepare(OUTBOX_SQL.claim)
    .bind(limit, now, ...sendBounds(now))
    .all<AlertRow>();
  // RETURNING gives no order: the page's (stable: ties keep the order read)
  return results.map(asClaimed).sort((a, b) => a.lastSeen - b.lastSeen);
}

/**
 * Claims the alerts' versions after the notified one for queueing, in one batch: the alerts
 * returned are the ones claimed here (another sweep that claimed one first keeps it, until its
 * lease runs out, so concurrent sweeps never queue one version twice).
 */
export async function claimNotifications(
  db: D1Database,
  due: AlertRow[],
  now = Date.now(),
): Promise<AlertRow[]> {
  if (due.length === 0) return [];
  const claim = db.prepare(
    `UPDATE alerts SET notifyClaimedAt = ?3, ${CLAIM_VERSION} WHERE id = ?1 AND notifiedVersion = ?2
       AND (notifyClaimedAt IS NULL OR notifyClaimedAt <= ?4) RETURNING notifyClaimedVersion`,
  );
  const results = await db.batch<{ notifyClaimedVersion: number }>(
    due.map((a) => claim.bind(a.id, a.notifiedVersion, now, now - NOTIFY_LEASE_MS)),
  );
  return due.flatMap((a, i) => {
    const claimed = results[i]?.results[0];
    return claimed ? [{ ...a, version: claimed.notifyClaimedVersion }] : [];
  });
}

/**
 * The claimed versions are queued (or had no destination): the claim ends, notifiedVersion
 * moves, and `notifiedAt` (the next update waits UPDATE_EVERY_MS from it) is the claim's time,
 * so a sweep a minute after the one that claimed it finds it sendable (a mark is later than its
 * claim by the events' read and the queue's send).
 */
export async function markNotified(
  db: D1Database,
  queued: AlertRow[],
  now = Date.now(),
): Promise<void> {
  if (queued.length === 0) return;
  // one statement for all (?1: [[id, notifiedVersion, version], ...]; an alert once each); SET
  // reads the row as it was: notifiedAt takes the claim's time before the claim is cleared
  await db
    .prepare(
      `UPDATE alerts SET notifiedVersion = j.value ->> 2, notifyClaimedAt = NULL,
         notifyClaimedVersion = NULL, notifiedAt = coalesce(notifyClaimedAt, ?2)
       FROM json_each(?1) AS j
       WHERE alerts.id = j.value ->> 0 AND alerts.notifiedVersion = j.value ->> 1`,
    )
    .bind(JSON.stringify(queued.map((a) => [a.id, a.notifiedVersion, a.version])), now)
    .run();
}

/**
 * With no destination configured there is nothing to send: a commit's alerts, those of the
 * (rule, dedup key) groups it matched (?1: JSON [[ruleId, dedupKey], ...]), are marked notified
 * in the commit's own transaction, unless another sender's claim on one is still live; instead
 * of a write after the commit (the push's second D1 round trip). By the groups' index.
 */
export function markGroupsNotifiedStatement(
  db: D1Database,
  groups: ReadonlyArray<readonly [string, string]>,
  now = Date.now(),
): D1PreparedStatement {
  return db
    .prepare(
      `UPDATE alerts SET notifiedVersion = version, notifyClaimedAt = NULL,
         notifyClaimedVersion = NULL
       WHERE id IN (SELECT a.id FROM json_each(?1) AS g JOIN alerts AS a
           ON a.ruleId = g.value ->> 0 AND a.dedupKey = g.value ->> 1) AND ${due("?2")}`,
    )
    .bind(JSON.stringify(groups), now - NOTIFY_LEASE_MS);
}

/**
 * With no destination configured there is nothing to queue: every due version (unclaimed, or
 * its claim run out) is marked notified in one statement instead of being read, claimed and
 * marked alert by alert. Returns how many alerts it marked.
 */
export async function markAllNotified(db: D1Database, now = Date.now()): Promise<number> {
  const r = await db
    .prepare(OUTBOX_SQL.markAll)
    .bind(now - NOTIFY_LEASE_MS)
    .run();
  return r.meta.changes;
}

/**
 * Gives claims back (the queue refused some of an alert's messages): the next sweep queues the
 * same version again (its claimed version stays), so the destinations that got it get it again
 * under the same webhook-id.
 */
export async function releaseNotifications(db: D1Database, claimed: AlertRow[]): Promise<void> {
  if (claimed.length === 0) return;
  const release = db.prepare(
    "UPDATE alerts SET notifyClaimedAt = NULL WHERE id = ?1 AND notifiedVersion = ?2",
  );
  await db.batch(claimed.map((a) => release.bind(a.id, a.notifiedVersion)));
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
  await destinationStatement(db, id, outcome, now).run();
}

/**
 * Delivered messages (a queue batch's), in one D1 batch: each destination's health counts its
 * own, each alert's `delivery` names where it went.
 */
export async function recordDelivered(
  db: D1Database,
  delivered: ReadonlyArray<{ destinationID: string; alertId: string }>,
  now: number,
): Promise<void> {
  if (delivered.length === 0) return;
  const counts = new Map<string, number>();
  for (const d of delivered) counts.set(d.destinationID, (counts.get(d.destinationID) ?? 0) + 1);
  // each alert's `delivery` in one statement: the last of its deliveries, as when they were
  // written one after the other
  const last = new Map<string, string>();
  for (const d of delivered) {
    last.delete(d.alertId);
    last.set(d.alertId, `delivered to ${d.destinationID}`);
  }
  const mark = db
    .prepare(
      `UPDATE alerts SET delivery = j.value ->> 1 FROM json_each(?1) AS j
       WHERE alerts.id = j.value ->> 0`,
    )
    .bind(JSON.stringify([...last]));
  await db.batch([
    ...[...counts].map(([id, n]) => destinationStatement(db, id, { ok: true, count: n }, now)),
    mark,
  ]);
}

function destinationStatement(
  db: D1Database,
  id: string,
  outcome: { ok: true; count?: number } | { ok: false; error: string },
  now: number,
): D1PreparedStatement {
  return db
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
      outcome.ok ? (outcome.count ?? 1) : 0,
      outcome.ok ? 0 : 1,
      outcome.ok ? now : null,
      outcome.ok ? null : now,
      outcome.ok ? null : outcome.error.slice(0, 1000),
    );
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
  return [...(await alertsEvents(db, [a])).values()];
}

/** The events of some alerts (their eventIds), as stored, by id: one query. */
export async function alertsEvents(
  db: D1Database,
  alerts: AlertRow[],
): Promise<Map<string, LogRow>> {
  const ids = [...new Set(alerts.flatMap((a) => JSON.parse(a.eventIds) as string[]))];
  if (ids.length === 0) return new Map();
  const { results } = await db
    .prepare(`SELECT * FROM events WHERE id IN (SELECT value FROM json_each(?1))`)
    .bind(JSON.stringify(ids))
    .all<LogRow>();
  return new Map(results.map((r) => [r.id, r]));
}

/**
 * The events of some alerts' notifications, in one round trip (one D1 batch: one snapshot).
 * `held`: [id, receivedAt] of the events an isolate's cache rendered before
 * (src/alerts/event-json.ts); `read`: the others. Returns the ids of `held` still stored with
 * that receivedAt (`still`: confirmed by the id index and the row's receivedAt, the row's
 * columns not sent), and the stored rows of `read` and of the held ids stored with another
 * receivedAt (deleted, then stored again). A held event deleted since (retention) is in
 * neither, as it would not be among the rows read.
 */
export async function alertEventsRead(
  db: D1Database,
  read: readonly string[],
  held: ReadonlyArray<readonly [string, number]>,
): Promise<{ rows: LogRow[]; still: Set<string> }> {
  if (held.length === 0) {
    if (read.length === 0) return { rows: [], still: new Set() };
    const { results } = await db
      .prepare("SELECT * FROM events WHERE id IN (SELECT value FROM json_each(?1))")
      .bind(JSON.stringify(read))
      .all<LogRow>();
    return { rows: results, still: new Set() };
  }
  const heldJson = JSON.stringify(held);
  const [rows, still] = (await db.batch([
    db
      .prepare(
        `SELECT * FROM events WHERE id IN (SELECT value FROM json_each(?1))
         UNION ALL
         SELECT e.* FROM json_each(?2) AS j CROSS JOIN events AS e
         WHERE e.id = j.value ->> 0 AND e.receivedAt != j.value ->> 1`,
      )
      .bind(JSON.stringify(read), heldJson),
    db
      .prepare(
        `SELECT e.id FROM json_each(?1) AS j CROSS JOIN events AS e
         WHERE e.id = j.value ->> 0 AND e.receivedAt = j.value ->> 1`,
      )
      .bind(heldJson),
  ])) as [D1Result<LogRow>, D1Result<{ id: string }>];
  return { rows: rows.results, still: new Set(still.results.map((r) => r.id)) };
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
