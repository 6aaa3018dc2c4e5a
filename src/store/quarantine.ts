import type { ErrorCode } from "../lib/errors";
import { sha256Hex } from "../lib/hash";
import { toBase64 } from "../parse/bytes";
import type { WholeEntry } from "../ports";
import { statsStatement } from "./stats";

/** Inputs kept inline up to this size; larger ones go to the ARCHIVE bucket with a pointer. */
const QUARANTINE_INLINE_BYTES = 64 * 1024;

/** One bad record of an input, as kept in a group entry (one NDJSON line each). */
export interface QuarantinedRecord {
  /** Where in the input: "line 7", "[3]", "body" … (the entry's location names the file). */
  location: string;
  /** The stage that failed, which a replay runs again: parse, normalize, store. */
  stage: string;
  errorCode: ErrorCode;
  error: string;
  /** The record's text: one JSON value, or (`json: false`) text that is not JSON (a CSV row). */
  raw: string;
  json: boolean;
}

/** An entry kept in quarantine: a whole input (src/ports.ts), or the bad records of one input. */
export interface QuarantineEntry extends WholeEntry {
  /** The bad records of one input, kept together (then `raw` is unused). */
  group?: RecordGroup;
}

/** How many records an entry counts for in the source's `quarantined` counter. */
export const recordsIn = (q: QuarantineEntry): number => q.group?.count ?? 1;

const encoder = new TextEncoder();
/** Text gathered before it is compressed (bounds memory for inputs full of bad records). */
const GROUP_SPILL_CHARS = 256 * 1024;

/**
 * Records of one input looked up and keyed one by one; past this many, the rest of its bad
 * records are one block with one key (an 8 MiB body of 4 M bad lines must not send 4 M keys).
 */
export const KEYED_RECORDS = 5000;

/**
 * A running 64-bit hash (two FNV-1a lanes) of a block of records' texts, in order, with their
 * count: what makes the same block the same again, without holding a key per record.
 */
export class BlockHash {
  count = 0;
  private a = 0x811c9dc5;
  private b = 0x01000193;

  add(text: string): void {
    this.count++;
    let { a, b } = this;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x5bd1e995);
    }
    this.a = Math.imul(a ^ 0x0a, 0x01000193);
    this.b = Math.imul(b ^ 0x0a, 0x5bd1e995);
  }

  get key(): string {
    return `block ${this.count} ${(this.a >>> 0).toString(16)}${(this.b >>> 0).toString(16)}`;
  }
}

/**
 * The bad records of one input, written as NDJSON as they come: inline when small, else gzipped
 * while being built, so a body of millions of bad lines holds a few MB, never one object each.
 */
export class RecordGroup {
  count = 0;
  readonly codes = new Map<ErrorCode, number>();
  readonly stages = new Set<string>();
  first: QuarantinedRecord | undefined;
  /** The keys (recordKey of each raw text) of the records looked up one by one, each once. */
  readonly keys = new Set<string>();
  /** The records past the first KEYED_RECORDS: kept and counted as one block (memory bound). */
  readonly overflow = new BlockHash();
  private locations: string[] = [];
  private pending: string[] = [];
  private pendingChars = 0;
  private gzip: { writer: WritableStreamDefaultWriter; output: Promise<ArrayBuffer> } | undefined;

  /** Adds a record; returns a promise (to await) only when it had to compress what it holds. */
  add(r: QuarantinedRecord, key?: string): Promise<void> | undefined {
    if (key === undefined) this.overflow.add(r.raw);
    else this.keys.add(key);
    this.count++;
    this.codes.set(r.errorCode, (this.codes.get(r.errorCode) ?? 0) + 1);
    this.stages.add(r.stage);
    if (!this.first) this.first = { ...r, raw: r.raw.slice(0, 200) };
    if (this.locations.length < 5) this.locations.push(r.location);
    const line = `${JSON.stringify(r)}\n`;
    this.pending.push(line);
    this.pendingChars += line.length;
    return this.pendingChars >= GROUP_SPILL_CHARS ? this.spill() : undefined;
  }

  private async spill(): Promise<void> {
    if (!this.gzip) {
      const cs = new CompressionStream("gzip");
      this.gzip = {
        writer: cs.writable.getWriter(),
        output: new Response(cs.readable).arrayBuffer(),
      };
    }
    const text = this.pending.join("");
    this.pending = [];
    this.pendingChars = 0;
    await this.gzip.writer.write(encoder.encode(text));
  }

  private finished: Promise<{ text: string } | { gzip: Uint8Array }> | undefined;

  /**
   * The NDJSON text (small groups) or its gzip (larger ones); the same on every call: a commit
   * retried (rules changed meanwhile, a key taken) stores the group again, and the gzip writer
   * closes once.
   */
  finish(): Promise<{ text: string } | { gzip: Uint8Array }> {
    this.finished ??= this.finishOnce();
    return this.finished;
  }

