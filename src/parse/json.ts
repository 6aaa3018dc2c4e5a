import type { ErrorCode } from "../lib/errors";
/**
 * Framing of JSON text: one object, an array of objects, an envelope object whose one array
 * property holds the events, or NDJSON. Pure; never throws on any input.
 */

export const MAX_NESTING = 64;

/**
 * One framed record: its place in the input, its original text, and the parsed value (or why it
 * did not parse, with `code`). `json: false` marks a raw that is not JSON text (a CSV row).
 */
export type Framed =
  | { location: string; raw: string; ok: true; value: unknown; json?: boolean }
  | { location: string; raw: string; ok: false; error: string; code?: ErrorCode; json?: boolean };

type FrameResult =
  | {
      ok: true;
      framing: "object" | "array" | "envelope" | "ndjson";
      /** Produced one at a time: a body of millions of lines never holds one object each. */
      records: Iterable<Framed>;
    }
  | { ok: false; code: "empty_body" | "invalid_json" | "nesting_too_deep"; message: string };

/** True when brackets nest deeper than `max` anywhere in `text` (strings are skipped). */
export function nestingExceeds(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > max) return true;
    } else if (c === 125 || c === 93) depth--;
  }
  return false;
}

function tryParse(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    // V8 quotes the text in its message; the record's raw already holds it.
    return { ok: false, error: (err as Error).message.replace(/, ".*" is not valid JSON$/s, "") };
  }
}

/** The first characters a JSON value can have: { [ " - 0-9 t f n. */
const JSON_STARTS = new Set([...'{["-0123456789tfn'].map((c) => c.charCodeAt(0)));

/**
 * One record's text → its value. The one place records are parsed (push, files, replay): the
 * nesting depth is bounded before parsing, so no record can overflow the stack later.
 */
function parseRecordText(
  raw: string,
): { ok: true; value: unknown } | { ok: false; code: ErrorCode; error: string } {
  if (nestingExceeds(raw, MAX_NESTING))
    return {
      ok: false,
      code: "nesting_too_deep",
      error: `nests deeper than ${MAX_NESTING} levels`,
    };
  // Text that cannot start a JSON value fails without the cost of an exception.
  const first = raw.trimStart().charCodeAt(0);
  if (!JSON_STARTS.has(first))
    return {
      ok: false,
      code: "invalid_json",
      error: `invalid JSON: unexpected ${Number.isNaN(first) ? "end of text" : `'${String.fromCharCode(first)}'`} at the start`,
    };
  const parsed = tryParse(raw);
  return parsed.ok
    ? parsed
    : { ok: false, code: "invalid_json", error: `invalid JSON: ${parsed.error}` };
}

/** A framed record of one text (parsed, or the reason it does not parse). */
export function framedText(location: string, raw: string): Framed {
  const p = parseRecordText(raw);
  return p.ok
    ? { location, raw, ok: true, value: p.value }
    : { location, raw, ok: false, error: p.error, code: p.code };
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * A record of an already parsed value (an array element, a polled item), under the same nesting
 * bound as parsed text: a value nested too deep to serialize is a bad record, never an exception.
 */
export function framedValue(
  location: string,
  value: unknown,
  /** The value came from text already checked against MAX_NESTING (no second scan). */
  checked = false,
): Framed {
  let raw: string;
  try {
    raw = JSON.stringify(value) ?? "null";
  } catch {
    raw = "";
  }
  if (raw === "" || (!checked && nestingExceeds(raw, MAX_NESTING)))
    return {
      location,
      raw: raw.slice(0, 1024),
      ok: false,
      code: "nesting_too_deep",
      error: `nests deeper than ${MAX_NESTING} levels`,
    };
  return { location, raw, ok: true, value };
}

/** The elements of an array parsed from a body that passed the nesting check as a whole. */
function* fromArray(items: unknown[], prefix: string): Generator<Framed> {
  for (let i = 0; i < items.length; i++) yield framedValue(`${prefix}[${i}]`, items[i], true);
}

/** The non-blank lines of a text (split on \n, \r\n or \r), numbered from 1. */
function* textLines(text: string): Generator<{ n: number; text: string }> {
  let n = 0;
  let start = 0;
  while (start <= text.length) {
    let end = start;
    while (end < text.length) {
      const c = text.charCodeAt(end);
      if (c === 10 || c === 13) break;
      end++;
    }
    n++;
    const line = text.slice(start, end);
    if (line.trim() !== "") yield { n, text: line };
    if (end >= text.length) break;
    start = end + (text.charCodeAt(end) === 13 && text.charCodeAt(end + 1) === 10 ? 2 : 1);
  }
}

function* ndjsonRecords(text: string): Generator<Framed> {
  for (const l of textLines(text)) yield framedText(`line ${l.n}`, l.text);
}

/** Property names senders use for the array of events in a wrapper object. */
const ENVELOPE_KEYS = new Set([
  "data",
  "events",
  "logs",
  "records",
  "items",
  "entries",
  "results",
  "audit_logs",
]);

/**
 * The property holding the events when `v` is a wrapper rather than an event: its one array
 * property, if that has a usual envelope name or holds nothing but events. Anything else stays
 * one record, so an unknown object is quarantined whole rather than unpacked (or dropped when
 * its array is empty).
 */
function envelopeKey(
  v: Record<string, unknown>,
  isEvent: (o: Record<string, unknown>) => boolean,
): string | null {
  if (isEvent(v)) return null;
  const arrays = Object.keys(v).filter((k) => Array.isArray(v[k]));
  const [key] = arrays;
  if (arrays.length !== 1 || key === undefined) return null;
  const items = v[key] as unknown[];
  if (ENVELOPE_KEYS.has(key.toLowerCase())) return key;
  return items.length > 0 && items.every((i) => isObject(i) && isEvent(i)) ? key : null;
}

export function frameJson(
  text: string,
  isEvent: (o: Record<string, unknown>) => boolean,
): FrameResult {
  const body = text.trim();
  if (body.length === 0) return { ok: false, code: "empty_body", message: "body is empty" };
  const tooDeep = nestingExceeds(body, MAX_NESTING);
  const lines = textLines(body);
  lines.next();
  const multiLine = !lines.next().done;
  if (tooDeep && !multiLine) {
    return {
      ok: false,
      code: "nesting_too_deep",
      message: `JSON nests deeper than ${MAX_NESTING} levels`,
    };
  }
  const whole = tooDeep ? { ok: false as const, error: "nests too deep" } : tryParse(body);
  if (whole.ok) {
    const v = whole.value;
    if (Array.isArray(v)) return { ok: true, framing: "array", records: fromArray(v, "") };
    const key = isObject(v) ? envelopeKey(v, isEvent) : null;
    if (isObject(v) && key !== null) {
      return { ok: true, framing: "envelope", records: fromArray(v[key] as unknown[], key) };
    }
    return {
      ok: true,
      framing: "object",
      records: [{ location: "body", raw: body, ok: true, value: v }],
    };
  }
  // Not one JSON document: NDJSON if it has several lines, else plain invalid JSON.
  if (!multiLine) {
    return { ok: false, code: "invalid_json", message: `body is not valid JSON: ${whole.error}` };
  }
  let anyParses = false;
  for (const l of textLines(body)) {
    if (parseRecordText(l.text).ok) {
      anyParses = true;
      break;
    }
  }
  if (!anyParses) {
    return {
      ok: false,
      code: "invalid_json",
      message: `body is neither JSON nor NDJSON (no line parses: ${whole.error})`,
    };
  }
  return { ok: true, framing: "ndjson", records: ndjsonRecords(body) };
}
