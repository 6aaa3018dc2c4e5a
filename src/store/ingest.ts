import { ridOf } from "../lib/hash";
import { type QuarantineEntry, quarantineStatement, recordsIn } from "./quarantine";
import { LOG_COLUMNS } from "./rows";
import type { LogRow } from "./schema";
import { statsStatement } from "./stats";

/**
 * D1 caps a statement at 100 bound parameters and 100 KB. Rows are sent as one JSON array
 * parameter per statement (`json_each`), so a statement carries as many rows as fit in this
 * many bytes, whatever the column count. A row over it has its rawLog moved to R2.
 */
export const STATEMENT_BYTES = 90_000;

const INSERT_SQL = `INSERT INTO logs (rid, ${LOG_COLUMNS.join(", ")})
SELECT CAST(json_extract(value, '$.rid') AS INTEGER), ${LOG_COLUMNS.map((c) => `json_extract(value, '$.${c}')`).join(", ")}
FROM json_each(?1) WHERE true
ON CONFLICT(rid) DO NOTHING`;

// The statements below take the batch's distinct ids as JSON `[[rid, id], …]` groups, each
// within STATEMENT_BYTES too (a 1,000-event batch is one group).

// Two different ids sharing the 63-bit key would make the second look like a duplicate: find
// them (same rid, other id) so they are quarantined instead of lost. ~1e-5 odds at 20 M rows.
const COLLISIONS_SQL = `SELECT json_extract(j.value, '$[1]') AS id FROM json_each(?1) AS j
JOIN logs ON logs.rid = CAST(json_extract(j.value, '$[0]') AS INTEGER)
WHERE logs.id != json_extract(j.value, '$[1]')`;

interface StoreEnv {
  DB: D1Database;
  ARCHIVE: R2Bucket;
}

interface Commit {
  sourceID: string;
  sourceType: string;
  rows: LogRow[];
  quarantine: QuarantineEntry[];
  /** Records read from the input (inserted + duplicates + quarantined). */
  received: number;
  /** Objects or events skipped on purpose (vendor test objects, deletes); not records. */
  skipped?: number;
  now: number;
  /** Extra statements to run in the same transaction (cursors, object progress). */
  extra?: D1PreparedStatement[];
}

export interface CommitResult {
  received: number;
  inserted: number;
  duplicates: number;
  quarantined: number;
  rowsWritten: number;
}

const encoder = new TextEncoder();

/**
 * Moves a row's rawLog to R2 (never truncated). If the row is still too large, its derived JSON
 * columns (tags, sourceFields) are replaced by an explicit `_spilled` marker: the full event
 * stays readable at rawLogRef.
 */
async function spill(env: StoreEnv, row: LogRow): Promise<{ row: LogRow; json: string }> {
  const key = `raw/${row.sourceID}/${row.id}`;
  await env.ARCHIVE.put(key, row.rawLog, { httpMetadata: { contentType: "application/json" } });
  const moved: LogRow = { ...row, rawLog: "", rawLogRef: key };
  const json = JSON.stringify({ rid: ridOf(row.id), ...moved });
  if (encoder.encode(json).byteLength + 2 <= STATEMENT_BYTES) return { row: moved, json };
  const marker = JSON.stringify({ _spilled: "too large for a D1 row; see rawLogRef" });
  const slim: LogRow = { ...moved, tags: marker, sourceFields: marker };
  return { row: slim, json: JSON.stringify({ rid: ridOf(row.id), ...slim }) };
}

/** Splits rows into JSON arrays of at most STATEMENT_BYTES, spilling oversized rawLogs to R2. */
async function chunkRows(
  env: StoreEnv,
  rows: LogRow[],
  quarantine: QuarantineEntry[],
): Promise<Array<{ json: string; ids: string[] }>> {
  const chunks: Array<{ json: string; ids: string[] }> = [];
  let parts: string[] = [];
  let ids: string[] = [];
  let bytes = 2;
  for (const original of rows) {
    let row = original;
    let json = JSON.stringify({ rid: ridOf(row.id), ...row });
    let size = encoder.encode(json).byteLength;
    if (size + 2 > STATEMENT_BYTES) {
      ({ row, json } = await spill(env, row));
      size = encoder.encode(json).byteLength;
      if (size + 2 > STATEMENT_BYTES) {
        quarantine.push({
          sourceID: row.sourceID,
          sourceType: row.sourceType,
          stage: "store",
          errorCode: "row_too_large",
          error: `normalized event is ${size} bytes even without its rawLog, tags and sourceFields; the limit is ${STATEMENT_BYTES}`,
          location: `eventID ${row.eventID}`,
          raw: original.rawLog,
        });
        continue;
      }
    }
    if (parts.length > 0 && bytes + size + 1 > STATEMENT_BYTES) {
      chunks.push({ json: `[${parts.join(",")}]`, ids });
      parts = [];
      ids = [];
      bytes = 2;
    }
    parts.push(json);
    ids.push(row.id);
    bytes += size + 1;
  }
  if (parts.length > 0) chunks.push({ json: `[${parts.join(",")}]`, ids });
  return chunks;
}

