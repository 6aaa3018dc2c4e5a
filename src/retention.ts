import { loadSources } from "./config";
import { WINDOW_HORIZON_MS } from "./detect/correlate";
import { ruleFiles } from "./detect/ruleset";
import { deleteClosedWindows } from "./store/correlations";
import { pruneDeliveriesStatement } from "./store/deliveries";
import {
  archivedExpiredRows,
  deleteManifestKeys,
  deleteRows,
  expiredArchiveKeys,
  expiredRows,
  markCooled,
  pruneGoneIds,
} from "./store/retention";
import { d1Rules } from "./store/rules";

/** wrangler.toml [triggers]: every minute the pollers, hourly (this one) the archive and retention. */
export const RETENTION_CRON = "17 * * * *";

const DAY = 86_400_000;
const CHUNK = 500;
/** Defaults of a source's tiers (issue 16): days in D1, days at all. */
export const HOT_DAYS = 30;
export const TTL_DAYS = 400;
/**
 * How long, past hotDays, a row that left D1 is remembered (gone_ids, src/store/retention.ts):
 * a vendor delivering it again within a quarter (a retry, an overlapping export) gets a
 * duplicate, not a second copy. About 32 bytes per event (docs/scaling.md).
 */
export const GONE_DAYS = 90;

type Expired = (
  db: D1Database,
  sourceID: string,
  cutoff: number,
  limit: number,
) => Promise<Array<{ rid: string; rawLogRef: string | null }>>;

/**
 * Deletes up to `max` rows that `expired` finds, with the R2 objects of spilled rawLogs;
 * `archived`: only while their hour is still verified and cooled (deleteRows).
 */
async function sweep(
  env: Env,
  sourceID: string,
  cutoff: number,
  max: number,
  expired: Expired,
  archived = false,
) {
  let deleted = 0;
  while (deleted < max) {
    const results = await expired(env.DB, sourceID, cutoff, CHUNK);
    if (results.length === 0) break;
    const gone = await deleteRows(
      env.DB,
      results.map((x) => x.rid),
      archived,
    );
    // Rows first: a failure here leaves orphan objects, never rows pointing at nothing; and only
    // the objects of rows deleted.
    const refs = results.flatMap((x) => (x.rawLogRef && gone.has(x.rid) ? [x.rawLogRef] : []));
    if (refs.length > 0) await env.ARCHIVE.delete(refs);
    deleted += gone.size;
    if (results.length < CHUNK || gone.size === 0) break;
  }
  return deleted;
}

/**
 * The tiers of each source, bounded per run (the next run continues):
 * - rows older than `ttlDays` (default 400; 0 keeps them) are deleted from D1, and archive
 *   objects of hours older than that from R2 (object first, then its manifest entry);
 * - rows older than `hotDays` (default 30) are deleted from D1 only when the archive holds them
 *   (their hour archived to its end, the row at or below its watermark).
 */
export async function enforceRetention(
  env: Env,
  now = Date.now(),
  maxRowsPerSource = 20_000,
): Promise<Array<{ sourceID: string; deleted: number; cooled: number; objectsDeleted: number }>> {
  const report = [];
  for (const source of loadSources(env)) {
    const ttl = source.ttlDays ?? TTL_DAYS;
    const hot = source.hotDays ?? HOT_DAYS;
    let deleted = 0;
    let objectsDeleted = 0;
    if (ttl > 0) {
      deleted = await sweep(env, source.id, now - ttl * DAY, maxRowsPerSource, expiredRows);
      const keys = await expiredArchiveKeys(env.DB, source.id, now - ttl * DAY, 1000);
      if (keys.length > 0) {
        await env.ARCHIVE.delete(keys);
        await deleteManifestKeys(env.DB, keys);
      }
      objectsDeleted = keys.length;
    }
    // the hours first: a query then reads them from the archive, which holds all their rows
    await markCooled(env.DB, source.id, now - hot * DAY);
    const cooled = await sweep(
      env,
      source.id,
      now - hot * DAY,
      maxRowsPerSource,
      archivedExpiredRows,
      true,
    );
    report.push({ sourceID: source.id, deleted, cooled, objectsDeleted });
  }
  // The events let go once archived are remembered for GONE_DAYS past the longest hotDays (the
  // oldest any source still deletes), and never past the longest ttlDays: each run forgets as
  // many as every source's sweep could have added.
  const sources = loadSources(env);
  const hotDays = Math.max(HOT_DAYS, ...sources.map((s) => s.hotDays ?? HOT_DAYS));
  const ttls = sources.map((s) => s.ttlDays ?? TTL_DAYS);
  const keep = ttls.includes(0)
    ? hotDays + GONE_DAYS
    : Math.min(hotDays + GONE_DAYS, Math.max(...ttls));
  await pruneGoneIds(env.DB, now - keep * DAY, maxRowsPerSource * (sources.length + 1));
  // Announcer message ids (SNS, SQS, Pub/Sub) are remembered for 14 days: none redelivers later.
  await pruneDeliveriesStatement(env.DB, now - 14 * DAY).run();
  await pruneCorrelationWindows(env, now);
  return report;
}

/** The most correlation windows one retention run deletes (the next run continues). */
export const MAX_WINDOWS_PER_RUN = 20_000;
const WINDOW_CHUNK = 2_000;

/**
 * Deletes the recorded correlation windows (`correlation_windows`: each fired window, kept so it
 * alerts once) that closed more than WINDOW_HORIZON_MS ago: production decides no such window
 * again (src/detect/correlate.ts), so their rows guard nothing. Bounded per run. The timespans
 * are those of every rule file, enabled or not (a rule no longer in force counts 0).
 */
export async function pruneCorrelationWindows(
  env: Env,
  now: number,
  max = MAX_WINDOWS_PER_RUN,
): Promise<number> {
  const spans = new Map<string, number>();
  for (const f of (await ruleFiles(d1Rules(env.DB))).values())
    for (const r of f.rules)
      if (r.kind === "correlation") spans.set(r.id, r.timespanSeconds * 1000);
  let deleted = 0;
  while (deleted < max) {
    const limit = Math.min(WINDOW_CHUNK, max - deleted);
    const n = await deleteClosedWindows(env.DB, now - WINDOW_HORIZON_MS, spans, limit);
    deleted += n;
    if (n < limit) break;
  }
  return deleted;
}
