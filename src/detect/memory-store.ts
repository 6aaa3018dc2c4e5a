import type { CorrelationAlert, CorrelationHit, CorrelationStore, WindowFiring } from "../ports";

/**
 * The correlation store in memory, with the D1 store's semantics (src/store/correlations.ts):
 * a hit is one per (rule, event), a second one of the same event joining its references; a
 * window is recorded once per (rule, group, start). `npm run rules:test` and the tests run
 * src/detect/correlate.ts over it.
 */

export interface Recorded {
  ruleId: string;
  group: string;
  window: WindowFiring;
  /** Whether it raised (or counted in) an alert: false for a correlation another one chains. */
  alerted: boolean;
  /** `now` of the evaluation that recorded it. */
  at: number;
}

const key = (...parts: (string | number)[]) => JSON.stringify(parts);

/** Two stored values of one event: temporal references are joined, else the first stays. */
function joined(old: string | null, added: string | null): string | null {
  if (old === null || added === null || !old.startsWith("[") || !added.startsWith("[")) return old;
  const refs = new Set([...(JSON.parse(old) as number[]), ...(JSON.parse(added) as number[])]);
  return JSON.stringify([...refs].sort((a, b) => a - b));
}

export class MemoryCorrelationStore implements CorrelationStore {
  /** By (rule, event): the hit and its group. */
  private readonly byEvent = new Map<string, { group: string; hit: CorrelationHit }>();
  private readonly windows = new Map<string, Recorded>();
  readonly recorded: Recorded[] = [];

  /** Stores a hit (detections row); false when the (rule, event) was there already. */
  add(ruleId: string, group: string, hit: CorrelationHit): boolean {
    const k = key(ruleId, hit.id);
    const had = this.byEvent.get(k);
    if (had) {
      had.hit = { ...had.hit, value: joined(had.hit.value, hit.value) };
      return false;
    }
    this.byEvent.set(k, { group, hit });
    return true;
  }

  private all(ruleId: string, group: string): CorrelationHit[] {
    const prefix = key(ruleId).slice(0, -1);
    return [...this.byEvent]
      .filter(([k, v]) => k.startsWith(`${prefix},`) && v.group === group)
      .map(([, v]) => v.hit);
  }

  async hits(ruleId: string, group: string, from: number, to: number, limit: number) {
    return this.all(ruleId, group)
      .filter((h) => h.time >= from && h.time < to)
      .sort((a, b) => a.time - b.time || (a.id < b.id ? -1 : 1))
      .slice(0, limit);
  }

  async decided(ruleId: string, group: string, from: number, to: number) {
    return new Set(
      this.recorded
        .filter((r) => r.ruleId === ruleId && r.group === group)
        .map((r) => r.window.start)
        .filter((s) => s >= from && s <= to),
    );
  }

  async groups(ruleId: string, from: number, to: number, limit: number) {
    const prefix = key(ruleId).slice(0, -1);
    const out = new Set<string>();
    for (const [k, v] of this.byEvent)
      if (k.startsWith(`${prefix},`) && v.hit.time >= from && v.hit.time < to) out.add(v.group);
    return [...out].slice(0, limit);
  }

  async fire(
    ruleId: string,
    group: string,
    windows: WindowFiring[],
    alert: CorrelationAlert | null,
    now: number,
  ) {
    const won: number[] = [];
    for (const w of windows) {
      const k = key(ruleId, group, w.start);
      if (this.windows.has(k)) continue;
      const r = { ruleId, group, window: w, alerted: alert !== null, at: now };
      this.windows.set(k, r);
      this.recorded.push(r);
      won.push(w.start);
      for (const c of w.chained)
        this.add(c.ruleId, c.group, { id: w.eventId, time: w.time, value: c.value });
    }
    return won;
  }
}
