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

/**
 * Lines of a text stream, numbered from 1, each without its line break. A break is \n, \r\n
 * or a lone \r (old Mac files), also when \r and \n arrive in different chunks.
 */
export async function* linesOf(
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