  private async finishOnce(): Promise<{ text: string } | { gzip: Uint8Array }> {
    if (!this.gzip && this.pendingChars <= QUARANTINE_INLINE_BYTES)
      return { text: this.pending.join("") };
    await this.spill();
    const gz = this.gzip as NonNullable<typeof this.gzip>;
    await gz.writer.close();
    return { gzip: new Uint8Array(await gz.output) };
  }

  /** The entry's summary: what failed, how often, and where first. */
  describe(prefix: string): Pick<QuarantineEntry, "stage" | "errorCode" | "error" | "location"> {
    const codes = [...this.codes];
    const only = codes.length === 1 ? codes[0]?.[0] : undefined;
    const first = this.first as QuarantinedRecord;
    const more = this.count > this.locations.length ? ", …" : "";
    return {
      stage: this.stages.size === 1 ? first.stage : "mixed",
      errorCode: only ?? "invalid_records",
      error: `${this.count} record(s) kept aside (${codes.map(([c, n]) => `${c} ×${n}`).join(", ")}); first at ${first.location}: ${first.error}`,
      location: `${prefix}${this.locations.join(", ")}${more}`,
    };
  }
}

/** Reads the records of a group entry back (inline NDJSON, or gzipped in the ARCHIVE bucket). */
export async function groupRecords(
  env: { ARCHIVE: R2Bucket },
  row: { raw: string | null; rawRef: string | null; rawEncoding: string },
): Promise<QuarantinedRecord[] | null> {
  let text: string | null = null;
  if (row.rawEncoding === "records") text = row.raw;
  else if (row.rawEncoding === "records+gzip" && row.rawRef) {
    const object = await env.ARCHIVE.get(row.rawRef);
    if (!object) return null;
    text = await new Response(object.body.pipeThrough(new DecompressionStream("gzip"))).text();
  }
  if (text === null) return null;
  return text
    .split("\n")
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as QuarantinedRecord);
}

async function storedInput(
  env: { ARCHIVE: R2Bucket },
  entry: QuarantineEntry,
  idOf: (digest: string) => Promise<string>,
): Promise<{ id: string; raw: string | null; rawEncoding: string; rawRef: string | null }> {
  if (entry.group) {
    const content = await entry.group.finish();
    const bytes = "text" in content ? encoder.encode(content.text) : content.gzip;
    const id = await idOf(await sha256Hex(bytes));
    if ("text" in content) return { id, raw: content.text, rawEncoding: "records", rawRef: null };
    const rawRef = `quarantine/${entry.sourceID ?? "_unknown"}/${id}.ndjson.gz`;
    await env.ARCHIVE.put(rawRef, content.gzip, {
      httpMetadata: { contentType: "application/x-ndjson", contentEncoding: "gzip" },
    });
    return { id, raw: null, rawEncoding: "records+gzip", rawRef };
  }
  const isText = typeof entry.raw === "string";
  const bytes = typeof entry.raw === "string" ? encoder.encode(entry.raw) : entry.raw;
  const id = await idOf(await sha256Hex(bytes));
  const rawEncoding = isText ? "utf8" : "base64";
  if (entry.rawRef) return { id, raw: null, rawEncoding, rawRef: entry.rawRef };
  if (bytes.byteLength <= QUARANTINE_INLINE_BYTES)
    return { id, raw: isText ? (entry.raw as string) : toBase64(bytes), rawEncoding, rawRef: null };
  const rawRef = `quarantine/${entry.sourceID ?? "_unknown"}/${id}`;
  await env.ARCHIVE.put(rawRef, bytes, {
    customMetadata: { stage: entry.stage, errorCode: entry.errorCode },
  });
  return { id, raw: null, rawEncoding, rawRef };
}

function entryIdOf(
  entry: QuarantineEntry,
  summary: Pick<QuarantineEntry, "stage" | "errorCode" | "location">,
) {
  return async (digest: string) =>
    (
      await sha256Hex(
        entry.identity !== undefined
          ? `${entry.sourceID ?? ""}\nidentity\n${entry.identity}`
          : `${entry.sourceID ?? ""}\n${summary.stage}\n${summary.errorCode}\n${summary.location ?? ""}\n${digest}`,
      )
    ).slice(0, 32);
}

/** A record's key: 128 bits of SHA-256 of its raw text (the same text is the same record). */
export async function recordKey(raw: string | Uint8Array): Promise<string> {
  return (await sha256Hex(raw)).slice(0, 32);
}

/** Keys per statement: 35 bytes each as JSON, well within D1's 100 KB statement. */
const KEYS_PER_STATEMENT = 2000;

function keyGroups(keys: Iterable<string>): string[][] {
  const groups: string[][] = [];
  let group: string[] = [];
  for (const key of keys) {
    group.push(key);
    if (group.length === KEYS_PER_STATEMENT) {
      groups.push(group);
      group = [];
    }
  }
  if (group.length > 0) groups.push(group);
  return groups;
}

