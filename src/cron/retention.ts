import { loadSources } from "../config";

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
      // rid as text: a 63-bit integer does not survive a JS number.
      const { results } = await env.DB.prepare(
        `SELECT CAST(rid AS TEXT) AS rid, rawLogRef FROM logs WHERE sourceID = ?1 AND eventTime < ?2 LIMIT ${CHUNK}`,
      )
        .bind(source.id, cutoff)
        .all<{ rid: string; rawLogRef: string | null }>();
      if (results.length === 0) break;
      const r = await env.DB.prepare(
        "DELETE FROM logs WHERE rid IN (SELECT CAST(value AS INTEGER) FROM json_each(?1))",
      )
        .bind(JSON.stringify(results.map((x) => x.rid)))
        .run();
      // Rows first: a failure here leaves orphan objects, never rows pointing at nothing.
      const refs = results.flatMap((x) => (x.rawLogRef ? [x.rawLogRef] : []));
      if (refs.length > 0) await env.ARCHIVE.delete(refs);
      deleted += r.meta.changes;
      if (results.length < CHUNK) break;
    }
    report.push({ sourceID: source.id, deleted });
  }
  return report;
}
