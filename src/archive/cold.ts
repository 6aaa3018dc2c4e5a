import { loadSources } from "../config";
import { toIso } from "../lib/time";
import { HOT_DAYS } from "../retention";
import { oldestArchivedEvent } from "../store/archive-manifest";

const DAY = 86_400_000;

/**
 * `coldFrom` for the query API's meta (issue 16): when the range asked (from `from`, or
 * unbounded) reaches below the hot tier — events older than a source's `hotDays` may have left
 * D1 — and the archive holds events that old, the time below which answers may be incomplete:
 * those events are in the R2 archive (docs/archive.md). Undefined otherwise.
 */
export async function coldFrom(
  env: Env,
  now: number,
  q: { sourceID?: string; from?: number },
): Promise<string | undefined> {
  const sources = loadSources(env).filter((s) => !q.sourceID || s.id === q.sourceID);
  if (sources.length === 0) return undefined;
  const bound = now - Math.min(...sources.map((s) => s.hotDays ?? HOT_DAYS)) * DAY;
  if (q.from !== undefined && q.from >= bound) return undefined;
  const oldest = await oldestArchivedEvent(env.DB, q.sourceID);
  return oldest !== null && oldest < bound ? toIso(bound) : undefined;
}
