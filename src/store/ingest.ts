import type { Spans } from "../lib/spans";
import { utf8Length } from "../lib/utf8";
import type { ViewDefinition } from "../model/view";
import type { IngestCounts } from "../ports";
import { receivedHoursStatements } from "./archive";
import { fullMaps } from "./derived";
import { rowKey } from "./keys";
import { keepStatements, type QuarantineEntry } from "./quarantine";
import { LOG_COLUMNS } from "./rows";
import type { LogRow } from "./schema";
import { fullSourceFields } from "./source-fields";
import { statsStatement } from "./stats";

/**
 * D1 caps a statement at 100 bound parameters and 100 KB. Rows are sent as one JSON array
 * parameter per statement (`json_each`), so a statement carries as many rows as fit in this
 * many bytes, whatever the column count. A row over it has its rawLog moved to R2.
 */
export const STATEMENT_BYTES = 90_000;

/** Columns one commit's rows share (one source): bound once per statement, not per row. */
const CONSTANT = ["workspaceID", "sourceType", "sourceID", "sourceTTL"] as const;
const VARIABLE = LOG_COLUMNS.filter((c) => !(CONSTANT as readonly string[]).includes(c));

// Raw SQL, as drizzle cannot say it: a bulk insert from one JSON parameter. Each row is a
// positional array [key, ...VARIABLE] (`->>` by index: no column names to match per value).
// The rows go through a MATERIALIZED CTE first: json_each renders an element's JSON text anew
// each time its `value` is read, so reading it once per column rendered every row 25 times
// (measured in local D1: about half the INSERT's time went there).
// ON CONFLICT DO NOTHING covers both keys: the id (a duplicate: counted) and the time-ordered
// rid (another event holds it: found below and moved to the next key). An event retention let
// go once archived (gone_ids) is a duplicate too: looked up only when older than the newest
// there (one read per statement), so a push of recent events makes no lookup.
const col = (c: (typeof VARIABLE)[number]) => `j ->> ${VARIABLE.indexOf(c) + 1}`;
const GONE = (time: string, id: string) =>
  `(${time} > (SELECT coalesce(max(eventTime), -1) FROM gone_ids)
  OR NOT EXISTS (SELECT 1 FROM gone_ids g WHERE g.eventTime = ${time} AND g.h = unhex(substr(${id}, 1, 32))))`;
const INSERT_SQL = `WITH r AS MATERIALIZED (SELECT value AS j FROM json_each(?1))
INSERT INTO events (rid, ${VARIABLE.join(", ")}, ${CONSTANT.join(", ")})
SELECT CAST(j ->> 0 AS INTEGER), ${VARIABLE.map((_, i) => `j ->> ${i + 1}`).join(", ")}, ?2, ?3, ?4, ?5
FROM r WHERE ${GONE(col("eventTime"), col("id"))}
ON CONFLICT DO NOTHING`;

// The ids (JSON groups within STATEMENT_BYTES, [id, eventTime] each) not stored after a commit
// whose INSERTs added fewer rows than they were given: their rid was another event's (same
// millisecond and id bits); a duplicate's id is stored, or gone (archived, out of D1). Asked
// only then, after the commit: an id absent then was not stored by this commit, and one present
// is stored once (by it or by another commit).
const LOST_SQL = `SELECT value ->> 0 AS id FROM json_each(?1)
WHERE NOT EXISTS (SELECT 1 FROM events WHERE events.id = value ->> 0)
  AND ${GONE("value ->> 1", "value ->> 0")}`;

/** How many next keys a row tries before it is quarantined as a key collision. */
const MAX_PROBES = 16;

interface StoreEnv {
  DB: D1Database;
  ARCHIVE: R2Bucket;
}

