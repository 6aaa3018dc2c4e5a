import { parquetWriteBuffer } from "hyparquet-writer";
import { builtMaps, onceParsed } from "../store/derived";
import { parseJson } from "../store/present";
import { COMMON_COLUMNS, UNSTORED_COLUMNS } from "../store/rows";
import type { LogRow } from "../store/schema";
import { fullSourceFields } from "../store/source-fields";
import { findVendor } from "../vendors";

/**
 * One archive object: stored rows as Parquet (hyparquet-writer, pure JS, runs in workerd;
 * snappy). Every common column with its type — TIMESTAMP (milliseconds, UTC) for the times,
 * INT32/INT64/BOOLEAN/DOUBLE where the value is one, JSON for maps and arrays and for
 * `sourceFields` (complete: the vendor columns as the API shows them), `rawLog` as the string it
 * was stored as, and a bloom filter on `id` — so DuckDB, ClickHouse and Spark read the files as they are.
 */

type ParquetType = "STRING" | "JSON" | "TIMESTAMP" | "INT32" | "INT64" | "BOOLEAN" | "DOUBLE";

const TYPES: Readonly<Record<string, ParquetType>> = {
  sourceTTL: "INT32",
  receivedAt: "TIMESTAMP",
  eventTime: "TIMESTAMP",
  readOnly: "BOOLEAN",
  srcASNumber: "INT64",
  dstASNumber: "INT64",
  srcLatitude: "DOUBLE",
  srcLongitude: "DOUBLE",
  dstLatitude: "DOUBLE",
  dstLongitude: "DOUBLE",
  actor: "JSON",
  tags: "JSON",
  resources: "JSON",
  enrichments: "JSON",
  sourceFields: "JSON",
};

/** The archive's columns, in order: the 36 common ones, then sourceFields. */
export const ARCHIVE_COLUMNS: ReadonlyArray<{ name: string; type: ParquetType }> = [
  ...COMMON_COLUMNS,
  "sourceFields",
].map((name) => ({ name, type: TYPES[name] ?? "STRING" }));

/** A stored row whose rawLog is the event's own text (a spilled one read back from R2). */
export type ArchiveRow = LogRow;

/**
 * What a row's columns read from its rawLog, made once a row: rawLog parsed once (onceParsed),
 * shared by the maps its markers stand for (src/store/derived.ts builtMaps) and the vendor
 * columns (fullSourceFields).
 */
const READS = new WeakMap<
  ArchiveRow,
  { parse: () => unknown; built: ReturnType<typeof builtMaps> }
>();
function readsOf(row: ArchiveRow) {
  let reads = READS.get(row);
  if (!reads) {
    const parse = onceParsed(row.rawLog);
    reads = { parse, built: builtMaps(findVendor(row.sourceType)?.view, row, parse) };
    READS.set(row, reads);
  }
  return reads;
}

function value(row: ArchiveRow, name: string, type: ParquetType): unknown {
  if (UNSTORED_COLUMNS.has(name)) return null;
  if (name === "actor" || name === "tags" || name === "resources")
    return readsOf(row).built[name] ?? parseJson<unknown>(row[name], null);
  if (name === "sourceFields") {
    const stored = parseJson<Record<string, unknown>>(row.sourceFields, {});
    const view = findVendor(row.sourceType)?.view;
    return fullSourceFields(view, stored, row.rawLog, readsOf(row).parse);
  }
  const v = row[name as keyof LogRow];
  if (v === null || v === undefined) return null;
  if (type === "TIMESTAMP") return new Date(v as number);
  if (type === "BOOLEAN") return v === 1;
  if (type === "INT64") return BigInt(v as number);
  if (type === "JSON") return parseJson<unknown>(v as string, null);
  return v;
}

/** The Parquet file of `rows` (one row group per 100,000 rows). */
export function toParquet(rows: readonly ArchiveRow[]): ArrayBuffer {
  return parquetWriteBuffer({
    columnData: ARCHIVE_COLUMNS.map(({ name, type }) => ({
      name,
      type,
      data: rows.map((r) => value(r, name, type)),
      // GET /v1/logs/:id probes an object's id bloom filter (~1.2 bytes per row, 1% false
      // positives) instead of reading its id column (src/archive/lookup.ts)
      ...(name === "id" ? { bloomFilter: true } : {}),
    })) as Parameters<typeof parquetWriteBuffer>[0]["columnData"],
    codec: "SNAPPY",
    rowGroupSize: 100_000,
    createdBy: "auditflare",
  });
}
