/**
 * The correlation window model (docs/detections.md), the one production and `npm run
 * rules:test` run: src/detect/correlate.ts calls decideWindows over the hits a store returns
 * (D1 in production, memory in rules:test and the tests).
 *
 * A correlation's hits are grouped by its group-by values. Its windows are the maximal sets of
 * one group's hits that fit in `timespan`: for each hit time s, the hits in [s, s + span),
 * kept when no earlier hit's window holds them all. A window is identified by its start s (its
 * first hit) and fires when its aggregate satisfies the condition. The windows depend only on
 * the hits, never on the order they arrived in: a late hit completes the window it belongs to.
 *
 * When a window is decided:
 * - A monotone condition (a count type with only lower bounds: more hits can only keep it
 *   true) fires as soon as the known hits satisfy it, at the hit that made them.
 * - Any other (an upper bound lt/lte/eq, neq, value_sum/avg/percentile) only once the window
 *   has closed: now ≥ start + span + SETTLE_MS, late hits having had SETTLE_MS to arrive.
 */
import type { CorrelationCondition, CorrelationType } from "./types";

/** The most hits of one group an evaluation reads (and a count condition may ask for). */
export const MAX_GROUP_HITS = 1000;
/** How long after a window's end an upper-bound condition waits for late hits. */
export const SETTLE_MS = 5 * 60_000;
/** Event ids an alert lists. */
const LISTED = 20;

export interface Hit {
  /** The event (or, chained, the event that completed the referenced correlation's window). */
  id: string;
  time: number;
  /**
   * As stored: value_*: the field's value as text (null: missing, never counted); temporal
   * types: the indexes of the referenced rules the hit matched, as a JSON array.
   */
  value: string | null;
}

export interface WindowSpec {
  type: CorrelationType;
  timespanSeconds: number;
  condition: CorrelationCondition;
}

export interface FiredWindow {
  /** The window's first hit time: with the rule and group, its identity. */
  start: number;
  /** When it fired: the hit that made a monotone condition hold, else its last hit. */
  time: number;
  eventId: string;
  /** Its hits' event ids, the first LISTED. */
  eventIds: string[];
  hits: number;
  /** The aggregate the condition held for. */
  value: number;
}

/** A counted value as stored: text, null when missing or null (never counted). */
export function countedValue(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  return typeof v === "string" ? v : JSON.stringify(v);
}

/**
 * A group key that cannot collide: one field's text as it is (null and missing as ""),
 * several fields as a JSON array (values holding `|` or `,` stay apart).
 */
export function groupKey(values: readonly unknown[]): string {
  const texts = values.map(countedValue);
  if (texts.length === 0) return "";
  if (texts.length === 1) return texts[0] ?? "";
  return JSON.stringify(texts);
}

/** A group key's values, field by field (groupKey's inverse; "" of one field is null). */
export function groupValues(key: string, fields: number): (string | null)[] {
  if (fields === 0) return [];
  if (fields === 1) return [key === "" ? null : key];
  const parsed: unknown = JSON.parse(key);
  return Array.isArray(parsed) ? parsed.map((v) => (typeof v === "string" ? v : null)) : [];
}

type Bound = "gt" | "gte" | "lt" | "lte" | "eq" | "neq";
const BOUND_TESTS: Record<Bound, (x: number, b: number) => boolean> = {
  gt: (x, b) => x > b,
  gte: (x, b) => x >= b,
  lt: (x, b) => x < b,
  lte: (x, b) => x <= b,
  eq: (x, b) => x === b,
  neq: (x, b) => x !== b,
};

/** Every bound of the condition holds for x (a range is several bounds). */
export function holds(c: CorrelationCondition, x: number): boolean {
  return (Object.keys(BOUND_TESTS) as Bound[]).every((k) => {
    const b = c[k];
    return b === undefined || BOUND_TESTS[k](x, b);
  });
}

/** Whether more hits can only keep the condition true: decided at once, not at close. */
export function monotone(spec: WindowSpec): boolean {
  const c = spec.condition;
  const counting = ["event_count", "value_count", "temporal", "temporal_ordered"];
  return counting.includes(spec.type) && [c.lt, c.lte, c.eq, c.neq].every((b) => b === undefined);
}