interface Commit {
  sourceID: string;
  sourceType: string;
  /**
   * The source type's vendor view (src/catalog.ts `viewOf`): a row spilled to R2 gets back in
   * sourceFields the columns its view reads from rawLog (none without it).
   */
  view?: ViewDefinition;
  rows: LogRow[];
  quarantine: QuarantineEntry[];
  /** Records read from the input (inserted + duplicates + quarantined). */
  received: number;
  /** Records of the input this source had already kept in quarantine: counted as duplicates. */
  reseen?: number;
  /** Objects or events skipped on purpose (vendor test objects, deletes); not records. */
  skipped?: number;
  now: number;
  /** Extra statements to run in the same transaction (cursors, object progress). */
  extra?: D1PreparedStatement[];
  /** Statements the transaction starts with (a replay releasing its entry's counts and keys). */
  first?: D1PreparedStatement[];
  /** Timing spans (src/lib/spans.ts): the statements' building and the D1 batch. */
  spans?: Spans;
}

/** The row keys move on by this much (rows retried after a key collision). */
type Probe = number;

/** What one commit did (the ingest sink's answer, src/ports.ts). */
export type CommitResult = IngestCounts;

const VARIABLE_KEYS = VARIABLE as readonly (keyof LogRow)[];

/** One row as its positional insert array (filled in place: one array per row, no copies). */
function rowJson(row: LogRow, probe: Probe): string {
  const values: unknown[] = new Array(VARIABLE_KEYS.length + 1);
  values[0] = rowKey(row.eventTime, row.id, probe);
  for (let i = 0; i < VARIABLE_KEYS.length; i++)
    values[i + 1] = row[VARIABLE_KEYS[i] as keyof LogRow];
  return JSON.stringify(values);
}

/**
 * Moves a row's rawLog to R2 (never truncated); the vendor columns the view would have read
 * from it go back into sourceFields. If the row is still too large, its derived JSON columns
 * (tags, sourceFields) are replaced by an explicit `_spilled` marker: the full event stays
 * readable at rawLogRef.
 */
async function spill(
  env: StoreEnv,
  row: LogRow,
  probe: Probe,
  view: ViewDefinition | undefined,
): Promise<{ row: LogRow; json: string }> {
  const key = `raw/${row.sourceID}/${row.id}`;
  await env.ARCHIVE.put(key, row.rawLog, { httpMetadata: { contentType: "application/json" } });
  const stored = JSON.parse(row.sourceFields) as Record<string, unknown>;
  const fields = fullSourceFields(view, stored, row.rawLog);
  const moved: LogRow = {
    ...row,
    ...fullMaps(view, row), // the maps a marker rebuilt from rawLog (src/store/derived.ts)
    rawLog: "",
    rawLogRef: key,
    sourceFields: JSON.stringify(fields),
  };
  const json = rowJson(moved, probe);
  if (utf8Length(json) + 2 <= STATEMENT_BYTES) return { row: moved, json };
  const marker = JSON.stringify({ _spilled: "too large for a D1 row; see rawLogRef" });
  const slim: LogRow = { ...moved, tags: marker, sourceFields: marker };
  return { row: slim, json: rowJson(slim, probe) };
}

interface Chunk {
  json: string;
  ids: string[];
  constants: unknown[];
}

