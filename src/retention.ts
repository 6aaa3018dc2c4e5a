import { loadSources } from "./config";
import { pruneDeliveriesStatement } from "./store/deliveries";
import { deleteRows, expiredRows } from "./store/retention";

/** wrangler.toml [triggers]: every minute the pollers, hourly (this one) the retention sweep. */
export const RETENTION_CRON = "17 * * * *";

const DAY = 86_400_000;
const CHUNK = 500;

/**
 * Deletes rows older than their source's `ttlDays` (by eventTime, through logs_source_time),
 * with the R2 objects of spilled rawLogs. Bounded per run; the next run continues.
 */
export async function enforceRetention(
  env: Env,
  now = Date.now(),
  maxRowsPerSource = 20_000,
): Promise<Array<{ sourceID: string; deleted: number }>> {
  const report: Array<{ sourceID: string; deleted: number }> = [];
  for (const source of loadSources(env)) {
    if (!source.ttlDays) continue;
    const cutoff = now - source.ttlDays * DAY;
    let deleted = 0;
    while (deleted < maxRowsPerSource) {
      const results = await expiredRows(env.DB, source.id, cutoff, CHUNK);
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
    report.push({ sourceID: source.id, deleted });
  }
  // Announcer message ids (SNS, SQS, Pub/Sub) are remembered for 14 days: none redelivers later.
  await pruneDeliveriesStatement(env.DB, now - 14 * DAY).run();
  return report;
}
