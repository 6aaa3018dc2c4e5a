import { sha256Hex } from "../lib/hash";
import { toBase64 } from "../parse/bytes";

/** Inputs kept inline up to this size; larger ones go to the ARCHIVE bucket with a pointer. */
export const QUARANTINE_INLINE_BYTES = 64 * 1024;

export interface QuarantineEntry {
  sourceID: string | null;
  sourceType: string | null;
  /** Where it failed: parse, normalize, store, route, fetch, dead-letter … */
  stage: string;
  errorCode: string;
  error: string;
  /** Where in the input: "line 7", "[3]", an object key … */
  location: string | null;
  /** The input: text, or bytes that are not valid UTF-8 (kept as base64). */
  raw: string | Uint8Array;
  contentType?: string | null;
  /** Where the input already lives (e.g. `landing/<key>`), when it is not copied into `raw`. */
  rawRef?: string;
}

const encoder = new TextEncoder();

/**
 * Builds the statement that keeps one quarantine entry. The id is a hash of what failed and
 * where, so the same bad input retried is one entry whose `seen` count grows.
 */
export async function quarantineStatement(
  env: { DB: D1Database; ARCHIVE: R2Bucket },
  entry: QuarantineEntry,
  now: number,
): Promise<D1PreparedStatement> {
  const isText = typeof entry.raw === "string";
  const bytes = typeof entry.raw === "string" ? encoder.encode(entry.raw) : entry.raw;
  const digest = await sha256Hex(bytes);
  const id = (
    await sha256Hex(
      `${entry.sourceID ?? ""}\n${entry.stage}\n${entry.errorCode}\n${entry.location ?? ""}\n${digest}`,
    )
  ).slice(0, 32);
  let raw: string | null = isText ? (entry.raw as string) : toBase64(bytes);
  let rawRef: string | null = entry.rawRef ?? null;
  if (rawRef) raw = null;
  else if (bytes.byteLength > QUARANTINE_INLINE_BYTES) {
    rawRef = `quarantine/${entry.sourceID ?? "_unknown"}/${id}`;
    await env.ARCHIVE.put(rawRef, bytes, {
      customMetadata: { stage: entry.stage, errorCode: entry.errorCode },
    });
    raw = null;
  }
  return env.DB.prepare(
    `INSERT INTO quarantine (id, sourceID, sourceType, stage, errorCode, error, location, raw,
       rawEncoding, rawRef, contentType, receivedAt, lastSeenAt)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12)
     ON CONFLICT(id) DO UPDATE SET seen = seen + 1, lastSeenAt = excluded.lastSeenAt`,
  ).bind(
    id,
    entry.sourceID,
    entry.sourceType,
    entry.stage,
    entry.errorCode,
    entry.error.slice(0, 2000),
    entry.location,
    raw,
    isText ? "utf8" : "base64",
    rawRef,
    entry.contentType ?? null,
    now,
  );
}
