import { type Accessor, compileAccessor } from "./field-path";
import { fold } from "./strings";
import type { Row } from "./types";

/**
 * One event's field values, read once for every rule. Many rules of a source read the same few
 * fields (`eventName`, `actor.email`): without this each rule resolved the path again (a
 * dictionary lookup per dot) and folded the text again for its case-insensitive tests, which
 * was most of the cost of 50 rules per event (issue 27).
 *
 * The cache lives only while `matchEvent` runs every rule on one event, synchronously: the row
 * cannot change in that time. Outside it (one rule's `match` called alone, a rules test, an
 * explanation), a reader reads the row directly, as before. Each field name a rule reads gets
 * a slot, for the isolate's life (the names are those of the rules loaded: a handful per
 * source). Rules edited at run time over an isolate's life can name ever new fields, so the
 * slots stop at MAX_CACHED_FIELDS: a field named after that is read directly, uncached (same
 * answers, only slower), and the slot table never grows past it.
 */

export const MAX_CACHED_FIELDS = 4096;
const slots = new Map<string, number>();
/** How many field names hold a slot (for tests). */
export const cachedFieldCount = () => slots.size;
const values: unknown[] = [];
const valueMark: number[] = [];
const foldedText: (string | undefined)[] = [];
const foldedMark: number[] = [];
/** The event being matched (undefined: none), and its number: a slot is valid for it when its
 * mark equals `current`. */
let scope: Row | undefined;
let current = 0;

function slotOf(field: string): number | undefined {
  let slot = slots.get(field);
  if (slot === undefined) {
    if (slots.size >= MAX_CACHED_FIELDS) return undefined;
    slot = values.length;
    slots.set(field, slot);
    values.push(undefined);
    valueMark.push(-1);
    foldedText.push(undefined);
    foldedMark.push(-1);
  }
  return slot;
}

/** Runs `f` (every rule on `row`) with the row's fields read once and shared. */
export function matchEvent<T>(row: Row, f: () => T): T {
  const outer = scope;
  scope = row;
  current++;
  try {
    return f();
  } finally {
    scope = outer;
    current++;
  }
}

/** A field as rules read it: its value, and its text folded (for case-insensitive tests). */
export interface FieldReader {
  get: Accessor;
  /** fold(text of the value) when it is a string, number or boolean; else undefined. */
  folded(row: Row): string | undefined;
}

const foldText = (v: unknown): string | undefined =>
  typeof v === "string"
    ? fold(v)
    : typeof v === "number" || typeof v === "boolean"
      ? fold(String(v))
      : undefined;

export function fieldReader(field: string): FieldReader {
  const read = compileAccessor(field);
  const slot = slotOf(field);
  if (slot === undefined) return { get: read, folded: (row) => foldText(read(row)) };
  const get = (row: Row) => {
    if (row !== scope) return read(row);
    if (valueMark[slot] === current) return values[slot];
    const v = read(row);
    values[slot] = v;
    valueMark[slot] = current;
    return v;
  };
  return {
    get,
    folded: (row) => {
      if (row !== scope) return foldText(read(row));
      if (foldedMark[slot] === current) return foldedText[slot];
      const f = foldText(get(row));
      foldedText[slot] = f;
      foldedMark[slot] = current;
      return f;
    },
  };
}
