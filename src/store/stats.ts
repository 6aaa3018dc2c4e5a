import { drizzle } from "drizzle-orm/d1";
import { type SourceStatsRow, sourceStats } from "./schema";

/**
 * Per-source counters and health (table `source_stats`): the one upsert every writer uses, in
 * the same D1 batch as what it counts. Counters always add up:
 * received = inserted + duplicates + quarantined.
 */
interface StatsDelta {
  received?: number;
  inserted?: number;
  duplicates?: number;
  quarantined?: number;
  skipped?: number;
  lastEventTime?: number | null;
  /** A successful commit at this time: sets lastReceivedAt/lastSuccessAt, clears the error. */
  success?: number;
  error?: { at: number; message: string };
  /**
   * Counts taken from the statement just before in the batch (`changes()`): `inserted` =
   * the rows that INSERT added and `duplicates` = `rows` minus them; `kept` = the quarantine
   * keys that INSERT added are `quarantined`, the `rows` minus them (records already kept)
   * `duplicates`; or `skipped` = the rows that INSERT added.
   */
  fromChanges?:
    | { inserted: { rows: number } }
    | { kept: { rows: number; each?: number } }
    | { skipped: true };
}

export function statsStatement(
  db: D1Database,
  sourceID: string,
  d: StatsDelta,
): D1PreparedStatement {
  const changes = d.fromChanges;
  const inserted = changes && "inserted" in changes;
  const kept = changes && "kept" in changes;
  const skipped = changes && "skipped" in changes;
  // Each kept key may stand for several records (a block): c keys are c × each records.
  const each = kept ? (changes.kept.each ?? 1) : 1;
  const rows = inserted ? changes.inserted.rows : kept ? changes.kept.rows * each : undefined;
  const sql = `INSERT INTO source_stats (sourceID, received, inserted, duplicates, quarantined,
    skipped, lastEventTime, lastReceivedAt, lastSuccessAt, lastErrorAt, lastError)
  SELECT ?1, ?2, ${inserted ? "c" : "?3"}, ${rows !== undefined ? "?4 - c" : "?4"},
    ${kept ? "c" : "?5"}, ${skipped ? "c" : "?6"}, ?7, ?8, ?8, ?9, ?10
  FROM (SELECT changes() * ${each} AS c) WHERE true
  ON CONFLICT(sourceID) DO UPDATE SET received = received + excluded.received,
    inserted = inserted + excluded.inserted, duplicates = duplicates + excluded.duplicates,
    quarantined = quarantined + excluded.quarantined, skipped = skipped + excluded.skipped,
    lastEventTime = max(coalesce(lastEventTime, excluded.lastEventTime), coalesce(excluded.lastEventTime, lastEventTime)),
    lastReceivedAt = coalesce(excluded.lastReceivedAt, lastReceivedAt),
    lastSuccessAt = coalesce(excluded.lastSuccessAt, lastSuccessAt),
    lastErrorAt = CASE WHEN excluded.lastSuccessAt IS NOT NULL THEN NULL ELSE coalesce(excluded.lastErrorAt, lastErrorAt) END,
    lastError = CASE WHEN excluded.lastSuccessAt IS NOT NULL THEN NULL ELSE coalesce(excluded.lastError, lastError) END`;
  const params: unknown[] = [
    sourceID,
    d.received ?? 0,
    d.inserted ?? 0,
    rows ?? d.duplicates ?? 0,
    d.quarantined ?? 0,
    d.skipped ?? 0,
    d.lastEventTime ?? null,
    d.success ?? null,
    d.error?.at ?? null,
    d.error ? d.error.message.slice(0, 1000) : null,
  ];
  return db.prepare(sql).bind(...params);
}

/** Records a failure in the source's health (best effort: it must not hide the original error). */
export async function recordSourceError(
  db: D1Database,
  sourceID: string,
  message: string,
  now: number,
): Promise<void> {
  await statsStatement(db, sourceID, { error: { at: now, message } })
    .run()
    .catch(() => {});
}

/** Every source's counters and health, by source id. */
export async function readStats(db: D1Database): Promise<Map<string, SourceStatsRow>> {
  const rows = await drizzle(db).select().from(sourceStats);
  return new Map(rows.map((s) => [s.sourceID, s]));
}
