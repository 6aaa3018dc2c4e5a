import { AuditflareError, type ErrorCode } from "../lib/errors";
import { type GunzipReport, gunzipStream } from "./gzip";
import { type Framed, framedText, frameJson } from "./json";

/**
 * Streaming framing for bucket files: gunzip when the first bytes are 1f 8b (whatever the key),
 * then one record at a time from a JSON array, NDJSON (a single object is the one-line case),
 * or CSV with a header row. Only one record (plus a chunk) is held in memory, never the file.
 * A record that does not parse is yielded with its error and location; the rest continue.
 */

export type StreamRecord = Framed & { ordinal: number };
export type Framing = "array" | "ndjson" | "document" | "csv";

/** Largest single record; longer lines are reported as errors, not buffered. */
export const MAX_RECORD_CHARS = 4 * 1024 * 1024;
/** A JSON document that is not an array or NDJSON (e.g. a pretty-printed envelope) is parsed whole up to this size. */
export const MAX_DOCUMENT_CHARS = 32 * 1024 * 1024;

/** A file that cannot be read (further): the rest of it is kept in quarantine whole. */
export class FileFormatError extends AuditflareError {}

/**
 * The stream, gunzipped if it starts with the gzip magic bytes. Damaged gzip data is reported in
 * `report` after every decodable byte has been passed on.
 */
export async function maybeGunzip(
  stream: ReadableStream<Uint8Array>,
  report: GunzipReport = { error: null },
): Promise<ReadableStream<Uint8Array>> {
  const reader = stream.getReader();
  const head: Uint8Array[] = [];
  let size = 0;
  let done = false;
  while (size < 2 && !done) {
    const r = await reader.read();
    if (r.done) done = true;
    else {
      head.push(r.value);
      size += r.value.byteLength;
    }
  }
  const first = head[0];
  const second = first && first.byteLength >= 2 ? first[1] : head[1]?.[0];
  const gz = first !== undefined && first[0] === 0x1f && second === 0x8b;
  const replay = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const h of head) controller.enqueue(h);
      if (done) controller.close();
    },
    async pull(controller) {
      const r = await reader.read();
      if (r.done) controller.close();
      else controller.enqueue(r.value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  return gz ? replay.pipeThrough(gunzipStream(report)) : replay;
}

async function* chunksOf(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const reader = stream
    .pipeThrough(new TextDecoderStream("utf-8", { fatal: true, ignoreBOM: false }))
    .getReader();
  try {
    for (;;) {
      let r: ReadableStreamReadResult<string>;
      try {
        r = await reader.read();
      } catch (err) {
        const msg = (err as Error).message;
        throw new FileFormatError(
          /gzip|compress|inflate/i.test(msg) ? "invalid_gzip" : "invalid_utf8",
          `cannot read the file: ${msg}`,
        );
      }
      if (r.done) return;
      if (r.value.length > 0) yield r.value;
    }
  } finally {
    reader.releaseLock();
  }
}

/** Where the next line break is: index of the \r or \n, or -1. */
function nextBreak(text: string, from: number, hasCR: boolean): number {
  if (!hasCR) return text.indexOf("\n", from); // the usual file: native search
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) return i;
  }
  return -1;
}

/**
 * Lines of a text stream, numbered from 1, each without its line break. A break is \n, \r\n
 * or a lone \r (old Mac files), also when \r and \n arrive in different chunks.
 */
async function* linesOf(
  first: string,
  rest: AsyncGenerator<string>,
): AsyncGenerator<{ n: number; text: string; oversized: boolean }> {
  let pending = first;
  let n = 0;
  let skipping = false; // inside an oversized line: drop until its end
  let hasCR = first.includes("\r");
  let scanned = 0; // pending[0, scanned) holds no line break
  const take = function* (final: boolean) {
    let start = 0;
    for (;;) {
      const br = nextBreak(pending, Math.max(start, scanned), hasCR);
      if (br < 0) {
        scanned = pending.length;
        break;
      }
      let after = br + 1;
      if (pending.charCodeAt(br) === 13) {
        if (br + 1 >= pending.length && !final) {
          scanned = br; // a \n may follow in the next chunk
          break;
        }
        if (pending.charCodeAt(br + 1) === 10) after = br + 2;
      }
      const text = pending.slice(start, br);
      start = after;
      if (skipping) {
        // The end of an oversized line, already counted when it was reported.
        skipping = false;
        continue;
      }
      n++;
      yield { n, text, oversized: false };
    }
    pending = pending.slice(start);
    scanned = Math.max(0, scanned - start);
    if (pending.length > MAX_RECORD_CHARS && !skipping) {
      n++;
      yield { n, text: pending.slice(0, 1024), oversized: true };
      skipping = true;
      pending = "";
      scanned = 0;
    } else if (skipping) {
      pending = "";
      scanned = 0;
    }
    if (final && pending.length > 0 && !skipping) {
      n++;
      yield { n, text: pending, oversized: false };
      pending = "";
    }
  };
  yield* take(false);
  for await (const chunk of rest) {
    hasCR ||= chunk.includes("\r");
    pending += chunk;
    yield* take(false);
  }
  yield* take(true);
}

