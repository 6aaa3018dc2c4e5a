/**
 * Framing of JSON text: one object, an array of objects, an envelope object whose one array
 * property holds the events, or NDJSON. Pure; never throws on any input.
 */

export const MAX_NESTING = 64;

/** One framed record: its place in the input, its original text, and the parsed value. */
export type Framed =
  | { location: string; raw: string; ok: true; value: unknown }
  | { location: string; raw: string; ok: false; error: string };

export type FrameResult =
  | { ok: true; framing: "object" | "array" | "envelope" | "ndjson"; records: Framed[] }
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
    return { ok: false, error: (err as Error).message };
  }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function fromArray(items: unknown[], prefix: string): Framed[] {
  return items.map((value, i) => ({
    location: `${prefix}[${i}]`,
    raw: JSON.stringify(value) ?? "null",
    ok: true,
    value,
  }));
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
  const lines = body.split("\n");
  if (tooDeep && lines.length < 2) {
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
  if (lines.length < 2) {
    return { ok: false, code: "invalid_json", message: `body is not valid JSON: ${whole.error}` };
  }
  const records: Framed[] = [];
  lines.forEach((line, i) => {
    const raw = line.endsWith("\r") ? line.slice(0, -1) : line;
    if (raw.trim() === "") return;
    const parsed = nestingExceeds(raw, MAX_NESTING)
      ? { ok: false as const, error: `nests deeper than ${MAX_NESTING} levels` }
      : tryParse(raw);
    records.push(
      parsed.ok
        ? { location: `line ${i + 1}`, raw, ok: true, value: parsed.value }
        : { location: `line ${i + 1}`, raw, ok: false, error: `invalid JSON: ${parsed.error}` },
    );
  });
  if (!records.some((r) => r.ok)) {
    return {
      ok: false,
      code: "invalid_json",
      message: `body is neither JSON nor NDJSON (no line parses: ${whole.error})`,
    };
  }
  return { ok: true, framing: "ndjson", records };
}
