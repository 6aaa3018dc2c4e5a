import { toIso } from "../lib/time";
import type { ViewDefinition } from "../model/view";
import { builtMaps, fullMaps, onceParsed } from "./derived";
import { UNSTORED_COLUMNS } from "./rows";
import type { LogRow } from "./schema";
import { fullSourceFields } from "./source-fields";

/** The always-null common columns the table does not store (src/store/rows.ts). */
const UNSTORED = Object.fromEntries([...UNSTORED_COLUMNS].map((c) => [c, null]));

export function parseJson<T>(text: string | null, fallback: T): T {
  if (text === null || text === "") return fallback;
  // The usual empty values, without a parse.
  if (text === "{}" || text === "[]") return (text === "{}" ? {} : []) as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

/**
 * A stored row as the API returns it (DESIGN §4): every common column, maps as objects, arrays
 * as arrays, booleans as booleans, times as ISO-8601 UTC with milliseconds, vendor columns
 * under `sourceFields`. `view`: the row's vendor view (src/catalog.ts `present` looks it up).
 */
export function presentRow(row: LogRow, view: ViewDefinition | undefined) {
  const { rid: _rid, key: _key, ...r } = row as LogRow & { rid?: unknown; key?: unknown };
  const {
    actor,
    tags,
    resources,
    enrichments,
    sourceFields,
    readOnly,
    eventTime,
    receivedAt,
    ...rest
  } = r as LogRow;
  const parse = onceParsed(r.rawLog);
  const maps = fullMaps(view, { actor, tags, resources, rawLog: r.rawLog }, parse);
  return {
    ...rest,
    ...UNSTORED,
    receivedAt: toIso(receivedAt),
    eventTime: toIso(eventTime),
    readOnly: readOnly === null ? null : readOnly === 1,
    actor: parseJson<Record<string, string>>(maps.actor, {}),
    tags: parseJson<Record<string, string>>(maps.tags, {}),
    resources: parseJson<string[]>(maps.resources, []),
    enrichments: parseJson<unknown[]>(enrichments, []),
    sourceFields: fullSourceFields(
      view,
      parseJson<Record<string, unknown>>(sourceFields, {}),
      r.rawLog,
      parse,
    ),
  };
}

/** What a rule row does not copy from the stored row (keys, and the vendor columns' JSON). */
const NOT_FOR_RULES = new Set(["rid", "key", "sourceFields"]);

/**
 * A stored row as detection rules read it (src/detect/): the columns of presentRow with the
 * vendor columns at the top level. Built as one plain object in one pass: accessors defined per
 * row (to read rawLog only when a rule asks) cost eight times more than reading it (issue 27).
 */
export function ruleRowOf(row: LogRow, view: ViewDefinition | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const stored = row as unknown as Record<string, unknown>;
  for (const k in stored) if (!NOT_FOR_RULES.has(k)) out[k] = stored[k];
  out.receivedAt = toIso(row.receivedAt);
  out.eventTime = toIso(row.eventTime);
  out.readOnly = row.readOnly === null ? null : row.readOnly === 1;
  const parse = onceParsed(row.rawLog);
  // the maps a marker stands for, built from rawLog (src/store/derived.ts), else parsed
  const built = builtMaps(view, row, parse);
  out.actor = built.actor ?? parseJson<Record<string, string>>(row.actor, {});
  out.tags = built.tags ?? parseJson<Record<string, string>>(row.tags, {});
  out.resources = built.resources ?? parseJson<string[]>(row.resources, []);
  out.enrichments = parseJson<unknown[]>(row.enrichments, []);
  if (!view) return out;
  const fields = fullSourceFields(view, parseJson(row.sourceFields, {}), row.rawLog, parse);
  for (const column of view.columns) if (!(column in out)) out[column] = fields[column];
  return out;
}

/** A value as JSON text (undefined as null, as in an object JSON.stringify writes). */
const jsonValue = (v: unknown): string =>
  v === null ? "null" : typeof v === "number" && Number.isFinite(v) ? String(v) : JSON.stringify(v);

/**
 * The JSON text of a JSON column as presentRow gives it (parseJson, then JSON.stringify). The
 * columns hold what JSON.stringify wrote (src/store/rows.ts toRow), which a parse and a
 * serialization give back unchanged: a text that parses is spliced as it is.
 */
function jsonColumn(text: string | null, fallback: string): string {
  if (text === null || text === "") return fallback;
  if (text === "{}" || text === "[]") return text;
  try {
    JSON.parse(text);
    return text;
  } catch {
    return fallback;
  }
}

/** The stored columns presentRow does not copy as they are (keys, and what it writes last). */
const NOT_COPIED = new Set([
  "rid",
  "key",
  "actor",
  "tags",
  "resources",
  "enrichments",
  "sourceFields",
  "readOnly",
  "eventTime",
  "receivedAt",
]);
const UNSTORED_JSON = [...UNSTORED_COLUMNS].map((c) => `,"${c}":null`).join("");

/** How presentedJson writes a stored column: its value (COPY), not at all (SKIP), or none of it (UNSTORED). */
const COPY = 0;
const SKIP = 1;
const UNSTORED_KIND = 2;

/**
 * presentedJson's plan for rows with one sequence of keys: each key's kind, and the text before
 * its value. The rows of a page share their keys and their order (D1's columns), so a row's keys
 * are compared with the plan's (the same strings: one compare each), never looked up.
 */
interface Plan {
  names: string[];
  kinds: Uint8Array;
  /** `"key":` */
  heads: string[];
  /** Whether a key is an unstored column (a row read back from elsewhere). */
  unstored: boolean;
}

function planOf(names: string[]): Plan {
  const kinds = Uint8Array.from(names, (k) =>
    NOT_COPIED.has(k) ? SKIP : UNSTORED_COLUMNS.has(k) ? UNSTORED_KIND : COPY,
  );
  const heads = names.map((k) => `${JSON.stringify(k)}:`);
  return { names, kinds, heads, unstored: kinds.includes(UNSTORED_KIND) };
}

let plan: Plan = planOf([]);

/**
 * The stored columns' members presentRow copies as they are, as JSON text (`"k":v` joined by
 * commas), with the plan of the row's keys; undefined where the row's keys are not the plan's.
 */
function copiedMembers(stored: Record<string, unknown>, p: Plan): string | undefined {
  const { names, kinds, heads } = p;
  let out = "";
  let i = 0;
  for (const k in stored) {
    if (names[i] !== k) return undefined;
    if (kinds[i] === COPY) {
      const v = stored[k];
      if (v !== undefined) out += `${out === "" ? "" : ","}${heads[i]}${jsonValue(v)}`;
    }
    i++;
  }
  return i === names.length ? out : undefined;
}

/**
 * JSON.stringify(presentRow(row, view)), written directly: the stored columns' values, the JSON
 * columns' text spliced (jsonColumn), the vendor columns as fullSourceFields gives them. A page
 * of GET /v1/logs is a hundred of these (issue 27: a third of the page's cost was the rows'
 * objects built, then serialized). The stored columns are written by a plan made once for the
 * rows' keys (a page's rows share them), not by a lookup of each key in two sets.
 */
export function presentedJson(row: LogRow, view: ViewDefinition | undefined): string {
  const stored = row as unknown as Record<string, unknown>;
  let members = copiedMembers(stored, plan);
  if (members === undefined) {
    plan = planOf(Object.keys(stored));
    members = copiedMembers(stored, plan);
    // keys for…in sees and Object.keys does not (inherited ones): the object way
    if (members === undefined) return JSON.stringify(presentRow(row, view));
  }
  // a row that holds an unstored column (one read back from elsewhere) keeps its place there
  if (plan.unstored) return JSON.stringify(presentRow(row, view));
  const parse = onceParsed(row.rawLog);
  // a marker's map is built here (its JSON needs no check); a stored map's text is spliced
  const built = builtMaps(view, row, parse);
  const map = (b: object | undefined, text: string, empty: string) =>
    b === undefined ? jsonColumn(text, empty) : JSON.stringify(b);
  // with raw paths the vendor columns are read from rawLog (the only parse of a whole row), as
  // presentRow reads them; else the stored text is spliced
  const fields = view?.rawPaths
    ? JSON.stringify(
        fullSourceFields(
          view,
          parseJson<Record<string, unknown>>(row.sourceFields, {}),
          row.rawLog,
          parse,
        ),
      )
    : jsonColumn(row.sourceFields, "{}");
  return `{${members}${members === "" ? UNSTORED_JSON.slice(1) : UNSTORED_JSON},"receivedAt":"${toIso(row.receivedAt)}","eventTime":"${toIso(
    row.eventTime,
  )}","readOnly":${row.readOnly === null ? "null" : row.readOnly === 1},"actor":${map(
    built.actor,
    row.actor,
    "{}",
  )},"tags":${map(built.tags, row.tags, "{}")},"resources":${map(
    built.resources,
    row.resources,
    "[]",
  )},"enrichments":${jsonColumn(row.enrichments, "[]")},"sourceFields":${fields}}`;
}
