import {
  createExecutionContext,
  createMessageBatch,
  getQueueResult,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { Webhook } from "standardwebhooks";
import { afterEach, describe, expect, it, vi } from "vitest";
import { handleNotificationQueue, queueAlerts } from "../../src/alerts/notify";
import worker from "../../src/index";
import { sweepClosedWindows } from "../../src/pipeline/correlate";
import { deliver as deliverBucket, putObject } from "../bucket-helpers";
import {
  ADMIN_TOKEN,
  aMinuteLater,
  BASE,
  call,
  count,
  envWith,
  type Json,
  query,
} from "../helpers";

/**
 * Detections end to end: a push that matches a starter rule → one alert → one signed webhook;
 * duplicates never re-trigger; later matches update the alert; correlations fire at the threshold.
 */
const SECRET = `whsec_${btoa("auditflare-test-webhook-secret-32b")}`;
const testEnv = envWith({
  DESTINATIONS: JSON.stringify([
    { id: "soc", type: "webhook", url: "https://hooks.test/soc", secretEnv: "SOC_SECRET" },
  ]),
  SOC_SECRET: SECRET,
});
afterEach(() => vi.restoreAllMocks());

const invitation = (n: number, actor = "V1StGXR8_Z5jdHi6B-myTq") => ({
  action: "invitation-created",
  occurred_at: new Date(Date.now() - 60_000 + n).toISOString(),
  actor: { type: "user", id: actor, name: "ada@example.com" },
  targets: [{ type: "invitation", id: `inv_${n}`, name: `guest${n}@example.com` }],
  context: { location: "203.0.113.42" },
  metadata: { session_id: `sess_${n}` },
});

async function push(event: unknown) {
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request(`${BASE}/v1/ingest/turbopuffer`, {
      method: "POST",
      headers: { authorization: "Bearer test-ingest-token", "content-type": "application/json" },
      body: JSON.stringify(event),
    }),
    testEnv,
    ctx,
  );
  expect(res.status).toBe(200);
  await waitOnExecutionContext(ctx); // the alert outbox, queued after the response
  return (await res.json()) as Json;
}

/** Captures queued notifications; delivers them to the consumer like the Queues runtime. */
function notifications() {
  const queued: unknown[] = [];
  vi.spyOn(env.NOTIFICATIONS, "sendBatch").mockImplementation(async (batch) => {
    for (const m of batch) queued.push(m.body);
    return undefined as never;
  });
  return queued;
}
async function consume(bodies: unknown[], attempts = 1) {
  const batch = createMessageBatch(
    "auditflare-notifications",
    bodies.map((body, i) => ({ id: `n-${i}-${attempts}`, timestamp: new Date(), attempts, body })),
  );
  const ctx = createExecutionContext();
  await handleNotificationQueue(batch, testEnv);
  return getQueueResult(batch, ctx);
}
function receiver(failures = 0) {
  const posts: Array<{ headers: Record<string, string>; body: string }> = [];
  let left = failures;
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const req = new Request(input as RequestInfo, init);
    expect(req.url).toBe("https://hooks.test/soc");
    const body = await req.text();
    posts.push({ headers: Object.fromEntries(req.headers), body });
    if (left-- > 0) return new Response("down", { status: 500 });
    return new Response("ok");
  });
  return posts;
}

/** Airkit failed login i of a burst: 30 s apart, the last (i = 20) now. */
const failedLogin = (tag: string, email: string) => (i: number) => ({
  ORGANIZATION_ID: "2b7d4e91-5c3a-4f08-9e6b-1a2c3d4e5f60",
  EVENT_ID: `c0ffee00-${tag}-4a00-8b00-${String(i).padStart(12, "0")}`,
  EVENT_YEAR: 2026,
  EVENT_MONTH: "2026-11-01",
  EVENT_DATE: "2026-11-23",
  EVENT_TIME: new Date(Date.now() - (20 - i) * 30_000)
    .toISOString()
    .replace("T", " ")
    .replace("Z", ""),
  EMAIL: email,
  LOGIN_TYPE: "PASSWORD",
  EVENT_TYPE: "invalid_login",
});

