import { isMap } from "yaml";
import { WindowParamError, windowParams } from "../sql/window-params";
import { RuleError } from "./errors";
import type { Meta } from "./meta";
import type { ScheduledRule } from "./types";
import type { Doc, Entry } from "./yaml-nodes";

/**
 * Scheduled rules (docs/detections.md "Scheduled rules"): `query` (one read-only SELECT over
 * the views, `:from`/`:to` its window), `schedule: {every, lookback}`, `group-by`. Only the
 * shape is checked here (the engine is pure); the read-only gate and the cost bound run where
 * the views are known: PUT /v1/rules and each run (src/pipeline/scheduled.ts).
 */

export const MIN_EVERY_MINUTES = 5;
export const MAX_EVERY_MINUTES = 24 * 60;
export const MAX_LOOKBACK_MINUTES = 7 * 24 * 60;
const MAX_QUERY_LENGTH = 20_000;
const UNITS: Record<string, number> = { m: 1, h: 60, d: 24 * 60 };

/** `15m`, `1h`, `7d` (a whole number and a unit) in minutes. */
function duration(doc: Doc, e: Entry, what: string): number {
  const v = doc.scalar(e.value, what, e.valueLine);
  const m = typeof v === "string" ? /^(\d{1,5})([mhd])$/.exec(v.trim()) : null;
  if (!m) throw new RuleError(`${what} must be a duration like 15m, 1h or 1d`, e.valueLine, what);
  return Number(m[1]) * (UNITS[m[2] as string] as number);
}

function schedule(doc: Doc, keys: Map<string, Entry>, docLine: number) {
  const e = keys.get("schedule");
  if (!e) throw new RuleError('a scheduled rule needs "schedule: {every: …}"', docLine, "schedule");
  if (!isMap(e.value))
    throw new RuleError("schedule must be a mapping (every, lookback)", e.valueLine, "schedule");
  const entries = doc.entries(e.value, "schedule", e.valueLine);
  for (const x of entries)
    if (x.key !== "every" && x.key !== "lookback")
      throw new RuleError(`schedule: unknown key "${x.key}" (every, lookback)`, x.line, "schedule");
  const every = entries.find((x) => x.key === "every");
  if (!every) throw new RuleError('schedule needs "every"', e.valueLine, "schedule.every");
  const everyMinutes = duration(doc, every, "schedule.every");
  if (everyMinutes < MIN_EVERY_MINUTES || everyMinutes > MAX_EVERY_MINUTES)
    throw new RuleError(
      `schedule.every must be from ${MIN_EVERY_MINUTES}m to 24h`,
      every.valueLine,
      "schedule.every",
    );
  const lookback = entries.find((x) => x.key === "lookback");
  const lookbackMinutes = lookback ? duration(doc, lookback, "schedule.lookback") : everyMinutes;
  if (lookback && (lookbackMinutes < 1 || lookbackMinutes > MAX_LOOKBACK_MINUTES))
    throw new RuleError(
      "schedule.lookback must be from 1m to 7d",
      lookback.valueLine,
      "schedule.lookback",
    );
  return { everyMinutes, lookbackMinutes };
}

/** A scheduled rule document (it has `query`; `kind: scheduled` is optional). */
export function parseScheduled(
  doc: Doc,
  keys: Map<string, Entry>,
  meta: Meta,
  yaml: string,
  docLine: number,
): ScheduledRule {
  const kind = keys.get("kind");
  if (kind) {
    const v = doc.scalar(kind.value, "kind", kind.valueLine);
    if (v !== "scheduled")
      throw new RuleError('kind must be "scheduled" (or absent)', kind.valueLine, "kind");
  }
  const q = keys.get("query");
  if (!q) throw new RuleError('a scheduled rule needs "query"', docLine, "query");
  const query = doc.string(q.value, "query", q.valueLine).trim();
  if (query === "") throw new RuleError("query is empty", q.valueLine, "query");
  if (query.length > MAX_QUERY_LENGTH)
    throw new RuleError(
      `query is longer than ${MAX_QUERY_LENGTH} characters`,
      q.valueLine,
      "query",
    );
  const warnings = meta.warnings;
  try {
    const used = windowParams(query);
    if (!used.includes(":from"))
      warnings.push(
        `line ${q.valueLine}: the query does not use :from, so it reads beyond its lookback window`,
      );
  } catch (error) {
    if (error instanceof WindowParamError) throw new RuleError(error.message, q.valueLine, "query");
    throw error;
  }
  const g = keys.get("group-by");
  const groupBy = g ? doc.strings(g.value, "group-by", g.valueLine) : [];
  const { idLine: _, nameLine: __, warnings: ___, generate: ____, ...rest } = meta;
  return {
    kind: "scheduled",
    ...rest,
    query,
    ...schedule(doc, keys, docLine),
    groupBy,
    generate: true,
    yaml,
    warnings,
    processing: [],
  };
}
