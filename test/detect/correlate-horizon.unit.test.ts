import { describe, expect, it } from "vitest";
import { correlate, indexCorrelations, WINDOW_HORIZON_MS } from "../../src/detect/correlate";
import { MemoryCorrelationStore } from "../../src/detect/memory-store";
import type { CorrelationRule } from "../../src/detect/sigma";
import { parse } from "./helpers";

/**
 * Production decides no window that closed more than WINDOW_HORIZON_MS ago (what lets the
 * retention job delete such windows' rows): a hit that late is stored and completes nothing.
 */
const [, rule] = parse(`title: login
id: login
name: login
logsource: { product: turbopuffer }
detection:
  selection: { eventName: session-created }
  condition: selection
---
title: logins
id: logins
correlation:
  type: event_count
  rules: [login]
  group-by: [srcIP]
  timespan: 10m
  condition: { gte: 2 }
`) as [unknown, CorrelationRule];
const index = indexCorrelations([rule]);
const DAY = 86_400_000;

async function fired(ageMs: number, horizon?: number): Promise<number> {
  const now = Date.UTC(2026, 11, 1);
  const store = new MemoryCorrelationStore();
  const t = now - ageMs;
  store.add("logins", "ana", { id: "e1", time: t, value: null });
  store.add("logins", "ana", { id: "e2", time: t + 1000, value: null });
  const work = [{ rule, group: "ana", from: t - 600_000, to: t + 1000 }];
  return correlate(index, store, work, now, null, horizon);
}

describe("the evaluation horizon", () => {
  it("a window that closed within the horizon fires; one that closed before it does not", async () => {
    expect(await fired(WINDOW_HORIZON_MS - DAY, WINDOW_HORIZON_MS)).toBe(1);
    expect(await fired(WINDOW_HORIZON_MS + DAY, WINDOW_HORIZON_MS)).toBe(0);
  });

  it("without one (backtests, npm run rules:test) any window is decided", async () => {
    expect(await fired(WINDOW_HORIZON_MS + 400 * DAY)).toBe(1);
  });
});