/** The keys among `keys` that the source already kept in quarantine. */
export async function keptAlready(
  db: D1Database,
  sourceID: string | null,
  keys: string[],
): Promise<Set<string>> {
  const found = new Set<string>();
  for (const group of keyGroups(keys)) {
    const { results } = await db
      .prepare(
        `SELECT k.hash FROM json_each(?1) j
         JOIN quarantine_keys k ON k.sourceID = ?2 AND k.hash = j.value`,
      )
      .bind(JSON.stringify(group), sourceID ?? "")
      .all<{ hash: string }>();
    for (const r of results) found.add(r.hash);
  }
  return found;
}

/** What makes an entry's records the same again: each record's text, or the whole input's. */
async function entryKeys(entry: QuarantineEntry): Promise<string[]> {
  if (entry.group) return [...entry.group.keys];
  if (entry.identity !== undefined) return [await recordKey(`identity\n${entry.identity}`)];
  if (entry.rawRef && entry.raw.length === 0) return [await recordKey(`ref\n${entry.rawRef}`)];
  return [await recordKey(entry.raw)];
}

/** The key of a group's overflow block (its records past KEYED_RECORDS), when it has one. */
async function blockKey(entry: QuarantineEntry): Promise<{ key: string; records: number } | null> {
  const block = entry.group?.overflow;
  if (!block || block.count === 0) return null;
  return { key: await recordKey(block.key), records: block.count };
}

/** The statements that keep one entry, and its records' keys (one INSERT per group of keys). */
export interface KeptStatements {
  id: string;
  entry: D1PreparedStatement;
  /**
   * Right after each, `changes()` is how many of its keys are new (first kept); each key
   * stands for `each` records (1, or a whole overflow block).
   */
  keys: Array<{ statement: D1PreparedStatement; rows: number; each: number }>;
}

/**
 * Builds the statements that keep one quarantine entry. The id is a hash of what failed and
 * where (or of the entry's `identity`), so the same bad input retried is one entry whose `seen`
 * count grows; a failure after a replay puts it back to pending with the new error and time.
 * Each record's key goes into quarantine_keys: the caller counts a new key as quarantined and
 * one already there as a duplicate (statsStatement `fromChanges: { kept }`).
 */
export async function keepStatements(
  env: { DB: D1Database; ARCHIVE: R2Bucket },
  entry: QuarantineEntry,
  now: number,
): Promise<KeptStatements> {
  const { statement, id } = await prepareEntry(env, entry, now);
  const insert = (group: string[], each: number) => ({
    statement: env.DB.prepare(
      `INSERT INTO quarantine_keys (sourceID, hash, entryID, records)
       SELECT ?1, value, ?2, ?4 FROM json_each(?3) WHERE true ON CONFLICT DO NOTHING`,
    ).bind(entry.sourceID ?? "", id, JSON.stringify(group), each),
    rows: group.length,
    each,
  });
  const keys = keyGroups(await entryKeys(entry)).map((group) => insert(group, 1));
  const block = await blockKey(entry);
  if (block) keys.push(insert([block.key], block.records));
  return { id, entry: statement, keys };
}

/**
 * Keeps a whole input (an unreadable file, a message, a polled page in the wrong shape) in
 * quarantine, counted as one record received: quarantined the first time, a duplicate when the
 * same input was kept before (received = inserted + duplicates + quarantined, always). `health`
 * also puts the failure in the source's lastError.
 */
export async function keepWhole(
  env: { DB: D1Database; ARCHIVE: R2Bucket },
  entry: QuarantineEntry,
  now: number,
  health = false,
): Promise<void> {
  const kept = await keepStatements(env, entry, now);
  const statements = [kept.entry];
  const sourceID = entry.sourceID;
  const error = health ? { at: now, message: `${entry.errorCode}: ${entry.error}` } : undefined;
  for (const k of kept.keys) {
    statements.push(k.statement);
    if (sourceID)
      statements.push(
        statsStatement(env.DB, sourceID, {
          received: 1,
          fromChanges: { kept: { rows: 1 } },
          error,
        }),
      );
  }
  await env.DB.batch(statements);
}

async function prepareEntry(
  env: { DB: D1Database; ARCHIVE: R2Bucket },
  entry: QuarantineEntry,
  now: number,
): Promise<{ statement: D1PreparedStatement; id: string }> {
  const summary = entry.group ? entry.group.describe(entry.location ?? "") : entry;
  const stored = await storedInput(env, entry, entryIdOf(entry, summary));
  const statement = env.DB.prepare(
    `INSERT INTO quarantine (id, sourceID, sourceType, stage, errorCode, error, location, raw,
       rawEncoding, rawRef, contentType, receivedAt, lastSeenAt, records)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12, ?13)
     ON CONFLICT(id) DO UPDATE SET seen = seen + 1, lastSeenAt = excluded.lastSeenAt,
       status = 'pending', stage = excluded.stage, errorCode = excluded.errorCode,
       error = excluded.error`,
  ).bind(
    stored.id,
    entry.sourceID,
    entry.sourceType,
    summary.stage,
    summary.errorCode,
    summary.error.slice(0, 2000),
    summary.location,
    stored.raw,
    stored.rawEncoding,
    stored.rawRef,
    entry.contentType ?? null,
    now,
    recordsIn(entry),
  );
  return { statement, id: stored.id };
}
