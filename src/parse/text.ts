import { OutboundError } from "../lib/outbound";
import { utf8Length } from "../lib/utf8";
import { framedText } from "./json";
import { FileFormatError, MAX_RECORD_CHARS, type StreamRecord, TOO_LONG } from "./records";

/** Text of a byte stream, and its lines (any line ending), for streaming framing. */

export async function* chunksOf(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const reader = stream
    // A BOM stays in the text (framing drops it) so that byte offsets count it.
    .pipeThrough(new TextDecoderStream("utf-8", { fatal: true, ignoreBOM: true }))
    .getReader();
  try {
    for (;;) {
      let r: ReadableStreamReadResult<string>;
      try {
        r = await reader.read();
      } catch (err) {
        // The bucket stopped sending (a timeout): not the file's fault, the read is retried.
        if (err instanceof OutboundError) throw err;
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
export function nextBreak(text: string, from: number, hasCR: boolean): number {
  if (!hasCR) return text.indexOf("\n", from); // the usual file: native search
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) return i;
  }
  return -1;
}

/** Where a line splitter starts: lines and UTF-8 bytes before its first character. */
export interface LineStart {
  line: number;
  bytes: number;
}

/**
 * Splits text fed chunk by chunk into numbered lines; an oversized line is cut, not kept. Each
 * line knows the byte offset of its end, so a later read can start right after it.
 */
class LineSplitter {
  private pending = "";
  private n: number;
  private bytes: number; // UTF-8 bytes before pending[0]
  private skipping = false; // inside an oversized line: drop until its end
  private hasCR = false;
  private scanned = 0; // pending[0, scanned) holds no line break

  constructor(start: LineStart = { line: 0, bytes: 0 }) {
    this.n = start.line;
    this.bytes = start.bytes;
  }

  *feed(chunk: string, final: boolean): Generator<Line> {
    this.hasCR ||= chunk.includes("\r");
    this.pending += chunk;
    let start = 0;
    for (;;) {
      const br = nextBreak(this.pending, Math.max(start, this.scanned), this.hasCR);
      if (br < 0) {
        this.scanned = this.pending.length;
        break;
      }
      let after = br + 1;
      if (this.pending.charCodeAt(br) === 13) {
        if (br + 1 >= this.pending.length && !final) {
          this.scanned = br; // a \n may follow in the next chunk
          break;
        }
        if (this.pending.charCodeAt(br + 1) === 10) after = br + 2;
      }
      const text = this.pending.slice(start, br);
      start = after;
      this.bytes += utf8Length(text) + (after - br);
      if (this.skipping) {
        // The end of an oversized line, already counted when it was reported.
        this.skipping = false;
        continue;
      }
      yield { n: ++this.n, text, oversized: false, end: this.bytes };
    }
    this.pending = this.pending.slice(start);
    this.scanned = Math.max(0, this.scanned - start);
    yield* this.rest(final);
  }

  /** What is left once the complete lines are out: an oversized start, or the last line. */
  private *rest(final: boolean): Generator<Line> {
    if (this.pending.length > MAX_RECORD_CHARS && !this.skipping) {
      // Its end is not known yet: no offset (the lines after it have theirs).
      yield { n: ++this.n, text: this.pending.slice(0, 1024), oversized: true, end: -1 };
      this.skipping = true;
      this.drop();
    } else if (this.skipping) this.drop();
    if (final && this.pending.length > 0 && !this.skipping) {
      this.bytes += utf8Length(this.pending);
      yield { n: ++this.n, text: this.pending, oversized: false, end: this.bytes };
      this.pending = "";
    }
  }

  /** Drops the pending text of an oversized line, counting its bytes. */
  private drop(): void {
    this.bytes += utf8Length(this.pending);
    this.pending = "";
    this.scanned = 0;
  }
}

/**
 * Lines of a text stream, numbered from 1, each without its line break. A break is \n, \r\n
 * or a lone \r (old Mac files), also when \r and \n arrive in different chunks.
 */
export async function* linesOf(
  first: string,
  rest: AsyncGenerator<string>,
  start?: LineStart,
): AsyncGenerator<Line> {
  const lines = new LineSplitter(start);
  yield* lines.feed(first, false);
  for await (const chunk of rest) yield* lines.feed(chunk, false);
  yield* lines.feed("", true);
}

/** A line: its number, text (without the break), and the byte offset after its break (-1: unknown). */
export type Line = { n: number; text: string; oversized: boolean; end: number };

export function lineRecord(l: Line, ordinal: number): StreamRecord {
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
  return {
    ...framedText(location, l.text),
    ordinal,
    ...(l.end >= 0 && { at: { end: l.end, line: l.n } }),
  };
}
