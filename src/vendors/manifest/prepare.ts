import { MAX_NESTING, nestingExceeds } from "../../parse/json";
import type { ManifestPrepare } from "./schema";

/**
 * A manifest's `map.prepare`: flat rows (a CSV export with upper-case columns, JSON cells and
 * flattened objects; keys in any case) turned into the event the rest of `map` reads. Compiled
 * once per vendor; pure. rawLog keeps the row as it was received.
 */

/** A cell nested deeper than the JSON reader allows: that record fails, `nesting_too_deep`. */
export class Nesting {
  constructor(readonly column: string) {}
  get message() {
    return `${this.column}: nests deeper than ${MAX_NESTING} levels`;
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/** eventTime, event_time, EVENT_TIME, Event-Time → EVENT_TIME. */
const upperSnake = (k: string) =>
  k
    .trim()
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/[\s-]+/g, "_")
    .toUpperCase();
const lower = (k: string) => k.trim().toLowerCase();

// The rows of a file repeat the same few dozen keys: rewrite each once (bounded, so a file of
// ever-new keys cannot grow it without end).
const KEY_CACHE_SIZE = 4096;
function cached(rewrite: (k: string) => string): (k: string) => string {
  const cache = new Map<string, string>();
  return (k) => {
    let c = cache.get(k);
    if (c === undefined) {
      c = rewrite(k);
      if (cache.size < KEY_CACHE_SIZE) cache.set(k, c);
    }
    return c;
  };
}

const DIGITS = /^-?\d+$/;

/** The key rewrite of a `prepare` (identity when it rewrites none). */
export function keyRewrite(p: ManifestPrepare | undefined): ((k: string) => string) | null {
  if (!p?.keys) return null;
  return cached(p.keys === "lower" ? lower : upperSnake);
}

/**
 * The preparation `p` describes, or null when there is none: a value that is not an object,
 * or (with `when`) has none of its keys, is returned as it is.
 */
export function preparer(
  p: ManifestPrepare | undefined,
): ((value: unknown) => unknown | Nesting) | null {
  if (!p) return null;
  const rename = keyRewrite(p) ?? ((k: string) => k);
  const when = p.when;
  const nest = p.nest.map((prefix) => [prefix, `${prefix}_`] as const);
  const integers = new Set(p.integers);
  const { blank, cells } = p;

  return (value) => {
    if (!isRecord(value)) return value;
    if (when && !when.some((k) => k in value)) return value;
    const out: Record<string, unknown> = {};
    for (const k in value) {
      const v = value[k];
      const key = rename(k);
      let cell: unknown = v;
      if (typeof v === "string") {
        const t = blank || cells ? v.trim() : v;
        if (blank && t === "") {
          if (blank === "drop") continue;
          cell = null;
        } else if (cells) {
          if (t.startsWith("{") || t.startsWith("[")) {
            // Bounded before parsing: a cell nested 100,000 deep must not overflow the stack.
            if (nestingExceeds(t, MAX_NESTING)) return new Nesting(k);
            try {
              cell = JSON.parse(t);
            } catch {
              cell = v;
            }
          } else if (t === "true" || t === "false") cell = t === "true";
        }
      }
      if (integers.has(key) && typeof cell === "string" && DIGITS.test(cell)) cell = Number(cell);
      const entity = nest.length > 0 ? nest.find(([, p]) => key.startsWith(p)) : undefined;
      if (entity && !(key in out)) {
        const [name, p] = entity;
        const existing = out[name];
        const target = isRecord(existing) ? existing : {};
        target[key.slice(p.length)] = cell;
        out[name] = target;
      } else out[key] = cell;
    }
    return out;
  };
}