const numberOf = (v: string | null): number | null => {
  if (v === null || v.trim() === "") return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
};

function refsOf(v: string | null): number[] {
  try {
    const parsed: unknown = JSON.parse(v ?? "[]");
    return Array.isArray(parsed) ? parsed.filter((r) => Number.isInteger(r)) : [];
  } catch {
    return [];
  }
}

/** Nearest-rank percentile: the smallest value with at least p% of the values ≤ it. */
export function nearestRank(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] ?? null;
}

/** Adds hits one by one in time order; `value()` is the aggregate so far (null: none yet). */
interface Accumulator {
  add(h: Hit): void;
  value(): number | null;
}

function accumulator(spec: WindowSpec): Accumulator {
  let n = 0;
  let sum = 0;
  const xs: number[] = [];
  const seen = new Set<string | number>();
  const numeric = (h: Hit) => {
    const x = numberOf(h.value);
    if (x === null) return;
    n++;
    sum += x;
    xs.push(x);
  };
  switch (spec.type) {
    case "event_count":
      return { add: () => void n++, value: () => n };
    case "value_count":
      return { add: (h) => void (h.value !== null && seen.add(h.value)), value: () => seen.size };
    case "value_sum":
      return { add: numeric, value: () => (n === 0 ? null : sum) };
    case "value_avg":
      return { add: numeric, value: () => (n === 0 ? null : sum / n) };
    case "value_percentile":
      return { add: numeric, value: () => nearestRank(xs, spec.condition.percentile ?? 50) };
    case "temporal":
      return {
        add: (h) => {
          for (const r of refsOf(h.value)) seen.add(r);
        },
        value: () => seen.size,
      };
    case "temporal_ordered":
      // The longest prefix of `rules` seen in order (ties in time count as in order); one hit
      // advances one step.
      return { add: (h) => void (refsOf(h.value).includes(n) && n++), value: () => n };
  }
}

/** The aggregate of a window's hits (null: nothing to compare, e.g. no numeric value). */
export function aggregate(spec: WindowSpec, hits: readonly Hit[]): number | null {
  const acc = accumulator(spec);
  for (const h of [...hits].sort(byTime)) acc.add(h);
  return acc.value();
}

const byTime = (a: Hit, b: Hit) => a.time - b.time || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

function fired(inside: Hit[], value: number, at: Hit): FiredWindow {
  return {
    start: (inside[0] as Hit).time,
    time: at.time,
    eventId: at.id,
    eventIds: inside.slice(0, LISTED).map((h) => h.id),
    hits: inside.length,
    value,
  };
}

/**
 * The windows of one group's hits that fire by `now` (see above), whose start is in
 * [from, to]. For an exact answer `hits` holds every hit in [from − span, to + span).
 */
export function decideWindows(
  spec: WindowSpec,
  hits: readonly Hit[],
  now: number,
  from = Number.NEGATIVE_INFINITY,
  to = Number.POSITIVE_INFINITY,
): FiredWindow[] {
  const span = spec.timespanSeconds * 1000;
  const sorted = [...new Map(hits.map((h) => [h.id, h])).values()].sort(byTime);
  const early = monotone(spec);
  const out: FiredWindow[] = [];
  let end = 0;
  for (let i = 0; i < sorted.length; i++) {
    const s = (sorted[i] as Hit).time;
    const previous = i > 0 ? (sorted[i - 1] as Hit).time : null;
    if (previous === s) continue; // one window per start time
    while (end < sorted.length && (sorted[end] as Hit).time < s + span) end++;
    const inside = sorted.slice(i, end);
    const last = (inside[inside.length - 1] as Hit).time;
    // Not maximal: the previous start's window holds every hit of this one.
    if (previous !== null && previous + span > last) continue;
    if (s < from || s > to) continue;
    if (!early && now < s + span + SETTLE_MS) continue;
    const acc = accumulator(spec);
    for (const h of inside) {
      acc.add(h);
      const value = early || h === inside[inside.length - 1] ? acc.value() : null;
      if (value !== null && holds(spec.condition, value)) {
        out.push(fired(inside, value, h));
        break;
      }
    }
  }
  return out;
}
