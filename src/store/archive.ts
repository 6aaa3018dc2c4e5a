import { keyAtOrAfter } from "./keys";
import type { LogRow } from "./schema";

/**
 * The SQL of the R2 archive (src/archive/): the per-hour bookkeeping the commit keeps, the rows
 * of an hour in archive order, the manifest, and the run lease. Tables: src/store/schema-archive.ts.
 */

export const HOUR = 3_600_000;
export const hourOf = (t: number) => Math.floor(t / HOUR) * HOUR;

/** The upserts of a commit: each hour its rows were received in, with their event-time span. */
export function receivedHoursStatements(
  db: D1Database,
  sourceID: string,
  rows: readonly LogRow[],
): D1PreparedStatement[] {
  const hours = new Map<number, [number, number]>();
  for (const r of rows) {
    const h = hourOf(r.receivedAt);
    const span = hours.get(h);
    if (!span) hours.set(h, [r.eventTime, r.eventTime]);
    else hours.set(h, [Math.min(span[0], r.eventTime), Math.max(span[1], r.eventTime)]);
  }
  return [...hours].map(([hour, [lo, hi]]) =>
    db
      .prepare(
        `INSERT INTO received_hours (sourceID, hour, minEventTime, maxEventTime) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (sourceID, hour) DO UPDATE SET
           minEventTime = min(minEventTime, excluded.minEventTime),
           maxEventTime = max(maxEventTime, excluded.maxEventTime),
           archivedThrough = NULL, verified = 0`,
      )
      .bind(sourceID, hour, lo, hi),
  );
}

export interface HourState {
  sourceID: string;
  hour: number;
  minEventTime: number;
  maxEventTime: number;
  doneReceivedAt: number | null;
  doneKey: string | null;
  archivedThrough: number | null;
  parts: number;
}

/** Hours with rows not yet archived up to `through` (exclusive), oldest first. */
export async function pendingHours(
  db: D1Database,
  through: number,
  limit: number,
): Promise<HourState[]> {
  const { results } = await db
    .prepare(
      `SELECT sourceID, hour, minEventTime, maxEventTime, doneReceivedAt, doneKey, archivedThrough, parts
       FROM received_hours
       WHERE hour < ?1 AND (archivedThrough IS NULL OR archivedThrough < min(hour + ${HOUR}, ?1))
       ORDER BY hour, sourceID LIMIT ?2`,
    )
    .bind(through, limit)
    .all<HourState>();
  return results;
}

export type KeyedLogRow = LogRow & { key: string };

/**
 * Up to `limit` rows of an hour after the watermark, received before `to`, in (receivedAt, key)
 * order. The key range of the hour's event times bounds the scan (index logs_source ends with
 * the key).
 */
export async function hourRows(
  db: D1Database,
  h: HourState,
  to: number,
  limit: number,
): Promise<KeyedLogRow[]> {
  const after = h.doneReceivedAt ?? -1;
  const afterKey = h.doneKey ?? "-9223372036854775807";
  const { results } = await db
    .prepare(
      `SELECT *, CAST(rid AS TEXT) AS key FROM events
       WHERE sourceID = ?1 AND rid >= CAST(?2 AS INTEGER) AND rid < CAST(?3 AS INTEGER)
         AND receivedAt >= ?4 AND receivedAt < ?5
         AND (receivedAt > ?6 OR (receivedAt = ?6 AND rid > CAST(?7 AS INTEGER)))
       ORDER BY receivedAt, rid LIMIT ?8`,
    )
    .bind(
      h.sourceID,
      keyAtOrAfter(h.minEventTime),
      keyAtOrAfter(h.maxEventTime + 1),
      h.hour,
      to,
      after,
      afterKey,
      limit,
    )
    .all<KeyedLogRow & { rid?: unknown }>();
  return results.map(({ rid: _rid, ...r }) => r as KeyedLogRow);
}

export interface ManifestEntry {
  sourceID: string;
  hour: number;
  part: number;
  key: string;
  rows: number;
  bytes: number;
  minEventTime: number;
  maxEventTime: number;
  sha256: string;
  createdAt: number;
  /** Rows per event-time hour, JSON `[[hourStart, count], …]` (histograms read it). */
  eventHours?: string | null;
  /** The rows' `rid & 0xffffffff` summed (ridSumOf): what verifyHour checks beside the count. */
  ridSum?: number | null;
}

/** The low 32 bits of each row's key (its rid), summed: exact, as a part has at most 20,000. */
export function ridSumOf(rows: readonly { key: string }[]): number {
  let sum = 0;
  for (const r of rows) sum += Number(BigInt.asUintN(64, BigInt(r.key)) & 0xffffffffn);
  return sum;
}

/**
 * Records a part written to R2 and moves the hour's watermark, in one batch, only if the
 * watermark is still where this run read it (another run or a retry did not move it).
 * Returns whether it was recorded.
 */