/** The stored ids as `[[rid, id], …]` JSON groups of at most STATEMENT_BYTES. */
function idGroups(ids: string[]): string[] {
  const groups: string[] = [];
  let parts: string[] = [];
  let bytes = 2;
  for (const id of new Set(ids)) {
    const part = JSON.stringify([ridOf(id), id]);
    if (parts.length > 0 && bytes + part.length + 1 > STATEMENT_BYTES) {
      groups.push(`[${parts.join(",")}]`);
      parts = [];
      bytes = 2;
    }
    parts.push(part);
    bytes += part.length + 1;
  }
  if (parts.length > 0) groups.push(`[${parts.join(",")}]`);
  return groups;
}

/**
 * Stores rows, quarantine entries and counters in one D1 batch (one transaction): either all of
 * it is committed or none. Duplicates (same id) are not inserted and are counted.
 */
export async function commit(env: StoreEnv, c: Commit): Promise<CommitResult> {
  return commitWith(env, c, 0);
}

/** The batch of one commit, and where in it the INSERTs and collision checks are. */
interface CommitBatch {
  statements: D1PreparedStatement[];
  inserts: number[];
  collisionChecks: number[];
  storedIds: string[];
  quarantined: number;
}

async function commitBatch(
  env: StoreEnv,
  c: Commit,
  uncountDuplicates: number,
): Promise<CommitBatch> {
  const quarantine = [...c.quarantine];
  const chunks = await chunkRows(env, c.rows, quarantine);
  const b: CommitBatch = {
    statements: [],
    inserts: [],
    collisionChecks: [],
    storedIds: [],
    quarantined: 0,
  };
  for (const chunk of chunks) {
    b.inserts.push(b.statements.length);
    b.statements.push(env.DB.prepare(INSERT_SQL).bind(chunk.json));
    // Right after the INSERT, in the same transaction, `changes()` is exactly the rows it added
    // (exact when concurrent commits share a millisecond, unlike a receivedAt match).
    b.statements.push(
      statsStatement(env.DB, c.sourceID, { fromChanges: { inserted: { rows: chunk.ids.length } } }),
    );
    b.storedIds.push(...chunk.ids);
  }
  b.quarantined = quarantine.reduce((n, q) => n + recordsIn(q), 0);
  for (const q of quarantine) b.statements.push(await quarantineStatement(env, q, c.now));
  let lastEventTime: number | null = null;
  for (const r of c.rows)
    if (lastEventTime === null || r.eventTime > lastEventTime) lastEventTime = r.eventTime;
  b.statements.push(
    statsStatement(env.DB, c.sourceID, {
      received: c.received,
      quarantined: b.quarantined,
      skipped: c.skipped ?? 0,
      duplicates: -uncountDuplicates,
      lastEventTime,
      success: c.now,
    }),
  );
  for (const group of idGroups(b.storedIds)) {
    b.collisionChecks.push(b.statements.length);
    b.statements.push(env.DB.prepare(COLLISIONS_SQL).bind(group));
  }
  b.statements.push(...(c.extra ?? []));
  return b;
}

/** Rows whose key another event's row holds: quarantined (never lost), uncounted as duplicates. */
async function quarantineCollisions(env: StoreEnv, c: Commit, lost: LogRow[]): Promise<void> {
  if (lost.length === 0) return;
  const quarantine: QuarantineEntry[] = lost.map((r) => ({
    sourceID: r.sourceID,
    sourceType: r.sourceType,
    stage: "store",
    errorCode: "id_collision",
    error: `row key collides with a stored row of another event (id ${r.id})`,
    location: `eventID ${r.eventID}`,
    raw: r.rawLog,
  }));
  const again = { ...c, rows: [], received: 0, skipped: 0, extra: [], quarantine };
  await commitWith(env, again, lost.length);
}

async function commitWith(
  env: StoreEnv,
  c: Commit,
  /** Rows an earlier commit counted as duplicates that turned out to be key collisions. */
  uncountDuplicates: number,
): Promise<CommitResult> {
  const b = await commitBatch(env, c, uncountDuplicates);
  const results = await env.DB.batch(b.statements);
  let inserted = 0;
  for (const i of b.inserts) inserted += results[i]?.meta.changes ?? 0;
  const colliding = new Set(
    b.collisionChecks.flatMap((i) =>
      ((results[i]?.results ?? []) as Array<{ id: string }>).map((r) => r.id),
    ),
  );
  const lost = colliding.size > 0 ? c.rows.filter((r) => colliding.has(r.id)) : [];
  await quarantineCollisions(env, c, lost);
  return {
    received: c.received,
    inserted,
    duplicates: b.storedIds.length - inserted - lost.length,
    quarantined: b.quarantined + lost.length,
    rowsWritten: results.reduce((n, r) => n + (r.meta.rows_written ?? 0), 0),
  };
}
