import { type Framed, frameJson, MAX_NESTING, nestingExceeds } from "./json";

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

export class FileFormatError extends Error {
  override name = "FileFormatError";
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The stream, gunzipped if it starts with the gzip magic bytes. */
export async function maybeGunzip(
  stream: ReadableStream<Uint8Array>,
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
  return gz ? replay.pipeThrough(new DecompressionStream("gzip")) : replay;
}

function parseLine(raw: string): { ok: true; value: unknown } | { ok: false; error: string } {
  if (nestingExceeds(raw, MAX_NESTING))
    return { ok: false, error: `nests deeper than ${MAX_NESTING} levels` };
  try {
    return { ok: true, value: JSON.parse(raw) };
  } catch (err) {
    return { ok: false, error: `invalid JSON: ${(err as Error).message}` };
  }
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

/** Lines of a text stream, numbered from 1, each without its line break. */
async function* linesOf(
  first: string,
  rest: AsyncGenerator<string>,
): AsyncGenerator<{ n: number; text: string; oversized: boolean }> {
  let pending = first;
  let n = 0;
  let skipping = false; // inside an oversized line: drop until its end
  const take = function* (final: boolean) {
    let start = 0;
    for (;;) {
      const nl = pending.indexOf("\n", start);
      if (nl < 0) break;
      const text = pending.slice(start, nl);
      start = nl + 1;
      if (skipping) {
        // The end of an oversized line, already counted when it was reported.
        skipping = false;
        continue;
      }
      n++;
      yield { n, text: text.endsWith("\r") ? text.slice(0, -1) : text, oversized: false };
    }
    pending = pending.slice(start);
    if (pending.length > MAX_RECORD_CHARS && !skipping) {
      n++;
      yield { n, text: pending.slice(0, 1024), oversized: true };
      skipping = true;
      pending = "";
    } else if (skipping) pending = "";
    if (final && pending.length > 0 && !skipping) {
      n++;
      yield { n, text: pending.endsWith("\r") ? pending.slice(0, -1) : pending, oversized: false };
      pending = "";
    }
  };
  yield* take(false);
  for await (const chunk of rest) {
    pending += chunk;
    yield* take(false);
  }
  yield* take(true);
}

/** Top-level elements of a JSON array, as text, by a scanner that tracks strings and depth. */
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
        if (text.length > 0 || c === 44) yield { text };
        start = pos + 1;
        if (c === 93) closed = true;
      }
    }
    if (pos - start > MAX_RECORD_CHARS)
      throw new FileFormatError(
        "record_too_large",
        `an array element is longer than ${MAX_RECORD_CHARS} characters`,
      );
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
    const tail = buf.trim();
    yield { text: tail, error: "the JSON array is not closed (file truncated?)" };
  }
}

