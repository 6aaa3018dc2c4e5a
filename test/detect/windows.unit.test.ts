import { describe, expect, it } from "vitest";
import { countedValue, groupKey, thresholdOf, windowReached } from "../../src/detect/windows";

/** The correlation window model shared by production (its SQL mirrors it) and rules:test. */

const MIN = 60_000;
const hits = (times: number[], values?: (string | null)[]) =>
  times.map((t, i) => ({ time: t * MIN, value: values?.[i] ?? null }));

describe("correlation windows", () => {
  it("a late event completes the window it belongs to (any arrival order)", () => {
    const h = hits([1, 2, 3, 0]); // 0 arrives last
    expect(windowReached(h, 0, 5 * MIN, 4, false)).toBe(true);
    // The old model counted only the window ending at the arriving event: 1 hit.
    expect(h.filter((x) => x.time > 0 - 5 * MIN && x.time <= 0)).toHaveLength(1);
  });

  it("window edges: (end − span, end]: a hit exactly span before the end is outside", () => {
    expect(windowReached(hits([0, 5]), 5 * MIN, 5 * MIN, 2, false)).toBe(false);
    expect(windowReached(hits([0, 4.999]), 4.999 * MIN, 5 * MIN, 2, false)).toBe(true);
    // a hit far from t does not make t's window
    expect(windowReached(hits([0, 1, 20]), 20 * MIN, 5 * MIN, 2, false)).toBe(false);
  });

  it("value_count: distinct non-null values; a missing field is never a value", () => {
    const h = hits([0, 1, 2], ["a", null, null]);
    expect(windowReached(h, 2 * MIN, 5 * MIN, 2, true)).toBe(false);
    expect(windowReached(hits([0, 1], ["a", "b"]), MIN, 5 * MIN, 2, true)).toBe(true);
    expect([
      countedValue(undefined),
      countedValue(null),
      countedValue(""),
      countedValue(3),
    ]).toEqual([null, null, "", "3"]);
  });

  it("gte and gt together: both applied (the larger bound)", () => {
    expect(thresholdOf({ gte: 2, gt: 5 })).toBe(6);
    expect(thresholdOf({ gte: 7, gt: 5 })).toBe(7);
    expect(thresholdOf({ gt: 0 })).toBe(1);
  });

  it("group keys cannot collide: values holding | stay apart", () => {
    expect(groupKey(["a|b", "c"])).not.toBe(groupKey(["a", "b|c"]));
    expect(groupKey(["a", null])).not.toBe(groupKey(["a", ""]));
    expect(groupKey(["x@example.com"])).toBe("x@example.com");
    expect(groupKey([])).toBe("");
  });
});
