import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { ruleRow } from "../../src/catalog";
import { BACKTEST_LIMITS, backtest } from "../../src/detect/backtest";
import { parseRulesOr400 } from "../../src/detect/ruleset";
import { type KeyedRow, queryLogs } from "../../src/store/query";
import { call, type Json, push, QUERY_TOKEN, tpEvent } from "../helpers";

/** POST /v1/rules/test with `from`/`to`: a backtest over stored rows (docs/detections.md). */

const T0 = Date.UTC(2025, 5, 1);
const MIN = 60_000;
const iso = (t: number) => new Date(t).toISOString();

const DETECTION = `title: Backtest key created
id: bt-key-created
name: bt_key_created
status: experimental
level: high
logsource:
  product: turbopuffer
detection:
  selection:
    eventName: api-key-created
  condition: selection
dedupMinutes: 60
`;

const CORRELATION = `${DETECTION}---
title: Backtest key burst
id: bt-key-burst
status: experimental
correlation:
  type: event_count
  rules:
    - bt_key_created
  group-by:
    - eventName
  timespan: 10m
  condition:
    gte: 3
level: high
`;

const test = (body: Json) =>
  call("/v1/rules/test", {
    method: "POST",
    headers: { authorization: `Bearer ${QUERY_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });

type Backtest = {
  scanned: number;
  truncated: boolean;
  scannedThrough: string | null;
  durationMs: number;
  matches: Record<string, number>;
  alertCount: number;
  alerts: Json[];
  sample: Array<{ ruleIds: string[]; event: Json }>;
};

const backtestOf = async (res: Response) => {
  const body = (await res.json()) as { backtest: Backtest; results?: unknown; warnings: string[] };
  expect(res.status, JSON.stringify(body)).toBe(200);
  expect(body.results).toBeUndefined();
  return body.backtest;
};

// Keys created at minutes 0, 1, 2 (a burst), 30 and 90 of the range; noise at 5; one key an
// hour before the range and one three hours into it (the range is two hours).
const KEYS = [0, 1, 2, 30, 90];
beforeAll(async () => {
  const events = [
    ...KEYS.map((m, i) => ({ ...tpEvent(80_000 + i, T0 + m * MIN), action: "api-key-created" })),
    tpEvent(80_010, T0 + 5 * MIN),
    { ...tpEvent(80_011, T0 - 60 * MIN), action: "api-key-created" },
    { ...tpEvent(80_012, T0 + 180 * MIN), action: "api-key-created" },
  ];
  const res = await push("turbopuffer", JSON.stringify(events));
  expect(await res.json()).toMatchObject({ inserted: events.length });
});

const RANGE = { from: iso(T0), to: iso(T0 + 120 * MIN) };

describe("POST /v1/rules/test: backtest over a range", () => {
  it("counts a detection rule's matches in the range, folds them into alerts as dedup would, samples them", async () => {
    const b = await backtestOf(await test({ rule: DETECTION, ...RANGE }));
    expect(b).toMatchObject({
      scanned: 6,
      truncated: false,
      scannedThrough: iso(T0 + 90 * MIN),
      matches: { "bt-key-created": 5 },
      alertCount: 2,
    });
    expect(b.durationMs).toBeGreaterThanOrEqual(0);
    // dedupMinutes 60: minutes 0, 1, 2, 30 are one alert; 90 opens another.
    expect(b.alerts).toEqual([
      {
        ruleId: "bt-key-created",
        group: expect.any(String),
        firstSeen: iso(T0),
        lastSeen: iso(T0 + 30 * MIN),
        count: 4,
      },
      {
        ruleId: "bt-key-created",
        group: expect.any(String),
        firstSeen: iso(T0 + 90 * MIN),
        lastSeen: iso(T0 + 90 * MIN),
        count: 1,
      },
    ]);
    expect(b.sample).toHaveLength(5);
    for (const s of b.sample) {
      expect(s.ruleIds).toEqual(["bt-key-created"]);
      expect(s.event).toMatchObject({ eventName: "api-key-created", sourceType: "turbopuffer" });
    }
    expect(b.sample.map((s) => s.event.eventTime)).toEqual(KEYS.map((m) => iso(T0 + m * MIN)));
  });

  it("a narrower range counts only its rows", async () => {
    const b = await backtestOf(
      await test({ rule: DETECTION, from: iso(T0 + MIN), to: iso(T0 + 30 * MIN) }),
    );
    expect(b).toMatchObject({ scanned: 3, matches: { "bt-key-created": 2 }, alertCount: 1 });
  });

  it("a correlation: the windows that fire in the range and the alert they raise", async () => {
    const b = await backtestOf(await test({ rule: CORRELATION, ...RANGE }));
    expect(b.matches["bt-key-created"]).toBe(5);
    expect(b.matches["bt-key-burst"]).toBeGreaterThanOrEqual(1);
    const burst = b.alerts.filter((a) => a.ruleId === "bt-key-burst");
    expect(burst).toEqual([
      expect.objectContaining({ ruleId: "bt-key-burst", firstSeen: iso(T0 + 2 * MIN) }),
    ]);
    // Only two keys inside the range before minute 2: the key an hour earlier is not counted.
    const early = await backtestOf(
      await test({ rule: CORRELATION, from: iso(T0 + MIN), to: iso(T0 + 120 * MIN) }),
    );
    expect(early.matches["bt-key-burst"]).toBe(0);
    expect(early.alerts.filter((a) => a.ruleId === "bt-key-burst")).toEqual([]);
  });

  it("the bound on rows read stops the scan and says so", async () => {
    const rules = parseRulesOr400(DETECTION, []);
    const read = (after: KeyedRow | undefined, limit: number) =>
      queryLogs(env.DB, {
        sourceType: "turbopuffer",
        from: T0,
        to: T0 + 120 * MIN,
        timeField: "eventTime",
        order: "asc",
        limit,
        after: after && { t: after.eventTime, key: after.key },
      });
    const cut = await backtest(rules, read, ruleRow, {
      ...BACKTEST_LIMITS,
      page: 2,
      maxScanned: 3,
    });
    expect(cut).toMatchObject({
      scanned: 3,
      truncated: true,
      scannedThrough: T0 + 2 * MIN,
      matches: { "bt-key-created": 3 },
    });
    const exact = await backtest(rules, read, ruleRow, {
      ...BACKTEST_LIMITS,
      page: 2,
      maxScanned: 6,
    });
    expect(exact).toMatchObject({ scanned: 6, truncated: false });
    const sampled = await backtest(rules, read, ruleRow, { ...BACKTEST_LIMITS, sample: 2 });
    expect(sampled.sample).toHaveLength(2);
  });

  it("the pasted-events form is unchanged", async () => {
    const res = await test({
      rule: DETECTION,
      events: [{ eventName: "api-key-created", sourceType: "turbopuffer" }],
    });
    const body = (await res.json()) as Json;
    expect(res.status).toBe(200);
    expect(body).toMatchObject({
      results: [{ index: 0, matches: [{ ruleId: "bt-key-created" }] }],
    });
    expect(body.backtest).toBeUndefined();
  });

  it("400s: both forms, neither, half a range, an empty range, bad times", async () => {
    const cases: Array<[Json, RegExp]> = [
      [{ rule: DETECTION, events: [], ...RANGE }, /"events" and "from"\/"to" exclude each other/],
      [{ rule: DETECTION }, /"events".*or "from" and "to"/],
      [{ rule: DETECTION, from: RANGE.from }, /"to" is required/],
      [{ rule: DETECTION, to: RANGE.to }, /"from" is required/],
      [{ rule: DETECTION, from: RANGE.to, to: RANGE.from }, /"from" must be before "to"/],
      [{ rule: DETECTION, from: "yesterday", to: RANGE.to }, /"from".*ISO-8601/],
      [{ rule: DETECTION, from: RANGE.from, to: "2999-01-01T00:00:00Z" }, /"to".*ISO-8601/],
    ];
    for (const [body, message] of cases) {
      const res = await test(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(((await res.json()) as { error: Json }).error).toMatchObject({
        code: "invalid_parameter",
        message: expect.stringMatching(message),
      });
    }
  });
});
