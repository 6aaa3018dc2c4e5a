/**
 * The correlation window model (docs/detections.md), one for production and `npm run
 * rules:test`: the SQL of src/store/alerts.ts (THRESHOLD) is this function over the stored
 * detections, and scripts/rules-test.mjs calls it directly.
 *
 * A correlation counts the hits of one group (its group-by values) in a window of `timespan`.
 * A hit at time t belongs to every window (e − span, e] with e in [t, t + span); the hit
 * completes a window when one of those holds `min` hits (event_count) or `min` distinct
 * non-null values (value_count). Windows are anchored on hit times, so the answer does not
 * depend on the order the hits arrived in: a late event completes the window it belongs to.
 */

export interface Hit {
  time: number;
  /** value_count: the counted field's value as text; null when missing (never counted). */
  value: string | null;
}

/** A counted value as stored: text, null when missing or null (never counted). */
export function countedValue(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  return typeof v === "string" ? v : JSON.stringify(v);
}

/** The count a correlation must reach: gte and gt both applied (the larger bound wins). */
export function thresholdOf(condition: { gte?: number; gt?: number }): number {
  const fromGt = condition.gt === undefined ? 0 : condition.gt + 1;
  return Math.max(1, condition.gte ?? 0, fromGt);
}

/**
 * A group key that cannot collide: one field's text as it is (null and missing as ""),
 * several fields as a JSON array (values holding `|` or `,` stay apart).
 */
export function groupKey(values: readonly unknown[]): string {
  const texts = values.map((v) =>
    v === undefined || v === null ? null : typeof v === "string" ? v : JSON.stringify(v),
  );
  if (texts.length === 0) return "";
  if (texts.length === 1) return texts[0] ?? "";
  return JSON.stringify(texts);
}

/** Whether a window holding the hit at `t` reaches `min` (see above). `hits` includes it. */
export function windowReached(
  hits: readonly Hit[],
  t: number,
  spanMs: number,
  min: number,
  distinct: boolean,
): boolean {
  for (const end of hits) {
    if (end.time < t || end.time >= t + spanMs) continue;
    const inside = hits.filter((h) => h.time > end.time - spanMs && h.time <= end.time);
    const n = distinct
      ? new Set(inside.flatMap((h) => (h.value === null ? [] : [h.value]))).size
      : inside.length;
    if (n >= min) return true;
  }
  return false;
}