export async function recordPart(
  db: D1Database,
  h: HourState,
  m: ManifestEntry,
  done: { receivedAt: number | null; key: string | null; through: number },
): Promise<boolean> {
  const [update] = await db.batch([
    db
      .prepare(
        `UPDATE received_hours SET doneReceivedAt = ?3, doneKey = ?4, archivedThrough = ?5, parts = parts + ?6
         WHERE sourceID = ?1 AND hour = ?2 AND parts = ?7 AND doneReceivedAt IS ?8 AND doneKey IS ?9`,
      )
      .bind(
        h.sourceID,
        h.hour,
        done.receivedAt,
        done.key,
        done.through,
        m.rows > 0 ? 1 : 0,
        h.parts,
        h.doneReceivedAt,
        h.doneKey,
      ),
    db
      .prepare(
        `INSERT INTO archive_manifest (sourceID, hour, part, key, rows, bytes, minEventTime, maxEventTime, sha256, createdAt, eventHours, ridSum)
         SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12 WHERE ?5 > 0 AND changes() = 1
         ON CONFLICT DO NOTHING`,
      )
      .bind(
        m.sourceID,
        m.hour,
        m.part,
        m.key,
        m.rows,
        m.bytes,
        m.minEventTime,
        m.maxEventTime,
        m.sha256,
        m.createdAt,
        m.eventHours ?? null,
        m.ridSum ?? null,
      ),
  ]);
  return (update?.meta.changes ?? 0) === 1;
}

/**
 * The number of an hour's rows D1 holds, as SQL over the `received_hours` row `h`: its rows lie
 * within its event-time span (the time-ordered key: src/store/keys.ts), read as the row holds it
 * when the statement runs, so a commit that widened it is counted.
 */
export const storedRowsOfHour = (h: string, what = "count(*)") =>
  `(SELECT ${what} FROM events e WHERE e.sourceID = ${h}.sourceID
     AND e.rid >= ${h}.minEventTime * 1048576 AND e.rid < (${h}.maxEventTime + 1) * 1048576
     AND e.receivedAt >= ${h}.hour AND e.receivedAt < ${h}.hour + ${HOUR})`;

/** `what` over the manifest's parts of the hour `h`, as SQL over the `received_hours` row `h`. */
const partsOfHour = (h: string, what: string) =>
  `(SELECT ${what} FROM archive_manifest m WHERE m.sourceID = ${h}.sourceID AND m.hour = ${h}.hour)`;

/** The number of an hour's rows the manifest lists, as SQL over the `received_hours` row `h`. */
export const archivedRowsOfHour = (h: string) => partsOfHour(h, "coalesce(sum(m.rows), 0)");

/** Whether every part of the hour `h` has its ridSum (parts written before it have none). */
const summed = (h: string) => partsOfHour(h, "count(*) = count(m.ridSum)");

/**
 * Whether D1 holds as many of the hour `h`'s rows as the manifest lists, their keys' low 32 bits
 * summing as its parts' ridSum do (one scan of the rows for both), as SQL. `bySum` "ifSummed":
 * the sums are compared only where every part has one (else the counts alone); "always": an
 * hour with a part without one never matches.
 */
export const sameRowsAsManifest = (h: string, bySum: "ifSummed" | "always") => {
  const on = bySum === "ifSummed" ? ` * ${summed(h)}` : "";
  const sums = `${storedRowsOfHour(h, `count(*), coalesce(sum(e.rid & 4294967295), 0)${on}`)}
           = ${partsOfHour(h, `coalesce(sum(m.rows), 0), coalesce(sum(m.ridSum), 0)${on}`)}`;
  return bySum === "always" ? `(${summed(h)} AND ${sums})` : sums;
};

/**
 * Marks a closed hour verified when it is archived to its end and D1 holds exactly as many of
 * its rows as the manifest lists: the archive's rows are distinct rows of the hour, so equal
 * counts mean the archive holds every one, unless a row left D1 otherwise (a deletion the
 * archive did not make) while a row the archive does not hold landed late. So the rows' keys'
 * low bits must sum as the manifest's parts say too (ridSum; one scan gives both), where every
 * part has its sum: a row gone and another come would have to share those 32 bits. The hour's
 * rows are counted over its event-time span as it is now, not as the run read it: a commit that
 * landed in the hour while the run wrote it, with an event time outside that span, is counted
 * and leaves the hour unverified (kept in D1, never deleted by retention), as does a row that
 * landed below the watermark after the run passed it (a commit slower than the grace).
 */
export async function verifyHour(db: D1Database, h: HourState): Promise<boolean> {
  const r = await db
    .prepare(
      `UPDATE received_hours AS h SET verified = 1
       WHERE h.sourceID = ?1 AND h.hour = ?2 AND h.archivedThrough >= h.hour + ${HOUR}
         AND ${sameRowsAsManifest("h", "ifSummed")}`,
    )
    .bind(h.sourceID, h.hour)
    .run();
  return r.meta.changes === 1;
}

/** Takes the run lease until `until` if it is free (or already this holder's). */
export async function takeLease(db: D1Database, holder: string, now: number, until: number) {
  const r = await db
    .prepare(
      "UPDATE archive_lease SET holder = ?1, until = ?3 WHERE id = 1 AND (until <= ?2 OR holder = ?1)",
    )
    .bind(holder, now, until)
    .run();
  return r.meta.changes === 1;
}

export async function releaseLease(db: D1Database, holder: string): Promise<void> {
  await db
    .prepare("UPDATE archive_lease SET until = 0 WHERE id = 1 AND holder = ?1")
    .bind(holder)
    .run();
}
