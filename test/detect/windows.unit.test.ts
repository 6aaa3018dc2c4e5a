import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  aggregate,
  countedValue,
  decideWindows,
  groupKey,
  groupValues,
  type Hit,
  holds,
  monotone,
  nearestRank,
  SETTLE_MS,
  type WindowSpec,
} from "../../src/detect/windows";

/** The correlation window model production and rules:test share (src/detect/windows.ts). */

const MIN = 60_000;
const END = Number.POSITIVE_INFINITY;
const hits = (times: number[], values?: (string | null)[]): Hit[] =>
  times.map((t, i) => ({ id: `e${i}`, time: t * MIN, value: values?.[i] ?? null }));
const spec = (type: WindowSpec["type"], condition: WindowSpec["condition"], minutes = 5) => ({
  type,
  timespanSeconds: minutes * 60,
  condition,
});
const starts = (s: WindowSpec, h: Hit[], now = END) =>
  decideWindows(s, h, now).map((w) => w.start / MIN);

describe("correlation windows", () => {
  it("windows are the maximal sets of hits within the timespan, whatever the arrival order", () => {
    const count3 = spec("event_count", { gte: 3 });
    expect(starts(count3, hits([1, 2, 3, 0]))).toEqual([0]); // 0 arrived last: completes [0, 5)
    expect(starts(count3, hits([0, 5, 6]))).toEqual([]); // (end − span) excluded: [0,5) holds 1
    expect(starts(count3, hits([0, 4.999, 4.9999]))).toEqual([0]);
    // [0,5) holds 0,1,2; [1,6) ⊂ [0,5); [2,7) holds 2,6: maximal; [6,11) ⊂ [2,7)
    expect(starts(spec("event_count", { gte: 2 }), hits([0, 1, 2, 6]))).toEqual([0, 2]);
  });

  it("a monotone condition fires at the hit that makes it; others only once closed", () => {
    const [w] = decideWindows(spec("event_count", { gte: 2 }), hits([0, 1, 2]), 0);
    expect(w).toMatchObject({ start: 0, time: MIN, eventId: "e1", hits: 3 });
    const lt = spec("event_count", { lt: 3 });
    expect(monotone(lt)).toBe(false);
    const two = hits([0, 1]);
    expect(starts(lt, two, 5 * MIN + SETTLE_MS - 1)).toEqual([]); // not closed yet
    expect(starts(lt, two, 5 * MIN + SETTLE_MS)).toEqual([0]);
    expect(starts(lt, hits([0, 1, 2]))).toEqual([]); // the maximal window holds 3
    expect(starts(spec("event_count", { eq: 3 }), hits([0, 1, 2, 9]))).toEqual([0]); // [9] holds 1
  });

  it("conditions: every bound holds; ranges; neq", () => {
    expect(holds({ gte: 2, gt: 5 }, 5)).toBe(false);
    expect(holds({ gte: 2, gt: 5 }, 6)).toBe(true);
    expect(holds({ gt: 100, lte: 200 }, 200)).toBe(true);
    expect(holds({ gt: 100, lte: 200 }, 201)).toBe(false);
    expect(holds({ neq: 3 }, 3)).toBe(false);
    expect(holds({ eq: 3 }, 3)).toBe(true);
  });

  it("aggregates: nulls and non-numbers are never values", () => {
    const h = hits([0, 1, 2, 3], ["a", null, "a", "b"]);
    expect(aggregate(spec("value_count", { gte: 1, field: "f" }), h)).toBe(2);
    const n = hits([0, 1, 2, 3], ["10", null, "x", "30"]);
    expect(aggregate(spec("value_sum", { gt: 0, field: "f" }), n)).toBe(40);
    expect(aggregate(spec("value_avg", { gt: 0, field: "f" }), n)).toBe(20);
    expect(aggregate(spec("value_avg", { gt: 0, field: "f" }), hits([0], [null]))).toBeNull();
    expect(nearestRank([15, 20, 35, 40, 50], 30)).toBe(20);
    expect(nearestRank([15, 20, 35, 40, 50], 50)).toBe(35);
    expect(nearestRank([15, 20, 35, 40, 50], 100)).toBe(50);
    expect(countedValue(undefined)).toBeNull();
    expect(countedValue("")).toBe("");
  });

  it("temporal: distinct referenced rules; temporal_ordered: in the listed order", () => {
    const refs = (times: number[], r: number[][]) =>
      hits(
        times,
        r.map((x) => JSON.stringify(x)),
      );
    const all3 = { gte: 3 };
    expect(starts(spec("temporal", all3), refs([0, 1, 2], [[2], [0], [1]]))).toEqual([0]);
    expect(starts(spec("temporal_ordered", all3), refs([0, 1, 2], [[2], [0], [1]]))).toEqual([]);
    expect(
      starts(spec("temporal_ordered", all3), refs([0, 1, 2, 3], [[2], [0], [1], [2]])),
    ).toEqual([0]);
    expect(starts(spec("temporal", all3), refs([0, 1, 9], [[0], [1], [2]]))).toEqual([]);
  });

  it("group keys cannot collide and decode back", () => {
    expect(groupKey(["a|b", "c"])).not.toBe(groupKey(["a", "b|c"]));
    expect(groupKey(["a", null])).not.toBe(groupKey(["a", ""]));
    expect(groupKey(["x@example.com"])).toBe("x@example.com");
    expect(groupValues(groupKey(["a|b", null]), 2)).toEqual(["a|b", null]);
    expect(groupValues(groupKey(["u"]), 1)).toEqual(["u"]);
  });

  it("property: the windows that fire never depend on the hits' order", () => {
    const types = fc.constantFrom(
      spec("event_count", { gte: 3 }),
      spec("event_count", { gt: 1, lte: 3 }),
      spec("value_count", { gte: 2, field: "f" }),
      spec("value_sum", { gt: 5, field: "f" }),
      spec("value_avg", { lt: 3, field: "f" }),
      spec("value_percentile", { gte: 4, field: "f", percentile: 90 }),
    );
    const hit = fc.record({
      time: fc.integer({ min: 0, max: 30 }),
      value: fc.option(fc.constantFrom("1", "2", "5", "x"), { nil: null }),
    });
    fc.assert(
      fc.property(types, fc.array(hit, { maxLength: 25 }), fc.nat(), (s, raw, seed) => {
        const h = raw.map((x, i) => ({ id: `e${i}`, time: x.time * MIN, value: x.value }));
        const shuffled = [...h].sort(
          (a, b) => ((a.time * 31 + seed) % 7) - ((b.time * 31 + seed) % 7),
        );
        expect(decideWindows(s, shuffled, END)).toEqual(decideWindows(s, h, END));
      }),
    );
  });
});