describe("detections and alerts", () => {
  it("one signed webhook per alert; a duplicate never re-triggers; a second match updates; after the window a new alert", async () => {
    const queued = notifications();
    const first = invitation(1);
    expect(await push(first)).toMatchObject({ inserted: 1 });
    expect(queued).toEqual([
      expect.objectContaining({ type: "alert.created", destination: "soc" }),
    ]);
    const posts = receiver();
    await consume(queued.splice(0));
    expect(posts).toHaveLength(1);
    const wh = new Webhook(SECRET);
    const payload = wh.verify(
      posts[0]?.body as string,
      posts[0]?.headers as Record<string, string>,
    ) as {
      type: string;
      data: Json & { events: Json[] };
    };
    expect(payload.type).toBe("alert.created");
    expect(payload.data).toMatchObject({
      ruleId: "turbopuffer-invitation-created",
      level: "low",
      count: 1,
    });
    expect(payload.data.events[0]).toMatchObject({ eventName: "invitation-created" });

    expect(await push(first)).toMatchObject({ inserted: 0, duplicates: 1 });
    expect(queued).toEqual([]);

    // a second match within a minute of the alert's notification waits for the minute
    await push(invitation(2));
    expect(queued).toEqual([]);
    await aMinuteLater();
    await push(invitation(3));
    expect(queued).toEqual([expect.objectContaining({ type: "alert.updated" })]);
    await consume(queued.splice(0));
    const updated = wh.verify(
      posts[1]?.body as string,
      posts[1]?.headers as Record<string, string>,
    ) as {
      data: Json;
    };
    // the update carries both matches since the alert's notification: one message, not two
    expect(updated.data).toMatchObject({
      count: 3,
      eventIds: [expect.any(String), expect.any(String), expect.any(String)],
    });

    // The window (dedupMinutes 60) has passed: the next match is a new alert.
    await env.DB.prepare(
      "UPDATE alerts SET firstSeen = firstSeen - 7200000 WHERE ruleId = 'turbopuffer-invitation-created'",
    ).run();
    await push(invitation(4));
    expect(queued).toEqual([expect.objectContaining({ type: "alert.created" })]);
    const list = (await (
      await query("/v1/alerts?ruleId=turbopuffer-invitation-created")
    ).json()) as {
      data: Json[];
    };
    expect(list.data.map((a) => a.count)).toEqual([1, 3]);
  });

  it("concurrent sweeps of the outbox queue an alert version once", async () => {
    const queued = notifications();
    await push(invitation(20, "actor-concurrent"));
    queued.length = 0;
    await env.DB.prepare(
      "UPDATE alerts SET notifiedVersion = 0 WHERE ruleId = 'turbopuffer-invitation-created' AND dedupKey = 'actor-concurrent'",
    ).run();
    await Promise.all([queueAlerts(testEnv), queueAlerts(testEnv), queueAlerts(testEnv)]);
    expect(queued).toEqual([expect.objectContaining({ type: "alert.created", version: 1 })]);
  });

  it("a destination that is down then up gets the alert once more, with the same webhook-id on every attempt", async () => {
    const queued = notifications();
    await push(invitation(10, "actor-down-up"));
    const posts = receiver(2);
    const first = await consume(queued, 1);
    expect(first.retryMessages).toHaveLength(1);
    await consume(queued, 2);
    const last = await consume(queued, 3);
    expect(last.explicitAcks).toHaveLength(1);
    expect(posts).toHaveLength(3);
    expect(new Set(posts.map((p) => p.headers["webhook-id"])).size).toBe(1);
    const alert = (await (await query("/v1/alerts?limit=1")).json()) as { data: Json[] };
    expect(alert.data[0]).toMatchObject({ delivery: "delivered to soc" });
    // The destination's health, as operators read it.
    const ctx = createExecutionContext();
    const sources = await worker.fetch(
      new Request(`${BASE}/v1/sources`, { headers: { authorization: "Bearer test-query-token" } }),
      testEnv,
      ctx,
    );
    const { destinations } = (await sources.json()) as { destinations: Json[] };
    expect(destinations).toEqual([
      expect.objectContaining({
        id: "soc",
        type: "webhook",
        delivered: expect.any(Number),
        failed: 2,
        lastError: null,
      }),
    ]);
  });

  it("correlation: 9 failed logins by one email → nothing; the 10th → one alert; the 11th, in the same window → nothing more", async () => {
    const queued = notifications();
    const login = failedLogin("burst", "burst@example.com");
    const file = async (name: string, from: number, to: number) => {
      const lines = [];
      for (let i = from; i < to; i++) lines.push(JSON.stringify(login(i)));
      await deliverBucket(
        [{ body: await putObject(`airkit/burst/${name}.ndjson`, lines.join("\n")) }],
        undefined,
        testEnv,
      );
    };
    await file("a", 0, 9);
    expect(queued).toEqual([]);
    await file("b", 9, 10);
    expect(queued).toEqual([expect.objectContaining({ type: "alert.created" })]);
    await file("c", 10, 11);
    expect(queued).toEqual([expect.objectContaining({ type: "alert.created" })]);
    const list = (await (await query("/v1/alerts?ruleId=airkit-invalid-login-burst")).json()) as {
      data: Json[];
    };
    expect(list.data).toEqual([
      expect.objectContaining({ count: 1, dedupKey: "burst@example.com", level: "high" }),
    ]);
    const windows = await env.DB.prepare(
      "SELECT count(*) AS n FROM correlation_windows WHERE ruleId = 'airkit-invalid-login-burst' AND dedupKey = 'burst@example.com'",
    ).first<{ n: number }>();
    expect(windows?.n).toBe(1);
  });

  it("correlation out of order: 9 later failed logins, then the earliest arrives late → one alert", async () => {
    const queued = notifications();
    const login = failedLogin("late", "late|comer@example.com");
    const file = async (name: string, ids: number[]) => {
      const lines = ids.map((i) => JSON.stringify(login(i)));
      await deliverBucket(
        [{ body: await putObject(`airkit/late/${name}.ndjson`, lines.join("\n")) }],
        undefined,
        testEnv,
      );
    };
    await file("a", [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(queued).toEqual([]);
    // The earliest event: the window ending at it holds 1, the one ending at event 9 holds 10.
    await file("b", [0]);
    expect(queued).toEqual([expect.objectContaining({ type: "alert.created" })]);
  });

  it("an upper bound (≤ 3 in 15m) is decided by the cron once the window closed: once, however often or concurrently it runs", async () => {
    const yaml = `title: Few failed logins
id: airkit-few-logins
correlation:
  type: event_count
  rules: [few_failed_login]
  group-by: [airkitEmail]
  timespan: 15m
  condition: {gt: 1, lte: 3}
---
title: Failed login (few)
id: airkit-few-failed-login
name: few_failed_login
logsource: {product: airkit}
detection:
  sel: {airkitEventType: invalid_login, airkitEmail: few@example.com}
  condition: sel
`;
    const put = await call("/v1/rules/airkit-few-logins", {
      method: "PUT",
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/yaml" },
      body: yaml,
    });
    expect(put.status).toBeLessThan(300);
    const queued = notifications();
    const login = failedLogin("few", "few@example.com");
    const lines = [0, 1].map((i) => JSON.stringify(login(i))).join("\n");
    await deliverBucket(
      [{ body: await putObject("airkit/few/a.ndjson", lines) }],
      undefined,
      testEnv,
    );
    const alerts = () =>
      count("SELECT count(*) AS n FROM alerts WHERE ruleId = 'airkit-few-logins'");
    expect(await alerts()).toBe(0); // the window is still open: more could arrive
    const now = Date.now();
    expect(await sweepClosedWindows(testEnv, now + 5 * 60_000)).toBe(0); // not closed + settled
    const runs = await Promise.all(
      [0, 1, 2].map(() => sweepClosedWindows(testEnv, now + 11 * 60_000)),
    );
    expect(runs.reduce((a, b) => a + b, 0)).toBe(1);
    expect(await sweepClosedWindows(testEnv, now + 12 * 60_000)).toBe(0);
    expect(await alerts()).toBe(1);
    await queueAlerts(testEnv);
    expect(queued).toEqual([expect.objectContaining({ type: "alert.created" })]);
  });
});
