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

/**
 * A stored row as detection rules read it (src/detect/): the columns of presentRow with the
 * vendor columns at the top level, computed only when a rule reads one (they come from rawLog,
 * which most rules never need). About a third of presentRow's cost per row.
 */
export function ruleRowOf(row: LogRow, view: ViewDefinition | undefined): Record<string, unknown> {
  const {
    rid: _rid,
    key: _key,
    sourceFields,
    ...r
  } = row as LogRow & {
    rid?: unknown;
    key?: unknown;
  };
  const out: Record<string, unknown> = {
    ...r,
    receivedAt: toIso(r.receivedAt),
    eventTime: toIso(r.eventTime),
    readOnly: r.readOnly === null ? null : r.readOnly === 1,
    actor: parseJson<Record<string, string>>(r.actor, {}),
    tags: parseJson<Record<string, string>>(r.tags, {}),
    resources: parseJson<string[]>(r.resources, []),
    enrichments: parseJson<unknown[]>(r.enrichments, []),
  };
  if (!view) return out;
  let vendor: Record<string, unknown> | undefined;
  const fields = () => (vendor ??= fullSourceFields(view, parseJson(sourceFields, {}), r.rawLog));
  for (const column of view.columns)
    if (!(column in out))
      Object.defineProperty(out, column, { enumerable: true, get: () => fields()[column] });
  return out;
}
