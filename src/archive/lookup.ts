import { parquetReadObjects, rowIndex } from "hyparquet";
import { type ColdObject, coldObjectsAt, recentColdObjects } from "../store/archive-tiers";
import { rowKey } from "../store/keys";
import type { KeyedRow } from "../store/query";
import { footer, type ReadStats, r2File, storedRowOf } from "./read";

/**
 * GET /v1/logs/:id in the archive (issue 28). An id is a hash of the source and the vendor's
 * event id: it carries no time, so it cannot name an hour by itself. The archive's objects carry
 * a bloom filter on `id`, so probing an object costs its footer (cached per isolate) and the
 * filter (~1.2 bytes per row: ~24 KB for a 20,000-row part); only an object whose filter says
 * "maybe" has its id column read, and then just the one row's pages of the other columns
 * (offset index). With `eventTime` (the API hands it out with every row) only the objects whose
 * event-time span holds it are probed: usually one per source. Without it, the newest cold
 * objects are probed, at most MAX_PROBES; past that the answer is 404 and says to add eventTime.
 */

export const MAX_PROBES = 96;

export interface Lookup {
  row?: KeyedRow;
  stats: ReadStats;
  /** More cold objects exist than were probed (without eventTime). */
  unsearched: boolean;
}

export async function findArchived(
  env: { DB: D1Database; ARCHIVE: R2Bucket },
  id: string,
  eventTime?: number,
): Promise<Lookup> {
  const stats: ReadStats = { objects: 0, bytes: 0, rowsScanned: 0 };
  const objects =
    eventTime === undefined
      ? await recentColdObjects(env.DB, MAX_PROBES + 1)
      : await coldObjectsAt(env.DB, eventTime, MAX_PROBES + 1);
  for (const o of objects.slice(0, MAX_PROBES)) {
    const row = await probe(env.ARCHIVE, o, id, stats);
    if (row) return { row, stats, unsearched: false };
  }
  return { stats, unsearched: objects.length > MAX_PROBES };
}

async function probe(bucket: R2Bucket, o: ColdObject, id: string, stats: ReadStats) {
  const file = r2File(bucket, o.key, o.bytes, stats);
  const metadata = await footer(file, o, stats);
  const found = await parquetReadObjects({
    file,
    metadata,
    columns: ["id"],
    filter: { id: { $eq: id } },
    useBloomFilters: true,
    includeRowIndex: true,
    rowFormat: "object",
  });
  const at = found[0]?.[rowIndex];
  if (at === undefined) return undefined;
  const [r] = await parquetReadObjects({
    file,
    metadata,
    rowStart: at,
    rowEnd: at + 1,
    useOffsetIndex: true,
    rowFormat: "object",
  });
  if (!r) return undefined;
  const row = storedRowOf(r);
  return { ...row, key: rowKey(row.eventTime, row.id) };
}
