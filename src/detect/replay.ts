import type { SourceRef } from "../model/view";
import {
  correlate,
  hitOf,
  indexCorrelations,
  referencesOf,
  unionRefs,
  type Work,
} from "./correlate";
import { fieldValue } from "./field-path";
import { MemoryCorrelationStore, type Recorded } from "./memory-store";
import type { CorrelationRule, DetectionRule, Row, Rule } from "./types";

/**
 * Correlations over a list of events in arrival order, with production's evaluation
 * (src/detect/correlate.ts) over the memory store: `npm run rules:test` and the tests. Each
 * event is matched by the detection rules (logsource aside: the caller gives one source's
 * events), its correlation hits stored, and the windows holding them decided with the clock at
 * the latest event time seen (upper-bound windows close as event time passes). After the last
 * event the clock runs to the end, deciding every window still open.
 */

export interface ReplayEvent {
  id: string;
  /** Epoch milliseconds. */
  time: number;
  row: Row;
  /**
   * The event's source, when known (a backtest over stored rows): a rule then counts it only
   * as production would (reachable, logsource product and service), as `matchRows` does.
   */
  source?: SourceRef;
}

const applies = (d: DetectionRule, source: SourceRef | undefined) =>
  source === undefined ||
  (d.reachable &&
    (d.product === null || d.product === source.type) &&
    (d.service === null || d.service === source.id));

export type Fired = Recorded & {
  /** The index of the event whose arrival decided it (the last event: at the end). */
  arrival: number;
};

export async function replayCorrelations(
  rules: readonly Rule[],
  events: readonly ReplayEvent[],
): Promise<Fired[]> {
  const detections = rules.filter((r): r is DetectionRule => r.kind === "detection");
  const index = indexCorrelations(
    rules.filter((r): r is CorrelationRule => r.kind === "correlation"),
  );
  const store = new MemoryCorrelationStore();
  const out: Fired[] = [];
  let clock = Number.NEGATIVE_INFINITY;
  const collect = (arrival: number) => {
    for (const r of store.recorded.slice(out.length)) out.push({ ...r, arrival });
  };
  for (const [i, e] of events.entries()) {
    clock = Math.max(clock, e.time);
    const counted = new Map<CorrelationRule, number[]>();
    for (const d of detections)
      if (applies(d, e.source) && d.match(e.row))
        for (const [c, refs] of referencesOf(index, d))
          counted.set(c, unionRefs(counted.get(c) ?? [], refs));
    const work: Work[] = [];
    for (const [c, refs] of counted) {
      const hit = hitOf(c, refs, (f) => fieldValue(e.row, f));
      store.add(c.id, hit.group, { id: e.id, time: e.time, value: hit.value });
      work.push({ rule: c, group: hit.group, from: e.time - c.timespanSeconds * 1000, to: e.time });
    }
    // What the cron would decide as the clock passes, then what this event's commit decides.
    for (const c of index.byId.values())
      for (const group of await store.groups(c.id, Number.NEGATIVE_INFINITY, clock + 1, Infinity))
        work.push({ rule: c, group, from: Number.NEGATIVE_INFINITY, to: clock });
    await correlate(index, store, work, clock);
    collect(i);
  }
  const rest: Work[] = [];
  for (const c of index.byId.values())
    for (const group of await store.groups(c.id, Number.NEGATIVE_INFINITY, Infinity, Infinity))
      rest.push({ rule: c, group, from: Number.NEGATIVE_INFINITY, to: Number.POSITIVE_INFINITY });
  await correlate(index, store, rest, Number.POSITIVE_INFINITY);
  collect(events.length - 1);
  return out;
}
