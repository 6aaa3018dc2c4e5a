import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import worker from "../../src/index";
import { ADMIN_TOKEN, call, type Json, push, query, tpEvent } from "../helpers";

/** Issue 25 part 5: scheduled rules (a SQL query over the views every N minutes). */

const EVERY_MINUTE = "* * * * *";
const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 2, 12, 0);

const put = (id: string, yaml: string) =>
  call(`/v1/rules/${id}`, {
    method: "PUT",
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/yaml" },
    body: yaml,
  });

/**
 * The every-minute cron, as Cloudflare fires it. It also runs the test sources' pollers and queue
 * pulls (ps.test, turso.test, SQS, Azure): they get a 404 here instead of a DNS lookup that fails
 * loudly in workerd's log.
 */
async function tick(scheduledTime: number): Promise<void> {
  const controller = createScheduledController({ scheduledTime, cron: EVERY_MINUTE });
  const offline = vi
    .spyOn(globalThis, "fetch")
    .mockImplementation(async () => new Response(null, { status: 404 }));
  try {
    await (
      worker as unknown as { scheduled: (c: ScheduledController, e: Env) => Promise<void> }
    ).scheduled(controller, env);
  } finally {
    offline.mockRestore();
  }
}

async function pushAction(action: string, actor: string, t: number, i: number): Promise<void> {
  const event = { ...tpEvent(i, t), action, actor: { type: "user", id: actor, name: actor } };
  expect((await push("turbopuffer", JSON.stringify(event))).status).toBe(200);
}

const alertsOf = async (ruleId: string) =>
  ((await (await query(`/v1/alerts?ruleId=${ruleId}&limit=100`)).json()) as { data: Json[] }).data;

async function ruleOf(id: string): Promise<Json> {
  const res = await query(`/v1/rules/${id}`);
  expect(res.status).toBe(200);
  return (await res.json()) as Json;
}

const burst = (action: string, extra = "") => `title: Bursts of ${action} per actor
id: sched-${action}
kind: scheduled
level: high
schedule: { every: 15m, lookback: 1h }
query: |
  SELECT actor ->> '$.id' AS who, count(*) AS n FROM logs
  WHERE eventName = '${action}' AND eventTime >= :from AND eventTime < :to
  GROUP BY who HAVING n >= 2 ORDER BY who
group-by: [who]
dedup-minutes: 60
${extra}`;

