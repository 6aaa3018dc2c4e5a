import { RuleError } from "./errors";
import type { Row } from "./types";

export type Accessor = (row: Row) => unknown;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function own(obj: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

/**
 * The values of `read` over an array's elements (a field path going through an array of
 * objects: Okta's `target.displayName`): the present values, arrays among them flattened, as
 * one array; null when every element that has the field holds null; undefined (missing) when no
 * element has it. So a value matches when any element's does, `exists` is true when any element
 * has the field, and `null` matches when no element has a non-null value.
 */
function eachElement(items: readonly unknown[], read: (obj: Record<string, unknown>) => unknown) {
  let present = false;
  const out: unknown[] = [];
  for (const e of items) {
    const v = isObject(e) ? read(e) : Array.isArray(e) ? eachElement(e, read) : undefined;
    if (v === undefined) continue;
    present = true;
    if (Array.isArray(v)) out.push(...v);
    else if (v !== null) out.push(v);
  }
  return !present ? undefined : out.length === 0 ? null : out;
}

/**
 * A field's value in a row (undefined when missing). "actor.email" reads row.actor.email:
 * a key holding the whole remaining name wins ("tags" may have a key "k8s.io/app" or
 * "team.name"), else the name splits at its first dot and the rest is read from the object
 * there; through an array of objects, from each element (eachElement). Arrays ("resources")
 * are returned whole.
 */
export function fieldValue(row: Row, field: string): unknown {
  let obj: unknown = row;
  let rest = field;
  for (;;) {
    if (Array.isArray(obj)) {
      const tail = rest;
      return eachElement(obj, (e) => fieldValue(e, tail));
    }
    if (!isObject(obj)) return undefined;
    if (Object.hasOwn(obj, rest)) return obj[rest];
    const dot = rest.indexOf(".");
    if (dot <= 0) return undefined;
    obj = own(obj, rest.slice(0, dot));
    rest = rest.slice(dot + 1);
  }
}

/** fieldValue compiled for one field: the name is split once, not per row. */
export function compileAccessor(field: string): Accessor {
  const dot = field.indexOf(".");
  if (dot <= 0) return (row) => own(row, field);
  const head = field.slice(0, dot);
  const tail = compileAccessor(field.slice(dot + 1)) as (obj: Record<string, unknown>) => unknown;
  return (row) => {
    if (Object.hasOwn(row, field)) return row[field];
    const inner = own(row, head);
    if (isObject(inner)) return tail(inner);
    return Array.isArray(inner) ? eachElement(inner, tail) : undefined;
  };
}

/** Levenshtein distance (for "did you mean" hints). */
export function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}

/** The known names nearest to an unknown one, for the error message. */
function nearest(field: string, known: ReadonlySet<string>, count: number): string[] {
  const lower = field.toLowerCase();
  return [...known]
    .map((k) => ({ k, d: distance(lower, k.toLowerCase()) }))
    .sort((x, y) => x.d - y.d || x.k.localeCompare(y.k))
    .slice(0, count)
    .map((x) => x.k);
}

/**
 * Whether a rule may name `field`: it is in the set, or it is `m.k` and the set holds `m` or
 * `m.*` (a map column such as actor or tags; any key of it is allowed).
 */
export function isKnownField(field: string, known: ReadonlySet<string>): boolean {
  if (known.has(field)) return true;
  const dot = field.indexOf(".");
  if (dot <= 0 || dot === field.length - 1) return false;
  const head = field.slice(0, dot);
  return known.has(head) || known.has(`${head}.*`);
}

export function checkField(field: string, known: ReadonlySet<string>, line: number): void {
  if (field === "") throw new RuleError("a field name is empty", line, field);
  if (isKnownField(field, known)) return;
  const near = nearest(field, known, 6);
  const list =
    near.length === 0 ? "none" : near.join(", ") + (known.size > near.length ? ", …" : "");
  throw new RuleError(`unknown field "${field}" (known: ${list})`, line, field);
}
