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

/** Whether the row has one of the keys (`when`; a loop: no closure made per row). */
function hasAny(value: Record<string, unknown>, keys: readonly string[]): boolean {
  for (let i = 0; i < keys.length; i++) if ((keys[i] as string) in value) return true;
  return false;
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
 * or (with `when`) has none of its keys, is returned as it is, as is a row it leaves as it was
 * (every key rewritten to itself, no cell changed).
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
  /** The positions of the cells that are not their input value in this row, and those cells. */
  const changedAt: number[] = [];
  const changed: unknown[] = [];

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

  /**
   * A row of the last key sequence's: the row itself where no cell changes and the keys are
   * rewritten to themselves (the usual export: nothing to copy), else a copy of the row or of
   * the template with its cells set. undefined: the row has other keys (or more, or fewer).
   * Only the cells that change are kept aside: a cell that is not text is its value, as is most
   * text (only text is trimmed, blanked, parsed or read as a number).
   */
  const ofShape = (value: Record<string, unknown>): unknown => {
    const { keys, renamed } = shape;
    let n = 0;
    let c = 0;
    let known = true;
    for (const k in value) {
      // (past the last key, keys[n] is undefined: a key too many)
      if (keys[n] !== k) {
        known = false;
        break;
      }
      const v = value[k];
      if (typeof v === "string") {
        const cell = cellOf(k, renamed[n] as string, v);
        if (cell instanceof Nesting) {
          changed.fill(undefined, 0, c);
          return cell;
        }
        if (cell !== v) {
          changedAt[c] = n;
          changed[c++] = cell;
        }
      }
      n++;
    }
    if (!known || n !== keys.length) {
      changed.fill(undefined, 0, c);
      return undefined;
    }
    if (shape.same && c === 0) return value;
    let out: Record<string, unknown>;
    if (shape.same) {
      // one clone of the row's shape, where setting a score of keys one by one costs a lookup each
      out = { ...value };
      for (let i = 0; i < c; i++) out[keys[changedAt[i] as number] as string] = changed[i];
    } else {
      out = { ...shape.template };
      let i = 0;
      let j = 0;
      for (const k in value) {
        out[renamed[i] as string] = j < c && changedAt[j] === i ? changed[j++] : value[k];
        i++;
      }
    }
    // (the cells are the row's now: none kept here past it)
    changed.fill(undefined, 0, c);
    return out;
  };

  return (value) => {
    if (!isRecord(value)) return value;
    if (when && !hasAny(value, when)) return value;
    if (shaped) {
      const known = ofShape(value);
      if (known !== undefined) return known;
      // Another key sequence: prepared key by key, and its shape kept for the rows after it.
      const keys: string[] = [];
      const renamed: string[] = [];
      const out: Record<string, unknown> = {};
      for (const k in value) {
        const key = rename(k);
        const cell = cellOf(k, key, value[k]);
        if (cell instanceof Nesting) return cell;
        keys.push(k);
        renamed.push(key);
        out[key] = cell;
      }
      // ("__proto__", a prototype when set on a new object, never a key: no template)
      if (!renamed.includes("__proto__"))
        shape = {
          keys,
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
