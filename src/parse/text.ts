import { framedText } from "./json";
import { FileFormatError, MAX_RECORD_CHARS, type StreamRecord, TOO_LONG } from "./records";

/** Text of a byte stream, and its lines (any line ending), for streaming framing. */

export async function* chunksOf(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
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
export function nextBreak(text: string, from: number, hasCR: boolean): number {
  if (!hasCR) return text.indexOf("\n", from); // the usual file: native search
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) return i;
  }
  return -1;
}

/** Splits text fed chunk by chunk into numbered lines; an oversized line is cut, not kept. */
class LineSplitter {
  private pending = "";
  private n = 0;
  private skipping = false; // inside an oversized line: drop until its end
  private hasCR = false;
  private scanned = 0; // pending[0, scanned) holds no line break

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
      if (this.skipping) {
        // The end of an oversized line, already counted when it was reported.
        this.skipping = false;
        continue;
      }
      yield { n: ++this.n, text, oversized: false };
    }
    this.pending = this.pending.slice(start);
    this.scanned = Math.max(0, this.scanned - start);
    yield* this.rest(final);
  }

  /** What is left once the complete lines are out: an oversized start, or the last line. */
  private *rest(final: boolean): Generator<Line> {
    if (this.pending.length > MAX_RECORD_CHARS && !this.skipping) {
      yield { n: ++this.n, text: this.pending.slice(0, 1024), oversized: true };
      this.skipping = true;
      this.pending = "";
      this.scanned = 0;
    } else if (this.skipping) {
      this.pending = "";
      this.scanned = 0;
    }
    if (final && this.pending.length > 0 && !this.skipping) {
      yield { n: ++this.n, text: this.pending, oversized: false };
      this.pending = "";
    }
  }
}

/**
 * Lines of a text stream, numbered from 1, each without its line break. A break is \n, \r\n
 * or a lone \r (old Mac files), also when \r and \n arrive in different chunks.
 */
export async function* linesOf(first: string, rest: AsyncGenerator<string>): AsyncGenerator<Line> {
  const lines = new LineSplitter();
  yield* lines.feed(first, false);
  for await (const chunk of rest) yield* lines.feed(chunk, false);
  yield* lines.feed("", true);
}

export type Line = { n: number; text: string; oversized: boolean };

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
  return { ...framedText(location, l.text), ordinal };
}
