import { AuditflareError } from "../lib/errors";
import type { Framed } from "./json";

/** What streaming framing yields, and its limits (shared by src/parse/{text,array,csv,stream}). */

/**
 * A record of a file: its ordinal, and (NDJSON lines) where its line ends, so that a later
 * invocation can start reading right after it instead of at byte 0.
 */
export type StreamRecord = Framed & { ordinal: number; at?: RecordEnd };
/** The byte offset after a record's line break, and that line's number. */
export type RecordEnd = { end: number; line: number };
export type Framing = "array" | "ndjson" | "document" | "csv";

/** Largest single record; longer lines are reported as errors, not buffered. */
export const MAX_RECORD_CHARS = 4 * 1024 * 1024;
/** A JSON document that is not an array or NDJSON (e.g. a pretty-printed envelope) is parsed whole up to this size. */
export const MAX_DOCUMENT_CHARS = 32 * 1024 * 1024;

export const TOO_LONG = `longer than ${MAX_RECORD_CHARS} characters (its first 1,024 are kept)`;

/** A file that cannot be read (further): the rest of it is kept in quarantine whole. */
export class FileFormatError extends AuditflareError {}