const TOO_LONG = `longer than ${MAX_RECORD_CHARS} characters (its first 1,024 are kept)`;

/**
 * Top-level elements of a JSON array, as text, by a scanner that tracks strings and depth. An
 * element longer than MAX_RECORD_CHARS is reported (with its start) and skipped, not buffered.
 */
async function* arrayElements(
  first: string,
  rest: AsyncGenerator<string>,
): AsyncGenerator<{ text: string; error?: string }> {
  let buf = first.slice(first.indexOf("[") + 1);
  let pos = 0;
  let start = 0;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let closed = false;
  let sample: string | undefined; // the start of an oversized element being skipped
  const scan = function* () {
    for (; pos < buf.length; pos++) {
      const c = buf.charCodeAt(pos);
      if (inString) {
        if (escaped) escaped = false;
        else if (c === 92) escaped = true;
        else if (c === 34) inString = false;
        continue;
      }
      if (closed) {
        if (c > 32)
          throw new FileFormatError("invalid_json", "text after the end of the JSON array");
        continue;
      }
      if (c === 34) inString = true;
      else if (c === 123 || c === 91) depth++;
      else if (c === 125 || (c === 93 && depth > 0)) {
        if (--depth < 0)
          throw new FileFormatError("invalid_json", "unbalanced '}' in the JSON array");
      } else if (depth === 0 && (c === 44 || c === 93)) {
        const text = buf.slice(start, pos).trim();
        if (sample !== undefined) yield { text: sample, error: `array element ${TOO_LONG}` };
        else if (text.length > 0 || c === 44) yield { text };
        sample = undefined;
        start = pos + 1;
        if (c === 93) closed = true;
      }
    }
    if (pos - start > MAX_RECORD_CHARS) {
      sample ??= buf.slice(start, start + 1024);
      start = pos;
    }
    buf = buf.slice(start);
    pos -= start;
    start = 0;
  };
  yield* scan();
  for await (const chunk of rest) {
    buf += chunk;
    yield* scan();
  }
  if (!closed) {
    const tail = sample ?? buf.trim();
    yield { text: tail, error: "the JSON array is not closed (file truncated?)" };
  }
}

interface CsvRow {
  line: number;
  fields: string[];
  raw: string;
  error?: string;
}

/**
 * RFC 4180 CSV records (quoted fields may hold commas, quotes and line breaks); records end at
 * \n, \r\n or a lone \r. A record longer than MAX_RECORD_CHARS is reported and skipped.
 */
async function* csvRows(first: string, rest: AsyncGenerator<string>): AsyncGenerator<CsvRow> {
  let fields: string[] = [];
  let field = "";
  let raw = "";
  let inQuotes = false;
  let quoteSeen = false;
  let afterCR = false;
  let oversized = false;
  let atFieldStart = true;
  let line = 1;
  let recordLine = 1;
  const rows: CsvRow[] = [];
  const endRecord = () => {
    fields.push(field);
    if (oversized)
      rows.push({ line: recordLine, fields: [], raw, error: `CSV record ${TOO_LONG}` });
    else if (!(fields.length === 1 && fields[0] === ""))
      rows.push({ line: recordLine, fields, raw });
    fields = [];
    field = "";
    raw = "";
    oversized = false;
    atFieldStart = true;
  };
  const feed = (chunk: string) => {
    for (let i = 0; i < chunk.length; i++) {
      const ch = chunk[i] as string;
      const wasCR = afterCR;
      afterCR = ch === "\r";
      if (ch === "\r" || (ch === "\n" && !wasCR)) line++;
      if (ch === "\n" && wasCR && !inQuotes) continue; // the \n of a \r\n, record already ended
      if (!oversized && raw.length >= MAX_RECORD_CHARS) {
        // Keep scanning (quotes still matter) without keeping more of it.
        oversized = true;
        raw = raw.slice(0, 1024);
        field = "";
        fields = [];
      }
      if (inQuotes) {
        if (ch === '"') {
          inQuotes = false;
          quoteSeen = true;
        } else if (!oversized) field += ch;
        if (!oversized) raw += ch;
        continue;
      }
      if (quoteSeen && ch === '"') {
        if (!oversized) {
          field += '"';
          raw += ch;
        }
        inQuotes = true;
        quoteSeen = false;
        continue;
      }
      quoteSeen = false;
      if (ch === "\n" || ch === "\r") {
        endRecord();
        recordLine = line;
        continue;
      }
      if (!oversized) raw += ch;
      const fieldStart = atFieldStart;
      atFieldStart = ch === ",";
      if (ch === '"' && fieldStart) inQuotes = true;
      else if (ch === ",") {
        if (!oversized) fields.push(field);
        field = "";
      } else if (!oversized) field += ch;
    }
  };
  feed(first);
  yield* rows.splice(0);
  for await (const chunk of rest) {
    feed(chunk);
    yield* rows.splice(0);
  }
  if (field !== "" || fields.length > 0 || raw !== "" || oversized) endRecord();
  yield* rows.splice(0);
}

