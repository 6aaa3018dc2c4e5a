import { FileFormatError, MAX_RECORD_CHARS, TOO_LONG } from "./records";

/**
 * Top-level elements of a JSON array, as text, by a scanner that tracks strings and depth. An
 * element longer than MAX_RECORD_CHARS is reported (with its start) and skipped, not buffered.
 */
export async function* arrayElements(
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
