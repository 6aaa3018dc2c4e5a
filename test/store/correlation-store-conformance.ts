import { describe, expect, it } from "vitest";
import type {
  CorrelationAlert,
  CorrelationHit,
  CorrelationStore,
  WindowFiring,
} from "../../src/ports";

/**
 * The CorrelationStore port's one conformance suite (as test/store/ports-conformance.ts is the
 * state ports'): every backend runs it. D1 (src/store/correlations.ts) in
 * test/store/correlations.test.ts, memory (src/detect/memory-store.ts, what `npm run rules:test`
 * and the engine's tests use) in test/detect/memory-store.unit.test.ts, so the model the tests
 * trust behaves as production's store does.
 */
export interface CorrelationBackend {
  store: CorrelationStore;
  /** Stores a hit as a commit does (a `detections` row of the correlation). */
  addHit(ruleId: string, group: string, hit: CorrelationHit): Promise<void>;
  /** Windows of `ruleId` that raised (or counted in) an alert. */
  alertsRaised(ruleId: string): Promise<number>;
}

const T = Date.UTC(2026, 11, 1);
const window = (start: number, chained: WindowFiring["chained"] = []): WindowFiring => ({
  start,
  time: start + 1000,
  eventId: `ev-${start}`,
  eventIds: [`ev-${start}`],
  hits: 3,
  chained,
});
const ALERT: Omit<CorrelationAlert, "ruleId"> = {
  title: "many logins",
  level: "high",
  dedupMinutes: 0,
  destinations: null,
  sourceID: null,
};

export function describeCorrelationStoreConformance(
  name: string,
  make: () => Promise<CorrelationBackend> | CorrelationBackend,
) {
  let n = 0;
  /** A rule id of its own per test: backends may share storage between tests. */
  const rule = () => `conf-${name}-${++n}`.replace(/[^\w-]/g, "-");

  describe(`CorrelationStore conformance: ${name}`, () => {
    it("hits: one group's, in [from, to), by time then id, at most limit", async () => {
      const b = await make();
      const r = rule();
      for (const [id, t, g] of [
        ["b", T + 2000, "g1"],
        ["a", T + 2000, "g1"],
        ["c", T + 1000, "g1"],
        ["d", T + 5000, "g1"],
        ["x", T + 1500, "g2"],
      ] as const)
        await b.addHit(r, g, { id, time: t, value: id === "c" ? null : `v-${id}` });
      await b.addHit(`${r}-other`, "g1", { id: "z", time: T + 1200, value: null });
      const hits = await b.store.hits(r, "g1", T + 1000, T + 5000, 10);
      expect(hits).toEqual([
        { id: "c", time: T + 1000, value: null },
        { id: "a", time: T + 2000, value: "v-a" },
        { id: "b", time: T + 2000, value: "v-b" },
      ]);
      expect((await b.store.hits(r, "g1", T, T + 10_000, 2)).map((h) => h.id)).toEqual(["c", "a"]);
    });

    it("groups: distinct groups with a hit in [from, to), at most limit", async () => {
      const b = await make();
      const r = rule();
      await b.addHit(r, "g1", { id: "a", time: T, value: null });
      await b.addHit(r, "g1", { id: "b", time: T + 10, value: null });
      await b.addHit(r, '["x","y|z"]', { id: "c", time: T + 20, value: null });
      await b.addHit(r, "late", { id: "d", time: T + 60_000, value: null });
      expect((await b.store.groups(r, T, T + 30_000, 10)).sort()).toEqual(['["x","y|z"]', "g1"]);
      expect(await b.store.groups(r, T, T + 30_000, 1)).toHaveLength(1);
    });

    it("fire: a window is recorded once however many callers race; decided lists it", async () => {
      const b = await make();
      const r = rule();
      const alert = { ...ALERT, ruleId: r };
      const [first, second, third] = await Promise.all([
        b.store.fire(r, "g", [window(T), window(T + 60_000)], alert, T + 120_000),
        b.store.fire(r, "g", [window(T)], alert, T + 120_000),
        b.store.fire(r, "g", [window(T + 60_000)], alert, T + 120_000),
      ]);
      expect([...(first ?? []), ...(second ?? []), ...(third ?? [])].sort()).toEqual([
        T,
        T + 60_000,
      ]);
      expect(await b.store.fire(r, "g", [window(T)], alert, T + 180_000)).toEqual([]);
      expect([...(await b.store.decided(r, "g", T, T + 60_000))].sort()).toEqual([T, T + 60_000]);
      expect([...(await b.store.decided(r, "g", T + 1, T + 60_000))]).toEqual([T + 60_000]);
      expect((await b.store.decided(r, "other", T, T + 60_000)).size).toBe(0);
      expect(await b.alertsRaised(r)).toBeGreaterThanOrEqual(1);
    });

    it("fire: a chained window becomes a hit of the correlation over it, once", async () => {
      const b = await make();
      const inner = rule();
      const outer = `${inner}-outer`;
      const chained = [{ ruleId: outer, group: "user-1", value: null }];
      expect(await b.store.fire(inner, "user-1", [window(T, chained)], null, T)).toEqual([T]);
      expect(await b.store.fire(inner, "user-1", [window(T, chained)], null, T)).toEqual([]);
      expect(await b.store.hits(outer, "user-1", T, T + 10_000, 10)).toEqual([
        { id: `ev-${T}`, time: T + 1000, value: null },
      ]);
      expect(await b.alertsRaised(inner)).toBe(0);
    });
  });
}