/** Splits rows into JSON arrays of at most STATEMENT_BYTES, spilling oversized rawLogs to R2. */
async function chunkRows(
  env: StoreEnv,
  rows: LogRow[],
  quarantine: QuarantineEntry[],
  probe: Probe,
  view: ViewDefinition | undefined,
): Promise<Chunk[]> {
  const chunks: Chunk[] = [];
  let parts: string[] = [];
  let ids: string[] = [];
  let constants: unknown[] = [];
  let bytes = 2;
  const flush = () => {
    if (parts.length > 0) chunks.push({ json: `[${parts.join(",")}]`, ids, constants });
    parts = [];
    ids = [];
    bytes = 2;
  };
  for (const original of rows) {
    let row = original;
    let json = rowJson(row, probe);
    let size = utf8Length(json);
    if (size + 2 > STATEMENT_BYTES) {
      ({ row, json } = await spill(env, row, probe, view));
      size = utf8Length(json);
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
    const rowConstants = CONSTANT.map((c) => row[c]);
    if (bytes + size + 1 > STATEMENT_BYTES || rowConstants.some((v, i) => v !== constants[i]))
      flush();
    constants = rowConstants;
    parts.push(json);
    ids.push(row.id);
    bytes += size + 1;
  }
  flush();
  return chunks;
}

/** The stored ids, each with its event time, as JSON groups of at most STATEMENT_BYTES. */
function idGroups(ids: string[], rows: LogRow[]): string[] {
  const times = new Map(rows.map((r) => [r.id, r.eventTime]));
  const groups: string[] = [];
  let parts: string[] = [];
  let bytes = 2;
  for (const id of new Set(ids)) {
    const part = JSON.stringify([id, times.get(id) ?? null]);
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
 * The rows whose id is not stored after a commit that added fewer rows than it was given (the
 * others were duplicates, or lost their key to another event): once per id.
 */
async function lostRows(
  env: StoreEnv,
  rows: LogRow[],
  storedIds: string[],
  spans: Spans | undefined,
): Promise<LogRow[]> {
  const check = () =>
    env.DB.batch(idGroups(storedIds, rows).map((group) => env.DB.prepare(LOST_SQL).bind(group)));
  const results = spans ? await spans.time("d1_lost_check", check) : await check();
  const lostIds = new Set(
    results.flatMap((r) => ((r.results ?? []) as Array<{ id: string }>).map((x) => x.id)),
  );
  return rows.filter((r) => lostIds.delete(r.id));
}

/**
 * Stores rows, quarantine entries and counters in one D1 batch (one transaction): either all of
 * it is committed or none. Duplicates (same id) are not inserted and are counted.
 */
export async function commit(env: StoreEnv, c: Commit): Promise<CommitResult> {
  return commitWith(env, c, 0, 0);
}

/** The batch of one commit, and where in it the INSERTs are. */
interface CommitBatch {
  statements: D1PreparedStatement[];
  inserts: number[];
  storedIds: string[];
  /** The quarantine key INSERTs: where, and how many keys each holds. */
  keyInserts: Array<{ at: number; rows: number; each: number }>;
}

async function commitBatch(
  env: StoreEnv,
  c: Commit,
  uncountDuplicates: number,
  probe: Probe,
): Promise<CommitBatch> {
  const quarantine = [...c.quarantine];
  const chunks = await chunkRows(env, c.rows, quarantine, probe, c.view);
  const b: CommitBatch = {
    statements: [...(c.first ?? [])],
    inserts: [],
    storedIds: [],
    keyInserts: [],
  };
  for (const chunk of chunks) {
    b.inserts.push(b.statements.length);
    b.statements.push(env.DB.prepare(INSERT_SQL).bind(chunk.json, ...chunk.constants));
    // Right after the INSERT, in the same transaction, `changes()` is exactly the rows it added
    // (exact when concurrent commits share a millisecond, unlike a receivedAt match).
    b.statements.push(
      statsStatement(env.DB, c.sourceID, { fromChanges: { inserted: { rows: chunk.ids.length } } }),
    );
    b.storedIds.push(...chunk.ids);
  }
  for (const q of quarantine) await keepEntry(env, c, q, b);
  let lastEventTime: number | null = null;
  for (const r of c.rows)
    if (lastEventTime === null || r.eventTime > lastEventTime) lastEventTime = r.eventTime;
  b.statements.push(
    statsStatement(env.DB, c.sourceID, {
      received: c.received,
      skipped: c.skipped ?? 0,
      duplicates: (c.reseen ?? 0) - uncountDuplicates,
      lastEventTime,
      success: c.now,
    }),
  );
  b.statements.push(...receivedHoursStatements(env.DB, c.sourceID, c.rows));
  b.statements.push(...(c.extra ?? []));
  return b;
}

/**
 * Adds one quarantine entry and its records' keys to the batch: right after each key INSERT, the
 * new keys count as quarantined and the keys already there (records kept before) as duplicates.
 */
async function keepEntry(env: StoreEnv, c: Commit, q: QuarantineEntry, b: CommitBatch) {
  const kept = await keepStatements(env, q, c.now);
  b.statements.push(kept.entry);
  for (const k of kept.keys) {
    b.keyInserts.push({ at: b.statements.length, rows: k.rows, each: k.each });
    b.statements.push(k.statement);
    const kept = { rows: k.rows, each: k.each };
    b.statements.push(statsStatement(env.DB, c.sourceID, { fromChanges: { kept } }));
  }
}

/**
 * Rows whose key another event holds (counted as duplicates by the commit that lost them): tried
 * again at the next key, and after MAX_PROBES keys quarantined, never lost.
 */
async function retryLost(
  env: StoreEnv,
  c: Commit,
  lost: LogRow[],
  probe: Probe,
): Promise<CommitResult | null> {
  if (lost.length === 0) return null;
  const again: Commit = {
    ...c,
    rows: [],
    received: 0,
    reseen: 0,
    skipped: 0,
    extra: [],
    first: [],
    quarantine: [],
  };
  if (probe + 1 < MAX_PROBES)
    return commitWith(env, { ...again, rows: lost }, lost.length, probe + 1);
  const quarantine: QuarantineEntry[] = lost.map((r) => ({
    sourceID: r.sourceID,
    sourceType: r.sourceType,
    stage: "store",
    errorCode: "id_collision",
    error: `no free row key after ${MAX_PROBES} tries (id ${r.id})`,
    location: `eventID ${r.eventID}`,
    raw: r.rawLog,
  }));
  return commitWith(env, { ...again, quarantine }, lost.length, probe);
}

async function commitWith(
  env: StoreEnv,
  c: Commit,
  /** Rows an earlier commit counted as duplicates that turned out to have lost their key. */
  uncountDuplicates: number,
  probe: Probe,
): Promise<CommitResult> {
  const spans = c.spans;
  const b = spans
    ? await spans.time("store_statements", () => commitBatch(env, c, uncountDuplicates, probe))
    : await commitBatch(env, c, uncountDuplicates, probe);
  spans?.count("batch_statements", b.statements.length);
  const results = spans
    ? await spans.time("d1_batch", () => env.DB.batch(b.statements))
    : await env.DB.batch(b.statements);
  if (spans?.enabled) sqlSpans(spans, b.statements, results);
  let inserted = 0;
  for (const i of b.inserts) inserted += results[i]?.meta.changes ?? 0;
  const lost = inserted < b.storedIds.length ? await lostRows(env, c.rows, b.storedIds, spans) : [];
  let keys = 0;
  let quarantined = 0;
  for (const k of b.keyInserts) {
    keys += k.rows * k.each;
    quarantined += (results[k.at]?.meta.changes ?? 0) * k.each;
  }
  const keptBefore = (c.reseen ?? 0) + keys - quarantined;
  const retry = await retryLost(env, c, lost, probe);
  return {
    received: c.received,
    inserted: inserted + (retry?.inserted ?? 0),
    duplicates: b.storedIds.length - inserted - lost.length + keptBefore + (retry?.duplicates ?? 0),
    quarantined: quarantined + (retry?.quarantined ?? 0),
    keptAside: keys + (retry?.keptAside ?? 0),
    rowsWritten:
      results.reduce((n, r) => n + (r.meta.rows_written ?? 0), 0) + (retry?.rowsWritten ?? 0),
  };
}

/** What a statement writes (`insert_events`), else reads (`select_json_each`), from its SQL. */
function statementKind(s: D1PreparedStatement): string {
  const sql = (s as { statement?: string }).statement ?? "";
  const write = /\b(INSERT INTO|UPDATE|DELETE FROM)\s+(\w+)/i.exec(sql);
  if (write) return `${(write[1] ?? "").split(" ")[0]?.toLowerCase()}_${write[2]}`;
  const read = /\bFROM\s+(\w+)/i.exec(sql);
  return read ? `select_${read[1]}` : "other";
}

/** The SQLite-side time of each kind of statement (D1's `meta.duration`), for the profile. */
function sqlSpans(spans: Spans, statements: D1PreparedStatement[], results: D1Result[]) {
  statements.forEach((s, i) => {
    const kind = statementKind(s);
    spans.add(`d1_sql_${kind}`, results[i]?.meta.duration ?? 0);
    spans.count(`d1_n_${kind}`, 1);
    spans.count(`d1_rows_${kind}`, results[i]?.meta.rows_written ?? 0);
    // Characters of SQL and string parameters (no copy: the escaping on the wire is not counted).
    const sent = s as { statement?: string; params?: unknown[] };
    let chars = sent.statement?.length ?? 0;
    for (const p of sent.params ?? []) if (typeof p === "string") chars += p.length;
    spans.count("d1_chars", chars);
  });
}
