import { loadSources } from "./config";
import { pruneDeliveriesStatement } from "./store/deliveries";
import {
  archivedExpiredRows,
  deleteManifestKeys,
  deleteRows,
  expiredArchiveKeys,
  expiredRows,
} from "./store/retention";

/** wrangler.toml [triggers]: every minute the pollers, hourly (this one) the archive and retention. */
export const RETENTION_CRON = "17 * * * *";

const DAY = 86_400_000;
const CHUNK = 500;
/** Defaults of a source's tiers (issue 16): days in D1, days at all. */
export const HOT_DAYS = 30;
export const TTL_DAYS = 400;

type Expired = (
  db: D1Database,
  sourceID: string,
  cutoff: number,
  limit: number,
) => Promise<Array<{ rid: string; rawLogRef: string | null }>>;

/** Deletes up to `max` rows that `expired` finds, with the R2 objects of spilled rawLogs. */
async function sweep(env: Env, sourceID: string, cutoff: number, max: number, expired: Expired) {
  let deleted = 0;
  while (deleted < max) {
    const results = await expired(env.DB, sourceID, cutoff, CHUNK);
    if (results.length === 0) break;
    const changes = await deleteRows(
      env.DB,
      results.map((x) => x.rid),
    );
    // Rows first: a failure here leaves orphan objects, never rows pointing at nothing.
    const refs = results.flatMap((x) => (x.rawLogRef ? [x.rawLogRef] : []));
    if (refs.length > 0) await env.ARCHIVE.delete(refs);
    deleted += changes;
    if (results.length < CHUNK) break;
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
    const cooled = await sweep(
      env,
      source.id,
      now - hot * DAY,
      maxRowsPerSource,
      archivedExpiredRows,
    );
    report.push({ sourceID: source.id, deleted, cooled, objectsDeleted });
  }
  // Announcer message ids (SNS, SQS, Pub/Sub) are remembered for 14 days: none redelivers later.
  await pruneDeliveriesStatement(env.DB, now - 14 * DAY).run();
  return report;
}
