import { toIso } from "../lib/time";
import type { LogRow } from "./schema";

function parseJson<T>(text: string | null, fallback: T): T {
  if (text === null || text === "") return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

/**
 * A stored row as the API returns it (DESIGN §4): every common column, maps as objects, arrays
 * as arrays, booleans as booleans, times as ISO-8601 UTC with milliseconds, vendor columns
 * under `sourceFields`.
 */
export function presentRow(row: LogRow) {
  const { rid: _rid, ...r } = row as LogRow & { rid?: unknown };
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
    receivedAt: toIso(receivedAt),
    eventTime: toIso(eventTime),
    readOnly: readOnly === null ? null : readOnly === 1,
    actor: parseJson<Record<string, string>>(actor, {}),
    tags: parseJson<Record<string, string>>(tags, {}),
    resources: parseJson<string[]>(resources, []),
    enrichments: parseJson<unknown[]>(enrichments, []),
    sourceFields: parseJson<Record<string, unknown>>(sourceFields, {}),
  };
}
