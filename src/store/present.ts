import { toIso } from "../lib/time";
import type { ViewDefinition } from "../model/view";
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
  return {
    ...rest,
    ...UNSTORED,
    receivedAt: toIso(receivedAt),
    eventTime: toIso(eventTime),
    readOnly: readOnly === null ? null : readOnly === 1,
    actor: parseJson<Record<string, string>>(actor, {}),
    tags: parseJson<Record<string, string>>(tags, {}),
    resources: parseJson<string[]>(resources, []),
    enrichments: parseJson<unknown[]>(enrichments, []),
    sourceFields: fullSourceFields(
      view,
      parseJson<Record<string, unknown>>(sourceFields, {}),
      r.rawLog,
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
  out.actor = parseJson<Record<string, string>>(row.actor, {});
  out.tags = parseJson<Record<string, string>>(row.tags, {});
  out.resources = parseJson<string[]>(row.resources, []);
  out.enrichments = parseJson<unknown[]>(row.enrichments, []);
  if (!view) return out;
  const fields = fullSourceFields(view, parseJson(row.sourceFields, {}), row.rawLog);
  for (const column of view.columns) if (!(column in out)) out[column] = fields[column];
  return out;
}

/**
 * A row of a page SQLite rendered (src/store/query.ts logsJsonQuery) as presentRow's JSON text:
 * its fields, the REAL columns' values (JavaScript's digits, not SQLite's), then sourceFields.
 * SQLite keeps the vendor's JSON text as it was (a number `1.0`, an escape `\u00e9`); the
 * sourceFields object, which reads rawLog, is parsed and serialized once more so it is the very
 * text JSON.stringify(presentRow(row)) gives.
 */
export function presentedJson(
  row: { j: string; sf: string } & Record<string, unknown>,
  reals: readonly string[],
): string {
  let j = row.j;
  for (const c of reals) {
    const v = row[c];
    // the first `"c":null` is the key's: any earlier `"` inside a string value is escaped
    if (v !== null && v !== undefined) j = j.replace(`"${c}":null`, `"${c}":${JSON.stringify(v)}`);
  }
  const sf = row.sf === "{}" ? "{}" : JSON.stringify(JSON.parse(row.sf));
  return `${j.slice(0, -1)},"sourceFields":${sf}}`;
}