describe("scheduled rules", () => {
  it("alerts once per returned group, runs once per interval, deduplicates within dedup-minutes", async () => {
    const action = "sched-burst";
    const res = await put(`sched-${action}`, burst(action));
    expect(res.status, await res.clone().text()).toBe(201);
    expect(await res.json()).toMatchObject({
      rules: [
        {
          id: `sched-${action}`,
          kind: "scheduled",
          schedule: { everyMinutes: 15, lookbackMinutes: 60, groupBy: ["who"], lastRunAt: null },
        },
      ],
    });
    let i = 0;
    for (const [who, n] of [
      ["alice", 3],
      ["bob", 2],
      ["carol", 1],
    ] as const)
      for (let k = 0; k < n; k++) await pushAction(action, who, T0 - 10 * MIN + k * 1000, i++);
    // Outside the lookback window: not counted.
    await pushAction(action, "carol", T0 - 2 * 60 * MIN, i++);

    await tick(T0);
    const first = await alertsOf(`sched-${action}`);
    expect(first).toHaveLength(2);
    const byKey = new Map(first.map((a) => [a.dedupKey, a]));
    expect(byKey.get('["alice"]')).toMatchObject({
      title: `Bursts of ${action} per actor`,
      level: "high",
      count: 1,
      eventIds: [],
      context: { who: "alice", n: 3 },
    });
    expect(byKey.get('["bob"]')).toMatchObject({ count: 1, context: { who: "bob", n: 2 } });
    expect((await ruleOf(`sched-${action}`)).rules).toMatchObject([
      {
        schedule: {
          lastRunAt: new Date(T0).toISOString(),
          lastRows: 2,
          truncated: false,
          lastError: null,
        },
      },
    ]);

    // Five minutes later, with a new burst for carol: not due, nothing runs.
    await pushAction(action, "carol", T0 + MIN, i++);
    await tick(T0 + 5 * MIN);
    await tick(T0 + 5 * MIN); // the cron firing twice (two isolates) changes nothing either
    expect(await alertsOf(`sched-${action}`)).toHaveLength(2);

    // One interval later: due; alice and bob again (within dedup: counted, no new alert), carol new.
    await tick(T0 + 15 * MIN);
    const second = await alertsOf(`sched-${action}`);
    expect(second).toHaveLength(3);
    const again = new Map(second.map((a) => [a.dedupKey, a]));
    expect(again.get('["alice"]')).toMatchObject({ count: 2, id: byKey.get('["alice"]')?.id });
    expect(again.get('["bob"]')).toMatchObject({ count: 2 });
    expect(again.get('["carol"]')).toMatchObject({ count: 1, context: { who: "carol", n: 2 } });
  });

  it("POST /v1/rules/test answers a scheduled rule's parse result and warnings", async () => {
    const rule = `title: No window\nid: sched-try\nschedule: { every: 5m }\nquery: SELECT count(*) AS n FROM logs\n`;
    const res = await call("/v1/rules/test", {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ rule, events: [] }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      rules: [{ id: "sched-try", kind: "scheduled" }],
      warnings: [expect.stringMatching(/does not use :from/)],
    });
  });

  it("a run claimed concurrently runs once", async () => {
    const action = "sched-race";
    expect((await put(`sched-${action}`, burst(action))).status).toBe(201);
    for (let k = 0; k < 2; k++) await pushAction(action, "dave", T0 - MIN + k * 1000, 100 + k);
    await Promise.all([tick(T0), tick(T0), tick(T0 + 30_000)]);
    expect(await alertsOf(`sched-${action}`)).toMatchObject([{ count: 1 }]);
  });

  it("refuses at PUT what POST /v1/sql refuses, and a bad schedule, with 400 naming the problem", async () => {
    const base = (q: string, schedule = "{ every: 15m }") =>
      `title: Bad\nid: sched-bad\nlevel: low\nschedule: ${schedule}\nquery: ${JSON.stringify(q)}\n`;
    const cases: [string, string, RegExp][] = [
      [base("DELETE FROM logs"), "write", /DELETE/i],
      [base("SELECT * FROM events"), "a table", /events/],
      [base("SELECT * FROM logs WHERE eventTime >= :since"), "a parameter", /:since/],
      [base("SELECT 1", "{ every: 1m }"), "too often", /schedule\.every/],
      [base("SELECT 1", "{ every: 1h, lookback: 30d }"), "too long", /schedule\.lookback/],
      [base("SELECT nope FROM logs"), "D1 refuses", /nope/],
      [
        `${base("SELECT 1 AS a")}group-by: [b]\n`,
        "a group-by column the query lacks",
        /group-by names "b"/,
      ],
    ];
    for (const [yaml, what, message] of cases) {
      const res = await put("sched-bad", yaml);
      expect(res.status, what).toBe(400);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code, what).toBe("invalid_rule");
      expect(body.error.message, what).toMatch(message);
    }
    expect((await query("/v1/rules/sched-bad")).status).toBe(404);
  });

  it("a failing query is recorded on its rule and never stalls the others", async () => {
    const failing = `title: Fails at run time\nid: sched-fails\nlevel: low\nschedule: { every: 5m }\nquery: "SELECT json_extract('{', '$.a') AS v FROM logs WHERE eventTime >= :from AND eventTime < :to"\n`;
    expect((await put("sched-fails", failing)).status).toBe(201);
    const action = "sched-after-failure";
    expect((await put(`sched-${action}`, burst(action))).status).toBe(201);
    const t = T0 + 24 * 60 * MIN;
    for (let k = 0; k < 2; k++) await pushAction(action, "erin", t - MIN + k * 1000, 200 + k);
    await tick(t);
    expect((await ruleOf("sched-fails")).rules).toMatchObject([
      {
        schedule: {
          lastRunAt: new Date(t).toISOString(),
          lastRows: null,
          lastError: expect.stringMatching(/malformed JSON/i),
          lastErrorAt: new Date(t).toISOString(),
        },
      },
    ]);
    expect(await alertsOf("sched-fails")).toHaveLength(0);
    expect(await alertsOf(`sched-${action}`)).toHaveLength(1);
    // Fixed: the next due run succeeds and clears the error (its window [t, t + 5m) is empty).
    const fixed = failing.replace("json_extract('{', '$.a')", "count(*)");
    expect((await put("sched-fails", fixed)).status).toBe(200);
    await tick(t + 5 * MIN);
    expect((await ruleOf("sched-fails")).rules).toMatchObject([
      { schedule: { lastError: null, lastRows: 1 } },
    ]);
    expect(await alertsOf("sched-fails")).toMatchObject([{ dedupKey: "[0]", context: { v: 0 } }]);
  });

  it("caps the alerts of a run at 100 and says so", async () => {
    const many = `title: Many rows\nid: sched-many\nlevel: low\nschedule: { every: 5m }\nquery: "SELECT id FROM logs WHERE eventName = 'sched-many' AND eventTime >= :from AND eventTime < :to"\n`;
    expect((await put("sched-many", many)).status).toBe(201);
    const t = T0 + 3 * 24 * 60 * MIN;
    const events = Array.from({ length: 105 }, (_, k) => ({
      ...tpEvent(300 + k, t - MIN + k),
      action: "sched-many",
    }));
    expect((await push("turbopuffer", JSON.stringify(events))).status).toBe(200);
    await tick(t);
    expect(await alertsOf("sched-many")).toHaveLength(100);
    expect((await ruleOf("sched-many")).rules).toMatchObject([
      { schedule: { lastRows: 100, truncated: true, lastError: null } },
    ]);
  });
});
