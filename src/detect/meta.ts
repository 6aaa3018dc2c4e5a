import { isScalar } from "yaml";
import { RuleError } from "./errors";
import { distance } from "./field-path";
import { LEVELS, type Level } from "./types";
import type { Doc, Entry } from "./yaml-nodes";

/** Sigma metadata accepted and ignored. */
const IGNORED = [
  "status",
  "author",
  "tags",
  "references",
  "falsepositives",
  "date",
  "modified",
  "related",
  "license",
  "taxonomy",
  "scope",
  "fields",
];
const COMMON = ["title", "id", "name", "level", "description", "generate", "destinations"];
const DEDUP_MINUTES = ["dedup-minutes", "dedupMinutes"];

export const DETECTION_KEYS = new Set([
  ...COMMON,
  ...IGNORED,
  ...DEDUP_MINUTES,
  "logsource",
  "detection",
  "dedup",
]);
export const SCHEDULED_KEYS = new Set([
  ...COMMON,
  ...IGNORED,
  ...DEDUP_MINUTES,
  "kind",
  "schedule",
  "query",
  "group-by",
]);
export const CORRELATION_KEYS = new Set([...COMMON, ...IGNORED, ...DEDUP_MINUTES, "correlation"]);

const ID = /^[A-Za-z0-9_.-]+$/;
const DEFAULT_DEDUP_MINUTES = 60;
const DEFAULT_LEVEL: Level = "medium";

export interface Meta {
  id: string;
  title: string;
  level: Level;
  description?: string;
  name?: string;
  /** `generate` as written (undefined when absent). */
  generate?: boolean;
  dedupMinutes: number;
  destinations: string[] | null;
  /** The lines of id and name, for duplicate errors. */
  idLine: number;
  nameLine: number | null;
  /** Warnings of the document so far (custom keys, a derived id). */
  warnings: string[];
}

/**
 * The entries of a rule document by key. Keys outside `allowed` are custom fields, which the
 * specification allows: kept in the text and ignored, with a warning when one looks like a
 * misspelt key of ours (`detecton`, `dedup_minutes`).
 */
export function keyed(
  entries: Entry[],
  allowed: ReadonlySet<string>,
  warnings: string[],
): Map<string, Entry> {
  const map = new Map<string, Entry>();
  for (const e of entries) {
    if (!allowed.has(e.key)) {
      const near = [...allowed].find(
        (k) => k.length > 3 && distance(e.key.toLowerCase().replace(/_/g, "-"), k) <= 2,
      );
      if (near)
        warnings.push(`line ${e.line}: custom key "${e.key}" ignored (did you mean "${near}"?)`);
      continue;
    }
    map.set(e.key, e);
  }
  return map;
}

/** An id from a title, for rules without one (the specification makes id optional). */
function derivedId(title: string): string {
  const slug = title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 128);
  return slug === "" ? "rule" : slug;
}

function required(keys: Map<string, Entry>, key: string, docLine: number): Entry {
  const e = keys.get(key);
  if (!e) throw new RuleError(`missing "${key}"`, docLine, key);
  return e;
}

function identifier(doc: Doc, e: Entry): string {
  const v = doc.string(e.value, e.key, e.valueLine).trim();
  if (!ID.test(v) || v.length > 128) {
    throw new RuleError(
      `${e.key} "${v}" must be letters, digits, "_", "." or "-" (a UUID, say)`,
      e.valueLine,
      e.key,
    );
  }
  return v;
}

function level(doc: Doc, e: Entry): Level {
  const v = doc.scalar(e.value, "level", e.valueLine);
  if (!LEVELS.includes(v as Level)) {
    throw new RuleError(`level must be one of ${LEVELS.join(", ")}`, e.valueLine, "level");
  }
  return v as Level;
}

function dedupMinutes(doc: Doc, keys: Map<string, Entry>): number {
  const [a, b] = DEDUP_MINUTES.map((k) => keys.get(k));
  if (a && b) throw new RuleError(`give one of "${a.key}" and "${b.key}"`, b.line, b.key);
  const e = a ?? b;
  if (!e) return DEFAULT_DEDUP_MINUTES;
  const v = doc.scalar(e.value, e.key, e.valueLine);
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0) {
    throw new RuleError(
      `${e.key} must be a whole number of minutes (0 or more)`,
      e.valueLine,
      e.key,
    );
  }
  return v;
}

function optionalBoolean(doc: Doc, e: Entry | undefined): boolean | undefined {
  if (!e) return undefined;
  const v = doc.scalar(e.value, e.key, e.valueLine);
  if (typeof v !== "boolean")
    throw new RuleError(`${e.key} must be true or false`, e.valueLine, e.key);
  return v;
}

/**
 * The metadata every rule has: title required; id optional (else the name, else one derived
 * from the title, with a warning), level optional (medium); the rest with defaults.
 */
export function parseMeta(
  doc: Doc,
  keys: Map<string, Entry>,
  docLine: number,
  warnings: string[],
): Meta {
  const titleEntry = required(keys, "title", docLine);
  const title = doc.string(titleEntry.value, "title", titleEntry.valueLine);
  if (title.length > 256)
    throw new RuleError("title is longer than 256 characters", titleEntry.valueLine, "title");
  const idEntry = keys.get("id") ?? keys.get("name");
  const id = idEntry ? identifier(doc, idEntry) : derivedId(title);
  if (!idEntry) warnings.push(`line ${docLine}: no id or name: the rule's id is "${id}"`);
  const levelEntry = keys.get("level");
  const meta: Meta = {
    id,
    title,
    level: levelEntry ? level(doc, levelEntry) : DEFAULT_LEVEL,
    dedupMinutes: dedupMinutes(doc, keys),
    destinations: null,
    idLine: idEntry?.valueLine ?? docLine,
    nameLine: null,
    warnings,
  };
  const description = keys.get("description");
  if (description)
    meta.description = doc.string(description.value, "description", description.valueLine);
  const name = keys.get("name");
  if (name) {
    meta.name = identifier(doc, name);
    meta.nameLine = name.valueLine;
  }
  const generate = optionalBoolean(doc, keys.get("generate"));
  if (generate !== undefined) meta.generate = generate;
  const destinations = keys.get("destinations");
  const dest = destinations?.value ?? null;
  if (destinations && dest !== null && !(isScalar(dest) && dest.value === null)) {
    // A list (empty: alert nowhere) or one name; absent or null: every destination.
    meta.destinations = doc.strings(dest, "destinations", destinations.valueLine);
  }
  return meta;
}