/** RFC 4180 CSV records (quoted fields may hold commas, quotes and line breaks). */
async function* csvRows(
  first: string,
  rest: AsyncGenerator<string>,
): AsyncGenerator<{ line: number; fields: string[]; raw: string }> {
  let fields: string[] = [];
  let field = "";
  let raw = "";
  let inQuotes = false;
  let quoteSeen = false;
  let line = 1;
  let recordLine = 1;
  const rows: Array<{ line: number; fields: string[]; raw: string }> = [];
  const endRecord = () => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0] === ""))
      rows.push({ line: recordLine, fields, raw: raw.endsWith("\r") ? raw.slice(0, -1) : raw });
    fields = [];
    field = "";
    raw = "";
  };
  const feed = (chunk: string) => {
    for (let i = 0; i < chunk.length; i++) {
      const ch = chunk[i] as string;
      // Checked on every character, quoted or not: a stray quote must not buffer the file.
      if (raw.length > MAX_RECORD_CHARS) {
        throw new FileFormatError(
          "record_too_large",
          `CSV record at line ${recordLine} is longer than ${MAX_RECORD_CHARS} characters (an unclosed quote?)`,
        );
      }
      if (ch === "\n") line++;
      if (inQuotes) {
        if (ch === '"') {
          inQuotes = false;
          quoteSeen = true;
        } else field += ch;
        raw += ch;
        continue;
      }
      if (quoteSeen && ch === '"') {
        field += '"';
        inQuotes = true;
        quoteSeen = false;
        raw += ch;
        continue;
      }
      quoteSeen = false;
      if (ch === "\n") {
        endRecord();
        recordLine = line;
        continue;
      }
      raw += ch;
      if (ch === '"' && field === "") inQuotes = true;
      else if (ch === ",") {
        fields.push(field);
        field = "";
      } else if (ch !== "\r") field += ch;
    }
  };
  feed(first);
  yield* rows.splice(0);
  for await (const chunk of rest) {
    feed(chunk);
    yield* rows.splice(0);
  }
  if (field !== "" || fields.length > 0 || raw !== "") endRecord();
  yield* rows.splice(0);
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
  const chunks = chunksOf(await maybeGunzip(body));
  // Manual next(): breaking out of a for-await would close the generator.
  let first = "";
  while (first.trim().length === 0) {
    const c = await chunks.next();
    if (c.done) break;
    first += c.value;
  }
  const lead = first.trimStart()[0];
  if (lead === undefined) return;
  let ordinal = 0;

  if (lead === "[") {
    onFraming("array");
    let i = 0;
    for await (const el of arrayElements(first, chunks)) {
      const location = `[${i++}]`;
      if (ordinal < skip) {
        ordinal++;
        continue;
      }
      const parsed = el.error ? { ok: false as const, error: el.error } : parseLine(el.text);
      yield parsed.ok
        ? { ordinal: ordinal++, location, raw: el.text, ok: true, value: parsed.value }
        : { ordinal: ordinal++, location, raw: el.text, ok: false, error: parsed.error };
    }
    return;
  }

  if (lead === "{") {
    const lines = linesOf(first, chunks);
    const head: Array<{ n: number; text: string; oversized: boolean }> = [];
    let firstParsed: ReturnType<typeof parseLine> | undefined;
    for (let next = await lines.next(); !next.done; next = await lines.next()) {
      const l = next.value;
      head.push(l);
      if (l.text.trim() === "") continue;
      if (l.oversized) {
        throw new FileFormatError(
          "record_too_large",
          `the first line is longer than ${MAX_RECORD_CHARS} characters: use NDJSON (one event per line) or a JSON array for files this large`,
        );
      }
      firstParsed = parseLine(l.text);
      break;
    }
    // One compact JSON object alone in the file may be a wrapper ({"items": [...]}), not an event.
    let single = false;
    if (
      firstParsed?.ok &&
      typeof firstParsed.value === "object" &&
      firstParsed.value !== null &&
      !Array.isArray(firstParsed.value) &&
      !isEvent(firstParsed.value as Record<string, unknown>)
    ) {
      single = true;
      for (let next = await lines.next(); !next.done; next = await lines.next()) {
        head.push(next.value);
        if (next.value.text.trim() !== "") {
          single = false;
          break;
        }
      }
    }
    if (single || (firstParsed && !firstParsed.ok)) {
      // Not NDJSON: one JSON document over several lines (pretty-printed object or envelope).
      onFraming("document");
      let text = head.map((l) => l.text).join("\n");
      for await (const l of lines) {
        text += `\n${l.text}`;
        if (text.length > MAX_DOCUMENT_CHARS || l.oversized) {
          throw new FileFormatError(
            "document_too_large",
            `a multi-line JSON document over ${MAX_DOCUMENT_CHARS} characters cannot be streamed; use NDJSON or a JSON array`,
          );
        }
      }
      const framed = frameJson(text, isEvent);
      if (!framed.ok) throw new FileFormatError(framed.code, framed.message);
      for (const r of framed.records) {
        if (ordinal >= skip) yield { ...r, ordinal };
        ordinal++;
      }
      return;
    }
    onFraming("ndjson");
    const emit = (l: { n: number; text: string; oversized: boolean }): StreamRecord | null => {
      if (l.text.trim() === "") return null;
      if (ordinal < skip) {
        ordinal++;
        return null;
      }
      const location = `line ${l.n}`;
      if (l.oversized)
        return {
          ordinal: ordinal++,
          location,
          raw: l.text,
          ok: false,
          error: `line longer than ${MAX_RECORD_CHARS} characters`,
        };
      const parsed = parseLine(l.text);
      return parsed.ok
        ? { ordinal: ordinal++, location, raw: l.text, ok: true, value: parsed.value }
        : { ordinal: ordinal++, location, raw: l.text, ok: false, error: parsed.error };
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

  onFraming("csv");
  let header: string[] | undefined;
  for await (const row of csvRows(first, chunks)) {
    if (!header) {
      header = row.fields.map((h) => h.trim());
      if (header.length < 2 || header.some((h) => h === "")) {
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
    if (row.fields.length !== header.length) {
      yield {
        ordinal: ordinal++,
        location,
        raw: row.raw,
        ok: false,
        error: `CSV row has ${row.fields.length} fields; the header has ${header.length}`,
      };
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
