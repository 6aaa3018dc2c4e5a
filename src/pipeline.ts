import type { SourceConfig } from "./config";
import { enrichEvents } from "./enrich";
import { normalizerFor } from "./normalize";
import type { NormalizedEvent } from "./normalize/types";
import type { Framed } from "./parse/json";
import type { QuarantineEntry } from "./store/quarantine";
import { toRow } from "./store/rows";
import type { LogRow } from "./store/schema";

export interface Prepared {
  rows: LogRow[];
  quarantine: QuarantineEntry[];
}

/**
 * Framed records of one source → rows to store, and quarantine entries for every record that
 * did not parse or did not validate (each with where it was and why). Nothing is dropped.
 * Normalized events are enriched (srcIP → AS / country, src/enrich) before they become rows;
 * enrichment never fails a record, it only leaves its location fields null.
 */
export async function prepareRecords(
  env: Env,
  source: SourceConfig,
  records: Framed[],
  receivedAt: number,
  where: (location: string) => string = (l) => l,
): Promise<Prepared> {
  const normalizer = normalizerFor(source.type);
  const events: NormalizedEvent[] = [];
  const quarantine: QuarantineEntry[] = [];
  const reject = (r: Framed, stage: string, errorCode: string, error: string) =>
    quarantine.push({
      sourceID: source.id,
      sourceType: source.type,
      stage,
      errorCode,
      error,
      location: where(r.location),
      raw: r.raw,
    });
  for (const r of records) {
    if (!r.ok) {
      reject(r, "parse", "invalid_json", r.error);
      continue;
    }
    const result = await normalizer.normalize({ value: r.value, raw: r.raw });
    if (result.ok) events.push(result.event);
    else reject(r, "normalize", result.code, result.message);
  }
  await enrichEvents(env, events);
  const rows: LogRow[] = [];
  for (const event of events) rows.push(await toRow(source, event, receivedAt));
  return { rows, quarantine };
}