type Line = { n: number; text: string; oversized: boolean };

function lineRecord(l: Line, ordinal: number): StreamRecord {
  const location = `line ${l.n}`;
  if (l.oversized)
    return {
      ordinal,
      location,
      raw: l.text,
      ok: false,
      code: "record_too_large",
      error: `line ${TOO_LONG}`,
    };
  return { ...framedText(location, l.text), ordinal };
}

/**
 * Records of a (possibly gzipped) file, in order, each with its ordinal so a consumer can resume
 * after the last committed one. `onFraming` tells which framing was detected.
 */
export async function* readRecords(
  body: ReadableStream<Uint8Array>,
  isEvent: (o: Record<string, unknown>) => boolean,
  onFraming: (f: Framing) => void = () => {},
  /** Records already committed by an earlier invocation: counted, not parsed, not yielded. */
  skip = 0,
): AsyncGenerator<StreamRecord> {
  const gzip: GunzipReport = { error: null };
  yield* framed(chunksOf(await maybeGunzip(body, gzip)), isEvent, onFraming, skip);
  // Every decodable record was read: now say what was wrong with the rest.
  if (gzip.error) throw new FileFormatError("invalid_gzip", gzip.error);
}

async function* framed(
  chunks: AsyncGenerator<string>,
  isEvent: (o: Record<string, unknown>) => boolean,
  onFraming: (f: Framing) => void,
  skip: number,
): AsyncGenerator<StreamRecord> {
  // Manual next(): breaking out of a for-await would close the generator.
  let first = "";
  while (first.trim().length === 0) {
    const c = await chunks.next();
    if (c.done) break;
    first += c.value;
  }
  const lead = first.trimStart()[0];
  if (lead === undefined) return;

  // A first line that is not JSON, or a whole JSON array alone on its line, may be a bad first
  // record of NDJSON: an object starting the second line tells.
  first = await untilLines(first, chunks);
  const leads = lineLeads(first);
  const line = firstLine(first);
  const ndjson =
    leads.slice(1).includes("{") && (lead === "[" ? firstLineBalanced(line) : !csvHeaderLike(line));
  if (lead === "{" || ndjson) {
    yield* jsonLines(first, chunks, isEvent, onFraming, skip);
    return;
  }
  if (lead === "[") {
    onFraming("array");
    let ordinal = 0;
    for await (const el of arrayElements(first, chunks)) {
      const location = `[${ordinal}]`;
      if (ordinal < skip) {
        ordinal++;
        continue;
      }
      yield el.error
        ? { ordinal: ordinal++, location, raw: el.text, ok: false, error: el.error }
        : { ...framedText(location, el.text), ordinal: ordinal++ };
    }
    return;
  }
  onFraming("csv");
  yield* csvRecords(first, chunks, skip);
}

const LOOKAHEAD_CHARS = 1024 * 1024;
const LOOKAHEAD_LINES = 20;

/** `first` extended with further chunks until it holds LOOKAHEAD_LINES lines (or enough text). */
async function untilLines(first: string, chunks: AsyncGenerator<string>): Promise<string> {
  let text = first;
  while (lineLeads(text).length <= LOOKAHEAD_LINES && text.length < LOOKAHEAD_CHARS) {
    const c = await chunks.next();
    if (c.done) break;
    text += c.value;
  }
  return text;
}

/** The first character of each non-blank line of `text` (at most LOOKAHEAD_LINES + 1). */
function lineLeads(text: string): string[] {
  const leads: string[] = [];
  for (let at = 0; at < text.length && leads.length <= LOOKAHEAD_LINES; ) {
    const br = nextBreak(text, at, true);
    const line = text.slice(at, br < 0 ? text.length : br).trimStart();
    if (line !== "") leads.push(line[0] as string);
    if (br < 0) break;
    at = br + 1;
  }
  return leads;
}

