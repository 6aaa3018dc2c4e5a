import { type PathRead, pathReader } from "../lib/json-path";
import { sameJson } from "../lib/plain-json";
import type { ViewDefinition } from "../model/view";

/**
 * Vendor columns are not stored twice. A view column with a `rawPaths` entry is read from the
 * row's rawLog at that path, unless `sourceFields` holds the column (the normalizer's value
 * differed from the raw one, or rawLog is not the parsed record). The views (src/store/views.ts)
 * and the API (src/store/present.ts) read them the same way; the contract suite checks both
 * give the normalizer's values for every vendor's fixtures.
 */

/** Each view path's keys, split once (the views name a few hundred paths in all). */
const KEYS = new Map<string, string[]>();

/** A view path's keys (`a.b` → [a, b]), split once. */
export function pathKeys(path: string): string[] {
  let keys = KEYS.get(path);
  if (keys === undefined) {
    keys = path.split(".");
    KEYS.set(path, keys);
  }
  return keys;
}

/** A view's raw reads for one sequence of field names (each null: not read from rawLog). */
interface Reads {
  names: string[];
  reads: (PathRead | null)[];
}

/**
 * Each view's reads, for the names of the last fields it was given: a normalizer gives every
 * event the same columns in the same order, so the names are compared, never looked up.
 */
const READS = new WeakMap<ViewDefinition, Reads>();

function readsOf(view: ViewDefinition, paths: Readonly<Record<string, string>>, names: string[]) {
  const known = READS.get(view);
  if (known && known.names.length === names.length) {
    let i = 0;
    while (i < names.length && known.names[i] === names[i]) i++;
    if (i === names.length) return known.reads;
  }
  const reads = names.map((k) => {
    const path = paths[k];
    return path === undefined ? null : pathReader(path);
  });
  READS.set(view, { names, reads });
  return reads;
}

/**
 * Whether a vendor field's value is stored: the view reads no path for it (`read` null), or what
 * it reads from the parsed record is not that value. The normalizer's value is often the parsed
 * record's own (a whole object of it): parsed JSON holds no undefined and no NaN, so it is
 * `same` as itself, with no walk through it.
 */
function isStored(v: unknown, read: PathRead | null | undefined, parsed: unknown): boolean {
  if (read === null || read === undefined) return true;
  const raw = read(parsed);
  return v !== raw && !sameJson(v, raw);
}

/**
 * `storedSourceFields` for fields with the names of the last ones, in their order (undefined:
 * other names, or more, or fewer; the caller then takes Object.keys). A for-in over the fields
 * object reads its values through V8's enum cache (the normalizer makes every event's fields
 * from one template, so they share a shape), where `fields[names[i]]` was a keyed load by a
 * different name each time, and no array of keys is made: GitHub's 22 columns 0.4 µs an event
 * less (normalize + toRow 5.5 -> 5.1 µs in Node). An inherited enumerable key (for-in lists
 * them, Object.keys does not) comes after the own ones, so it is a name too many: undefined.
 */
function storedAsKnown(
  known: Reads,
  fields: Record<string, unknown>,
  parsed: unknown,
): Record<string, unknown> | undefined {
  const { names, reads } = known;
  let out: Record<string, unknown> | null = null;
  let i = 0;
  for (const k in fields) {
    if (names[i] !== k) return undefined;
    const v = fields[k];
    if (isStored(v, reads[i++], parsed)) {
      out ??= {};
      out[k] = v;
    }
  }
  return i === names.length ? (out ?? NO_FIELDS) : undefined;
}

/**
 * What `storedSourceFields` gives where it stores no field (every one is read from rawLog, the
 * usual row of a vendor whose view reads rawLog): its text is "{}", written with no
 * JSON.stringify (toRow), whose call costs more than the rest of the decision on such a row.
 */
export const NO_FIELDS: Readonly<Record<string, unknown>> = Object.freeze({});

/** The vendor fields to store: those the view cannot read from the parsed raw record. */
export function storedSourceFields(
  view: ViewDefinition,
  fields: Record<string, unknown>,
  parsed: unknown,
): Record<string, unknown> {
  const paths = view.rawPaths;
  if (!paths) return fields;
  const known = READS.get(view);
  if (known !== undefined) {
    const out = storedAsKnown(known, fields, parsed);
    if (out !== undefined) return out;
  }
  const names = Object.keys(fields);
  const reads = readsOf(view, paths, names);
  const out: Record<string, unknown> = {};
  for (let i = 0; i < names.length; i++) {
    const k = names[i] as string;
    const v = fields[k];
    if (isStored(v, reads[i], parsed)) out[k] = v;
  }
  return out;
}

/**
 * Every vendor column of a stored row, as the view shows it, in the view's order (`parse`:
 * rawLog parsed, shared with the caller's other reads of it).
 */
export function fullSourceFields(
  view: ViewDefinition | undefined,
  stored: Record<string, unknown>,
  rawLog: string,
  parse?: () => unknown,
): Record<string, unknown> {
  const paths = view?.rawPaths;
  if (!view || !paths || view.columns.every((c) => c in stored)) return stored;
  let raw: unknown;
  if (parse) {
    raw = parse();
    if (raw === undefined) return stored;
  } else
    try {
      raw = JSON.parse(rawLog);
    } catch {
      return stored;
    }
  const reads = columnReadsOf(view, paths);
  const out: Record<string, unknown> = {};
  for (let i = 0; i < view.columns.length; i++) {
    const c = view.columns[i] as string;
    const read = reads[i];
    out[c] = c in stored ? stored[c] : read ? (read(raw) ?? null) : null;
  }
  return out;
}

/** Each view's columns' raw reads, in the view's order (null: not read from rawLog), once. */
const COLUMN_READS = new WeakMap<ViewDefinition, Array<PathRead | null>>();

function columnReadsOf(view: ViewDefinition, paths: Readonly<Record<string, string>>) {
  let reads = COLUMN_READS.get(view);
  if (reads === undefined) {
    reads = view.columns.map((c) => {
      const path = paths[c];
      return path === undefined ? null : pathReader(path);
    });
    COLUMN_READS.set(view, reads);
  }
  return reads;
}

/**
 * The SQL of one vendor column of a view: `->>` gives its SQL value (views), `->` its JSON text
 * (the `sourceFields` object of the `logs` view).
 */
export function viewColumnExpr(column: string, path: string | undefined, op = "->>"): string {
  const stored = `sourceFields ${op} '$.${column}'`;
  if (path === undefined) return stored;
  return `CASE WHEN json_type(sourceFields, '$.${column}') IS NULL THEN rawLog ${op} '$.${path}' ELSE ${stored} END`;
}
