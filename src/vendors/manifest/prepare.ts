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

/**
 * `s.trim()`, with no call where neither end can be trimmed (an end that is printable ASCII
 * other than a space: no white space or line terminator trim removes is one).
 */
function trimmed(s: string): string {
  const first = s.charCodeAt(0);
  const last = s.charCodeAt(s.length - 1);
  return first > 0x20 && first < 0x7f && last > 0x20 && last < 0x7f ? s : s.trim();
}

/** A blank cell `blank: drop` leaves out. */
const DROP = Symbol("drop");

/** The key rewrite of a `prepare` (identity when it rewrites none). */
export function keyRewrite(p: ManifestPrepare | undefined): ((k: string) => string) | null {
  if (!p?.keys) return null;
  return cached(p.keys === "lower" ? lower : upperSnake);
}

/** A key sequence of input rows (a file's header) and what it becomes, for `preparer`. */
interface Shape {
  /** The input keys, in order. */
  keys: string[];
  /** Each rewritten. */
  renamed: string[];
  /** An object with the rewritten keys, in their order (made by JSON.parse: fast in V8). */
  template: Record<string, unknown>;
  /** Whether each key is rewritten to itself (the usual export: its keys are already so). */
  same: boolean;
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
  // Without nesting or dropped blanks, a row's keys follow from its input keys alone: rows of
  // the last key sequence seen (the rows of a file share their header) are copies of one
  // template, then their values set. Built key by key, an object of more than a dozen or so
  // keys becomes a dictionary in V8 (Airkit's 29 columns), slower to fill and to read.
  const shaped = nest.length === 0 && blank !== "drop";
  let shape: Shape = { keys: [], renamed: [], template: {}, same: true };
  const keys: string[] = [];
  const values: unknown[] = [];
  /** The positions of the cells that are not their input value, in this row. */
  const changed: number[] = [];

  /** The cell of `v` (DROP: left out), or the Nesting of column `k`. */
  const cellOf = (k: string, key: string, v: unknown): unknown => {
    let cell: unknown = v;
    if (typeof v === "string") {
      const t = blank || cells ? trimmed(v) : v;
      if (blank && t === "") {
        if (blank === "drop") return DROP;
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
    if (typeof cell === "string" && integers.has(key) && DIGITS.test(cell)) cell = Number(cell);
    return cell;
  };

  return (value) => {
    if (!isRecord(value)) return value;
    if (when && !when.some((k) => k in value)) return value;
    if (shaped) {
      let n = 0;
      let same = true;
      let c = 0;
      for (const k in value) {
        same &&= shape.keys[n] === k;
        const v = value[k];
        keys[n] = k;
        // (a cell that is not text is its value: only text is trimmed, parsed or read as a number)
        if (typeof v !== "string") {
          values[n++] = v;
          continue;
        }
        const cell = cellOf(k, same ? (shape.renamed[n] as string) : rename(k), v);
        if (cell instanceof Nesting) return cell;
        values[n] = cell;
        if (cell !== v) changed[c++] = n;
        n++;
      }
      if (same && n === shape.keys.length && shape.same) {
        // Keys rewritten to themselves: a copy of the row (one clone of its shape, where setting
        // a score of keys one by one costs a lookup each), then the cells that changed.
        const out = { ...value };
        for (let i = 0; i < c; i++) {
          const at = changed[i] as number;
          out[keys[at] as string] = values[at];
        }
        values.fill(undefined, 0, n);
        return out;
      }
      if (same && n === shape.keys.length) {
        const out = { ...shape.template };
        for (let i = 0; i < n; i++) out[shape.renamed[i] as string] = values[i];
        values.fill(undefined, 0, n);
        return out;
      }
      const renamed = keys.slice(0, n).map(rename);
      const out: Record<string, unknown> = {};
      for (let i = 0; i < n; i++) out[renamed[i] as string] = values[i];
      values.fill(undefined, 0, n);
      // ("__proto__", a prototype when set on a new object, never a key: no template)
      if (!renamed.includes("__proto__"))
        shape = {
          keys: keys.slice(0, n),
          renamed,
          template: JSON.parse(JSON.stringify(Object.fromEntries(renamed.map((k) => [k, null])))),
          same: renamed.every((k, i) => k === keys[i]),
        };
      return out;
    }
    const out: Record<string, unknown> = {};
    for (const k in value) {
      const key = rename(k);
      const cell = cellOf(k, key, value[k]);
      if (cell === DROP) continue;
      if (cell instanceof Nesting) return cell;
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