/** The first non-blank line of `text`. */
function firstLine(text: string): string {
  const start = text.length - text.trimStart().length;
  const br = nextBreak(text, start, true);
  return text.slice(start, br < 0 ? text.length : br);
}

/** A CSV header row: two or more named columns (then the file is CSV, never NDJSON). */
const csvHeaderLike = (line: string) =>
  line.split(",").length >= 2 && line.split(",").every((h) => h.trim() !== "");

/** Whether the brackets of a line close on it (a JSON value on one line). */
function firstLineBalanced(text: string): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) depth++;
    else if (c === 93 || c === 125) depth--;
    else if (c === 10 || c === 13) return depth === 0;
  }
  return depth === 0;
}

/**
 * A file starting with `{`: NDJSON when its first two non-blank lines both start with `{`
 * (whether or not the first is valid), else one JSON document (a single object, an envelope,
 * or a pretty-printed document up to MAX_DOCUMENT_CHARS).
 */
async function* jsonLines(
  first: string,
  chunks: AsyncGenerator<string>,
  isEvent: (o: Record<string, unknown>) => boolean,
  onFraming: (f: Framing) => void,
  skip: number,
): AsyncGenerator<StreamRecord> {
  const lines = linesOf(first, chunks);
  const head: Line[] = [];
  const leads: string[] = [];
  for (let next = await lines.next(); !next.done; next = await lines.next()) {
    head.push(next.value);
    const t = next.value.text.trimStart();
    if (t === "") continue;
    leads.push(t[0] as string);
    if (leads.length === 2) break;
  }
  let ordinal = 0;
  if (leads.length === 2 && leads[1] === "{") {
    onFraming("ndjson");
    const emit = (l: Line): StreamRecord | null => {
      if (l.text.trim() === "") return null;
      if (ordinal < skip) {
        ordinal++;
        return null;
      }
      return lineRecord(l, ordinal++);
    };
    for (const l of head) {
      const r = emit(l);
      if (r) yield r;
    }
    for await (const l of lines) {
      const r = emit(l);
      if (r) yield r;
    }
    return;
  }
  onFraming("document");
  let text = "";
  let size = 0;
  const add = (l: Line) => {
    size += l.text.length + 1;
    if (size > MAX_DOCUMENT_CHARS || l.oversized) {
      throw new FileFormatError(
        "document_too_large",
        `a multi-line JSON document over ${MAX_DOCUMENT_CHARS} characters cannot be streamed; use NDJSON or a JSON array`,
      );
    }
    text += `${l.text}\n`;
  };
  for (const l of head) add(l);
  for await (const l of lines) add(l);
  const framed = frameJson(text, isEvent);
  if (!framed.ok) throw new FileFormatError(framed.code, framed.message);
  // One object alone on its line is the one-line NDJSON case: it keeps its line number.
  const only = leads.length === 1 ? head.find((l) => l.text.trim() !== "") : undefined;
  for (const r of framed.records) {
    const located = only && framed.framing === "object" ? { ...r, location: `line ${only.n}` } : r;
    if (ordinal >= skip) yield { ...located, ordinal };
    ordinal++;
  }
}

async function* csvRecords(
  first: string,
  chunks: AsyncGenerator<string>,
  skip: number,
): AsyncGenerator<StreamRecord> {
  let header: string[] | undefined;
  let ordinal = 0;
  for await (const row of csvRows(first, chunks)) {
    if (!header) {
      header = row.fields.map((h) => h.trim());
      if (row.error || header.length < 2 || header.some((h) => h === "")) {
        throw new FileFormatError(
          "invalid_file",
          "the file is neither JSON, NDJSON nor CSV with a header row",
        );
      }
      continue;
    }
    const location = `line ${row.line}`;
    if (ordinal < skip) {
      ordinal++;
      continue;
    }
    const bad = (code: ErrorCode, error: string): StreamRecord => ({
      ordinal: ordinal++,
      location,
      raw: row.raw,
      ok: false,
      code,
      error,
      json: false,
    });
    if (row.error) {
      yield bad("record_too_large", row.error);
      continue;
    }
    if (row.fields.length !== header.length) {
      yield bad(
        "invalid_csv_row",
        `CSV row has ${row.fields.length} fields; the header has ${header.length}`,
      );
      continue;
    }
    const value: Record<string, string> = {};
    header.forEach((h, i) => {
      value[h] = row.fields[i] as string;
    });
    // A CSV row is kept as the JSON object of its columns: the header travels with the values.
    yield { ordinal: ordinal++, location, raw: JSON.stringify(value), ok: true, value };
  }
}
