import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { WINDOW_HORIZON_MS } from "../../src/detect/correlate";
import worker from "../../src/index";
import { MAX_WINDOWS_PER_RUN, RETENTION_CRON } from "../../src/retention";
import { ADMIN_TOKEN, call, count } from "../helpers";

/**
 * The correlation windows' upkeep (issue 25): a window whose commit died before its evaluation
 * is decided by the every-minute cron, lower bounds too; and recorded windows no evaluation
 * reads any more are deleted by the hourly retention job, bounded per run.
 */

const MIN = 60_000;
const DAY = 86_400_000;

type Scheduled = { scheduled: (c: ScheduledController, e: Env) => Promise<void> };
/** A cron tick as Cloudflare fires it; the test sources' pollers get a 404 instead of the net. */
async function tick(scheduledTime: number, cron = "* * * * *"): Promise<void> {
  await (worker as unknown as Scheduled).scheduled(
    createScheduledController({ scheduledTime, cron }),
    env,
  );
}

const putRule = async (id: string, yaml: string) => {
  const res = await call(`/v1/rules/${id}`, {
    method: "PUT",
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/yaml" },
    body: yaml,
  });
  expect(res.status).toBe(201);
};

const BURST = `title: session
id: tp-session
name: tp_session
logsource: { product: turbopuffer }
detection:
  selection: { eventName: session-created }
  condition: selection
---
title: session burst
id: tp-session-burst
correlation:
  type: event_count
  rules: [tp_session]
  group-by: [actorId]
  timespan: 10m
  condition: { gte: 3 }
level: high
`;

/** A correlation hit as a commit stores it (the `detections` row), without its evaluation. */
const hit = (ruleId: string, group: string, eventId: string, time: number) =>
  env.DB.prepare(
    "INSERT INTO detections (ruleId, eventId, dedupKey, value, eventTime, commitId) VALUES (?1, ?2, ?3, NULL, ?4, 'died-before-evaluation')",
  )
    .bind(ruleId, eventId, group, time)
    .run();

describe("a lower-bound window whose commit died before its evaluation", () => {
  it("is decided by the next cron tick: exactly one alert, also from two concurrent ticks", async () => {
    await putRule("tp-session-burst", BURST);
    const now = Date.now();
    for (const [i, t] of [now - 4 * MIN, now - 3 * MIN, now - 2 * MIN].entries())
      await hit("tp-session-burst", "actor-crashed", `evt-crashed-${i}`, t);
    const alerts = () =>
      count(
        "SELECT count(*) AS n FROM alerts WHERE ruleId = 'tp-session-burst' AND dedupKey = 'actor-crashed'",
      );
    expect(await alerts()).toBe(0);

    const offline = vi
      .spyOn(globalThis, "fetch")
      .mockImplementation(async () => new Response(null, { status: 404 }));
    try {
      await Promise.all([tick(now), tick(now)]);
      expect(await alerts()).toBe(1);
      expect(
        await count(
          "SELECT count(*) AS n FROM correlation_windows WHERE ruleId = 'tp-session-burst' AND dedupKey = 'actor-crashed'",
        ),
      ).toBe(1);
      // Later ticks decide nothing again.
      await tick(now + MIN);
      const alert = await env.DB.prepare(
        "SELECT count, eventIds FROM alerts WHERE ruleId = 'tp-session-burst'",
      ).first<{ count: number; eventIds: string }>();
      expect(alert?.count).toBe(1);
      expect(JSON.parse(String(alert?.eventIds))).toEqual([
        "evt-crashed-0",
        "evt-crashed-1",
        "evt-crashed-2",
      ]);
    } finally {
      offline.mockRestore();
    }
  });

  it("below the threshold nothing fires, and a hit older than the sweep's reach waits for its group's next hit", async () => {
    const now = Date.now();
    await hit("tp-session-burst", "actor-two", "evt-two-0", now - 3 * MIN);
    await hit("tp-session-burst", "actor-two", "evt-two-1", now - 2 * MIN);
    for (const [i, t] of [now - 40 * MIN, now - 39 * MIN, now - 38 * MIN].entries())
      await hit("tp-session-burst", "actor-old", `evt-old-${i}`, t);
    const offline = vi
      .spyOn(globalThis, "fetch")
      .mockImplementation(async () => new Response(null, { status: 404 }));
    try {
      await tick(now);
    } finally {
      offline.mockRestore();
    }
    expect(
      await count(
        "SELECT count(*) AS n FROM alerts WHERE ruleId = 'tp-session-burst' AND dedupKey IN ('actor-two', 'actor-old')",
      ),
    ).toBe(0);
  });
});

describe("retention of correlation_windows", () => {
  it("deletes windows closed more than the horizon ago, at most MAX_WINDOWS_PER_RUN a run, and keeps the rest", async () => {
    const now = Date.UTC(2026, 11, 1);
    const cutoff = now - WINDOW_HORIZON_MS;
    await putRule(
      "tp-long-burst",
      BURST.replaceAll("tp-session", "tp-long")
        .replace("tp_session", "tp_long")
        .replace("10m", "40d"),
    );
    const old = MAX_WINDOWS_PER_RUN + 500;
    // Closed long ago (a 10-minute rule, started 60 days ago): deletable.
    await env.DB.prepare(
      `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?1 - 1)
       INSERT INTO correlation_windows (ruleId, dedupKey, windowStart, time, eventId, hits, token, decidedAt)
       SELECT 'tp-session-burst', 'g' || i, ?2 - 60 * ${DAY} + i, ?2 - 60 * ${DAY} + i, 'e' || i, 3, 't', ?2 - 60 * ${DAY}
       FROM n`,
    )
      .bind(old, now)
      .run();
    const insert = (rule: string, group: string, start: number) =>
      env.DB.prepare(
        "INSERT INTO correlation_windows (ruleId, dedupKey, windowStart, time, eventId, hits, token, decidedAt) VALUES (?1, ?2, ?3, ?3, 'e', 3, 't', ?3)",
      )
        .bind(rule, group, start)
        .run();
    await insert("tp-session-burst", "recent", cutoff + DAY); // closed 29 days ago: kept
    await insert("tp-long-burst", "long", cutoff - 20 * DAY); // a 40-day window: still open
    await insert("a-deleted-rule", "gone", cutoff - DAY); // no rule in force: span 0, deleted
    const left = () =>
      count("SELECT count(*) AS n FROM correlation_windows WHERE windowStart < ?1", now);

    const before = await left();
    await tick(now, RETENTION_CRON);
    expect(before - (await left())).toBe(MAX_WINDOWS_PER_RUN);
    await tick(now + 3_600_000, RETENTION_CRON);
    expect(
      (
        await env.DB.prepare(
          "SELECT ruleId, dedupKey FROM correlation_windows WHERE windowStart < ?1 ORDER BY ruleId",
        )
          .bind(now)
          .all()
      ).results,
    ).toEqual([
      { ruleId: "tp-long-burst", dedupKey: "long" },
      { ruleId: "tp-session-burst", dedupKey: "recent" },
    ]);
  });
});
