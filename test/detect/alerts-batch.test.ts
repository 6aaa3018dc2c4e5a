import {
  createExecutionContext,
  createScheduledController,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { queueAlerts } from "../../src/alerts/notify";
import { loadSources } from "../../src/config";
import worker from "../../src/index";
import { ingest } from "../../src/pipeline/ingest";
import { claimNotifications, NOTIFY_LEASE_MS, unnotifiedAlerts } from "../../src/store/alerts";
import { aMinuteLater, BASE, envWith, type Json } from "../helpers";

/**
 * Issue 27: a commit's matches are written in bulk and its alerts deduplicated in memory, one
 * alert write per (rule, dedup key) and commit, not one per event; the outbox queues them
 * together. The outcome is the one per-event statements gave: counts, first events, versions.
 */
const testEnv = envWith({
  DESTINATIONS: JSON.stringify([
    { id: "soc", type: "webhook", url: "https://hooks.test/soc", secretEnv: "SOC_SECRET" },
  ]),
  SOC_SECRET: `whsec_${btoa("auditflare-test-webhook-secret-32b")}`,
});
afterEach(() => vi.restoreAllMocks());

/** Event times fixed once: a re-pushed event is the same event (the same id). */
const T0 = Date.now() - 600_000;
const invitation = (n: number, actor: string) => ({
  action: "invitation-created",
  occurred_at: new Date(T0 + n * 10).toISOString(),
  actor: { type: "user", id: actor, name: `${actor}@example.com` },
  targets: [{ type: "invitation", id: `inv_${actor}_${n}`, name: `guest${n}@example.com` }],
  context: { location: "203.0.113.42" },
  metadata: { session_id: `sess_${actor}_${n}` },
});
const invitations = (from: number, to: number, actor: string) =>
  Array.from({ length: to - from }, (_, i) => invitation(from + i, actor));

/** A push answered, and the work it left after its response (the alert outbox) done. */
async function push(events: unknown[]) {
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request(`${BASE}/v1/ingest/turbopuffer`, {
      method: "POST",
      headers: { authorization: "Bearer test-ingest-token", "content-type": "application/json" },
      body: JSON.stringify(events),
    }),
    testEnv,
    ctx,
  );
  expect(res.status).toBe(200);
  await waitOnExecutionContext(ctx);
  return (await res.json()) as Json;
}

/** The queue batches sent (each a list of message bodies). */
function queueBatches() {
  const batches: Json[][] = [];
  vi.spyOn(env.NOTIFICATIONS, "sendBatch").mockImplementation(async (batch) => {
    batches.push([...batch].map((m) => m.body as Json));
    return undefined as never;
  });
  return batches;
}

/** The notifications queue down: every send refused, in a batch or alone; returns the undo. */
function queueDown(): () => void {
  const batch = vi.spyOn(env.NOTIFICATIONS, "sendBatch").mockRejectedValue(new Error("down"));
  const one = vi.spyOn(env.NOTIFICATIONS, "send").mockRejectedValue(new Error("down"));
  return () => {
    batch.mockRestore();
    one.mockRestore();
  };
}

interface AlertRow {
  count: number;
  version: number;
  notifiedVersion: number;
  eventIds: string;
}
const alertsOf = async (actor: string) =>
  (
    await env.DB.prepare(
      "SELECT count, version, notifiedVersion, eventIds FROM alerts WHERE ruleId = 'turbopuffer-invitation-created' AND dedupKey = ?1",
    )
      .bind(actor)
      .all<AlertRow>()
  ).results;

/** The stored ids of an actor's events, oldest first (the order they were pushed in). */
const eventIdsOf = async (actor: string) =>
  (
    await env.DB.prepare(
      "SELECT id FROM logs WHERE json_extract(actor, '$.id') = ?1 ORDER BY eventTime",
    )
      .bind(actor)
      .all<{ id: string }>()
  ).results.map((r) => r.id);

describe("alerts deduplicated per commit", () => {
  it("30 matches of one actor in one push make one alert of count 30, one version, one message, its first 20 events", async () => {
    const batches = queueBatches();
    expect(await push(invitations(0, 30, "batch-one"))).toMatchObject({ inserted: 30 });
    const [alert, ...more] = await alertsOf("batch-one");
    expect(more).toEqual([]);
    expect(alert).toMatchObject({ count: 30, version: 1, notifiedVersion: 1 });
    expect(JSON.parse(alert?.eventIds ?? "[]")).toEqual(
      (await eventIdsOf("batch-one")).slice(0, 20),
    );
    expect(batches.flat()).toEqual([
      expect.objectContaining({ type: "alert.created", version: 1, destination: "soc" }),
    ]);
    const sent = JSON.parse(batches[0]?.[0]?.body as string) as { data: { events: Json[] } };
    expect(sent.data.events).toHaveLength(20);
  });

  it("a re-pushed batch with 5 new events counts only the new ones, in one update", async () => {
    await push(invitations(0, 10, "batch-again"));
    await aMinuteLater("batch-again");
    const batches = queueBatches();
    expect(await push(invitations(0, 15, "batch-again"))).toMatchObject({
      inserted: 5,
      duplicates: 10,
    });
    const [alert, ...more] = await alertsOf("batch-again");
    expect(more).toEqual([]);
    expect(alert).toMatchObject({ count: 15, version: 2, notifiedVersion: 2 });
    // The first 10 were listed; 10 more of the new ones fit (5 are new): all 15, in order.
    expect(JSON.parse(alert?.eventIds ?? "[]")).toEqual(await eventIdsOf("batch-again"));
    expect(batches.flat()).toEqual([
      expect.objectContaining({ type: "alert.updated", version: 2 }),
    ]);
  });

  it("after its alert is closed, a re-pushed batch opens a new alert of its new events only", async () => {
    await push(invitations(0, 10, "batch-closed"));
    await env.DB.prepare(
      "UPDATE alerts SET status = 'closed' WHERE dedupKey = 'batch-closed'",
    ).run();
    expect(await push(invitations(0, 10, "batch-closed"))).toMatchObject({ duplicates: 10 });
    // the duplicates matched nothing new: no alert is opened for them
    expect((await alertsOf("batch-closed")).map((a) => a.count)).toEqual([10]);
    await push(invitations(5, 13, "batch-closed"));
    const ids = await eventIdsOf("batch-closed");
    const reopened = (await alertsOf("batch-closed")).find(
      (a) => a.version === 1 && a.count !== 10,
    );
    expect(reopened).toMatchObject({ count: 3, notifiedVersion: 1 });
    expect(JSON.parse(reopened?.eventIds ?? "[]")).toEqual(ids.slice(10));
  });

  it("an alert's event list stops at its first 20 across commits", async () => {
    await push(invitations(0, 12, "batch-cap"));
    await push(invitations(12, 30, "batch-cap"));
    const [alert] = await alertsOf("batch-cap");
    expect(alert).toMatchObject({ count: 30, version: 2 });
    expect(JSON.parse(alert?.eventIds ?? "[]")).toEqual(
      (await eventIdsOf("batch-cap")).slice(0, 20),
    );
  });

  it("one push matching three actors queues the three alerts in one queue batch", async () => {
    const batches = queueBatches();
    await push([
      ...invitations(0, 4, "batch-a"),
      ...invitations(0, 3, "batch-b"),
      ...invitations(0, 2, "batch-c"),
    ]);
    expect(batches).toHaveLength(1);
    expect(batches[0]?.map((m) => m.type)).toEqual([
      "alert.created",
      "alert.created",
      "alert.created",
    ]);
    const counts = await Promise.all(["batch-a", "batch-b", "batch-c"].map(alertsOf));
    expect(counts.map((a) => a.map((x) => x.count))).toEqual([[4], [3], [2]]);
  });

  it("concurrent pushes of the same events count each event once", async () => {
    queueBatches();
    const events = invitations(0, 10, "batch-race");
    const results = await Promise.all([push(events), push(events), push(events)]);
    expect(results.reduce((n, r) => n + (r.inserted as number), 0)).toBe(10);
    const alerts = await alertsOf("batch-race");
    expect(alerts.reduce((n, a) => n + a.count, 0)).toBe(10);
    const detections = await env.DB.prepare(
      "SELECT count(*) AS n FROM detections WHERE ruleId = 'turbopuffer-invitation-created' AND dedupKey = 'batch-race'",
    ).first<{ n: number }>();
    expect(detections?.n).toBe(10);
  });

  it("an event pushed again with another time is the stored event's duplicate: no second detection, count or match", async () => {
    queueBatches();
    const stats = () =>
      env.DB.prepare(
        "SELECT matches FROM rule_stats WHERE ruleId = 'turbopuffer-invitation-created'",
      ).first<{ matches: number }>();
    const first = { ...invitation(0, "batch-retimed"), id: "evt-batch-retimed" };
    expect(await push([first])).toMatchObject({ inserted: 1 });
    const matchesBefore = (await stats())?.matches ?? 0;
    // The same event id (the vendor's `id`), another time: its detection would have another key.
    const retimed = { ...first, occurred_at: new Date(T0 + 5000).toISOString() };
    expect(await push([retimed, first])).toMatchObject({ inserted: 0, duplicates: 2 });
    expect(await alertsOf("batch-retimed")).toEqual([
      expect.objectContaining({ count: 1, version: 1 }),
    ]);
    const detections = await env.DB.prepare(
      "SELECT count(*) AS n FROM detections WHERE dedupKey = 'batch-retimed'",
    ).first<{ n: number }>();
    expect(detections?.n).toBe(1);
    expect((await stats())?.matches).toBe(matchesBefore);
  });

  it("a matching event's detection writes its row and its key only (no entry in the correlations' index)", async () => {
    queueBatches();
    const source = loadSources(testEnv).find((s) => s.id === "turbopuffer");
    if (!source) throw new Error("no turbopuffer source in the test config");
    const records = (events: unknown[]) =>
      events.map((value) => ({
        location: "request",
        raw: JSON.stringify(value),
        ok: true as const,
        value,
      }));
    const plain = invitations(0, 100, "batch-rows-plain").map((e) => ({
      ...e,
      action: "invitation-accepted",
    }));
    const matching = invitations(0, 100, "batch-rows");
    const a = await ingest(testEnv, source, records(plain));
    const b = await ingest(testEnv, source, records(matching));
    expect(a).toMatchObject({ inserted: 100 });
    expect(b).toMatchObject({ inserted: 100 });
    // 100 detections: 2 rows each (the row, its key; 3 when the (rule, group, time) index held
    // them too), plus the alert (its row and 3 index entries) and the rule's stats.
    expect(b.rowsWritten - a.rowsWritten).toBeLessThanOrEqual(2 * 100 + 10);
    expect(b.rowsWritten - a.rowsWritten).toBeGreaterThanOrEqual(2 * 100);
  });

  it("a queue that refuses the batch gives the claims back: the next sweep queues them", async () => {
    const down = queueDown();
    await push(invitations(0, 3, "batch-refused"));
    expect(await alertsOf("batch-refused")).toEqual([
      expect.objectContaining({ version: 1, notifiedVersion: 0 }),
    ]);
    down();
    const batches = queueBatches();
    const { queueAlerts } = await import("../../src/alerts/notify");
    expect(await queueAlerts(testEnv)).toBeGreaterThanOrEqual(1);
    expect(batches.flat()).toEqual(
      expect.arrayContaining([expect.objectContaining({ type: "alert.created", version: 1 })]),
    );
    expect(await alertsOf("batch-refused")).toEqual([
      expect.objectContaining({ version: 1, notifiedVersion: 1 }),
    ]);
  });

  it("a refused update is given back and goes with the next sweep, not a minute later", async () => {
    queueBatches();
    await push(invitations(0, 2, "batch-refused-update"));
    await aMinuteLater("batch-refused-update");
    const down = queueDown();
    await push(invitations(2, 4, "batch-refused-update"));
    expect(await alertsOf("batch-refused-update")).toEqual([
      expect.objectContaining({ version: 2, notifiedVersion: 1 }),
    ]);
    down();
    const batches = queueBatches();
    await queueAlerts(testEnv);
    const id = await env.DB.prepare(
      "SELECT id FROM alerts WHERE dedupKey = 'batch-refused-update'",
    ).first<{ id: string }>();
    expect(batches.flat().filter((m) => m.alertId === id?.id)).toEqual([
      expect.objectContaining({ type: "alert.updated", version: 2 }),
    ]);
    expect(await alertsOf("batch-refused-update")).toEqual([
      expect.objectContaining({ count: 4, version: 2, notifiedVersion: 2 }),
    ]);
  });

  it("matches of a thousand actors in one push make a thousand alerts of one event each", async () => {
    const batches = queueBatches();
    const events = Array.from({ length: 1000 }, (_, i) => invitation(i, `batch-many-${i}`));
    expect(await push(events)).toMatchObject({ inserted: 1000 });
    const { results } = await env.DB.prepare(
      "SELECT dedupKey, count, version, eventIds FROM alerts WHERE dedupKey LIKE 'batch-many-%'",
    ).all<{ dedupKey: string; count: number; version: number; eventIds: string }>();
    expect(results).toHaveLength(1000);
    expect(results.every((a) => a.count === 1 && a.version === 1)).toBe(true);
    expect(new Set(results.map((a) => JSON.parse(a.eventIds)[0])).size).toBe(1000);
    expect(batches.flat()).toHaveLength(1000);
  });

  it("one push raising an open alert and opening another writes each once", async () => {
    await push(invitations(0, 3, "batch-open"));
    await aMinuteLater("batch-open");
    const batches = queueBatches();
    await push([...invitations(3, 5, "batch-open"), ...invitations(0, 4, "batch-new")]);
    expect(await alertsOf("batch-open")).toEqual([
      expect.objectContaining({ count: 5, version: 2, notifiedVersion: 2 }),
    ]);
    expect(await alertsOf("batch-new")).toEqual([
      expect.objectContaining({ count: 4, version: 1, notifiedVersion: 1 }),
    ]);
    expect(JSON.parse((await alertsOf("batch-open"))[0]?.eventIds ?? "[]")).toEqual(
      await eventIdsOf("batch-open"),
    );
    expect(batches.flat().map((m) => [m.type, m.version])).toEqual(
      expect.arrayContaining([
        ["alert.updated", 2],
        ["alert.created", 1],
      ]),
    );
    expect(batches.flat()).toHaveLength(2);
  });

  it("2,050 matches of one actor in one push count 2,050 in one alert", async () => {
    queueBatches();
    expect(await push(invitations(0, 2050, "batch-huge"))).toMatchObject({ inserted: 2050 });
    const [alert, ...more] = await alertsOf("batch-huge");
    expect(more).toEqual([]);
    expect(alert?.count).toBe(2050);
    expect(JSON.parse(alert?.eventIds ?? "[]")).toEqual(
      (await eventIdsOf("batch-huge")).slice(0, 20),
    );
  });
});

describe("the alert outbox after the response", () => {
  it("an alert's updates within a minute of its last notification wait, then go as one message of the latest version", async () => {
    const batches = queueBatches();
    const sent = () => batches.flat().filter((m) => (m.alertId as string) === alertId);
    await push(invitations(0, 3, "burst"));
    const alertId = String(
      (
        await env.DB.prepare("SELECT id FROM alerts WHERE dedupKey = 'burst'").first<{
          id: string;
        }>()
      )?.id,
    );
    expect(sent()).toEqual([expect.objectContaining({ type: "alert.created", version: 1 })]);
    // four more commits raise it within the minute: nothing is sent, by the commits or the cron
    for (let i = 0; i < 4; i++) await push(invitations(3 + i * 2, 5 + i * 2, "burst"));
    await queueAlerts(testEnv);
    expect(sent()).toHaveLength(1);
    expect(await alertsOf("burst")).toEqual([
      expect.objectContaining({ count: 11, version: 5, notifiedVersion: 1 }),
    ]);
    // the minute has passed: the cron sends the latest version, once, with every match counted
    await aMinuteLater("burst");
    await queueAlerts(testEnv);
    await queueAlerts(testEnv);
    expect(sent().slice(1)).toEqual([
      expect.objectContaining({ type: "alert.updated", version: 5 }),
    ]);
    const body = JSON.parse(sent()[1]?.body as string) as { data: Json & { events: Json[] } };
    expect(body.data).toMatchObject({ count: 11 });
    expect(body.data.events).toHaveLength(11);
    // and the next commit's update waits a minute from this notification
    await push(invitations(11, 12, "burst"));
    expect(sent()).toHaveLength(2);
    expect(await alertsOf("burst")).toEqual([
      expect.objectContaining({ count: 12, version: 6, notifiedVersion: 5 }),
    ]);
  });

  it("a push's response does not wait for the queue", async () => {
    let release = () => {};
    const sent: Json[] = [];
    vi.spyOn(env.NOTIFICATIONS, "sendBatch").mockImplementation(async (batch) => {
      await new Promise<void>((r) => {
        release = r;
      });
      sent.push(...[...batch].map((m) => m.body as Json));
      return undefined as never;
    });
    const ctx = createExecutionContext();
    const res = await worker.fetch(
      new Request(`${BASE}/v1/ingest/turbopuffer`, {
        method: "POST",
        headers: { authorization: "Bearer test-ingest-token", "content-type": "application/json" },
        body: JSON.stringify(invitations(0, 2, "batch-later")),
      }),
      testEnv,
      ctx,
    );
    // Answered while the queue holds the send (were the response waiting for it, it never came).
    expect(res.status).toBe(200);
    expect(sent).toEqual([]);
    await vi.waitFor(() => expect(env.NOTIFICATIONS.sendBatch).toHaveBeenCalled());
    release();
    await waitOnExecutionContext(ctx);
    expect(sent).toEqual([expect.objectContaining({ type: "alert.created", version: 1 })]);
    expect(await alertsOf("batch-later")).toEqual([
      expect.objectContaining({ version: 1, notifiedVersion: 1 }),
    ]);
  });

  it("alerts whose queueing never ran (the isolate ended after the response) are queued by the cron", async () => {
    const batches = queueBatches();
    const source = loadSources(testEnv).find((s) => s.id === "turbopuffer");
    if (!source) throw new Error("no turbopuffer source in the test config");
    const records = invitations(0, 3, "batch-ended").map((value) => ({
      location: "request",
      raw: JSON.stringify(value),
      ok: true as const,
      value,
    }));
    let dropped = 0;
    // The work after the response, never started: what an isolate ending first leaves.
    const result = await ingest(testEnv, source, records, { defer: () => void dropped++ });
    expect(result).toMatchObject({ inserted: 3 });
    expect(dropped).toBe(1);
    expect(batches).toEqual([]);
    expect(await alertsOf("batch-ended")).toEqual([
      expect.objectContaining({ count: 3, version: 1, notifiedVersion: 0 }),
    ]);
    // The cron's other work (the test sources' pollers) gets a 404 instead of the net.
    vi.spyOn(globalThis, "fetch").mockImplementation(
      async () => new Response(null, { status: 404 }),
    );
    await (
      worker as unknown as { scheduled: (c: ScheduledController, e: Env) => Promise<void> }
    ).scheduled(
      createScheduledController({ scheduledTime: Date.now(), cron: "* * * * *" }),
      testEnv,
    );
    expect(batches.flat()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: "alert.created", version: 1, destination: "soc" }),
      ]),
    );
    expect(await alertsOf("batch-ended")).toEqual([
      expect.objectContaining({ version: 1, notifiedVersion: 1 }),
    ]);
  });

  it("with no destination, a commit marks its alerts notified itself, sending nothing and leaving a live claim to its sender", async () => {
    const batches = queueBatches();
    const source = loadSources(env).find((s) => s.id === "turbopuffer");
    if (!source) throw new Error("no turbopuffer source in the test config");
    const records = (actor: string, from: number, to: number) =>
      invitations(from, to, actor).map((value) => ({
        location: "request",
        raw: JSON.stringify(value),
        ok: true as const,
        value,
      }));
    // The test env has no destination (DESTINATIONS "[]"): nothing is left for after the commit.
    let deferred = 0;
    const defer = () => {
      deferred++;
    };
    await ingest(env, source, records("nodest-a", 0, 2), { defer });
    expect(await alertsOf("nodest-a")).toEqual([
      expect.objectContaining({ version: 1, notifiedVersion: 1 }),
    ]);
    expect(deferred).toBe(0);
    // another sender's live claim on an alert: the next commit raising it leaves it to that sender
    await ingest(env, source, records("nodest-b", 0, 2), { defer });
    await env.DB.prepare("UPDATE alerts SET notifyClaimedAt = ?1 WHERE dedupKey = 'nodest-b'")
      .bind(Date.now())
      .run();
    await ingest(env, source, records("nodest-b", 2, 4), { defer });
    expect(await alertsOf("nodest-b"), "claimed by another sender, which marks it").toEqual([
      expect.objectContaining({ version: 2, notifiedVersion: 1 }),
    ]);
    await queueAlerts(env); // the sweep leaves the live claim too
    expect(await alertsOf("nodest-b")).toEqual([
      expect.objectContaining({ version: 2, notifiedVersion: 1 }),
    ]);
    expect(batches).toEqual([]);
    expect(deferred).toBe(0);
  });

  it("a sender that died between its claim and its send: the claim runs out and the next sweep queues the alert once", async () => {
    const batches = queueBatches();
    const source = loadSources(testEnv).find((s) => s.id === "turbopuffer");
    if (!source) throw new Error("no turbopuffer source in the test config");
    const records = invitations(0, 2, "batch-died").map((value) => ({
      location: "request",
      raw: JSON.stringify(value),
      ok: true as const,
      value,
    }));
    await ingest(testEnv, source, records, { defer: () => {} });
    // a sender claims the alert a second ago, then its isolate ends before it sends
    const due = (await unnotifiedAlerts(env.DB, 1000)).filter((a) => a.dedupKey === "batch-died");
    expect(await claimNotifications(env.DB, due, Date.now() - 1000)).toHaveLength(1);
    expect(await queueAlerts(testEnv), "the claim holds: no other sender takes it").toBe(0);
    expect(batches).toEqual([]);
    expect(await alertsOf("batch-died")).toEqual([
      expect.objectContaining({ version: 1, notifiedVersion: 0 }),
    ]);
    // the lease runs out
    await env.DB.prepare(
      "UPDATE alerts SET notifyClaimedAt = notifyClaimedAt - ?1 WHERE dedupKey = 'batch-died'",
    )
      .bind(NOTIFY_LEASE_MS)
      .run();
    await Promise.all([queueAlerts(testEnv), queueAlerts(testEnv)]);
    expect(batches.flat()).toEqual([
      expect.objectContaining({ type: "alert.created", version: 1, destination: "soc" }),
    ]);
    expect(await alertsOf("batch-died")).toEqual([
      expect.objectContaining({ version: 1, notifiedVersion: 1 }),
    ]);
  });

  it("a sender that died after its send, the alert raised meanwhile: the next sweep queues the same version (one alert.created), then the new one as an update", async () => {
    const batches = queueBatches();
    const source = loadSources(testEnv).find((s) => s.id === "turbopuffer");
    if (!source) throw new Error("no turbopuffer source in the test config");
    const records = (from: number, to: number) =>
      invitations(from, to, "sent-died").map((value) => ({
        location: "request",
        raw: JSON.stringify(value),
        ok: true as const,
        value,
      }));
    await ingest(testEnv, source, records(0, 2), { defer: () => {} });
    // a sender claims version 1 and queues alert.created msg_<id>_1; its isolate ends before the mark
    const due = (await unnotifiedAlerts(env.DB, 1000)).filter((a) => a.dedupKey === "sent-died");
    expect(await claimNotifications(env.DB, due, Date.now() - 1000)).toEqual([
      expect.objectContaining({ version: 1, notifiedVersion: 0 }),
    ]);
    await ingest(testEnv, source, records(2, 4), { defer: () => {} });
    expect(await alertsOf("sent-died")).toEqual([
      expect.objectContaining({ version: 2, notifiedVersion: 0 }),
    ]);
    await env.DB.prepare(
      "UPDATE alerts SET notifyClaimedAt = notifyClaimedAt - ?1 WHERE dedupKey = 'sent-died'",
    )
      .bind(NOTIFY_LEASE_MS)
      .run();
    await queueAlerts(testEnv);
    // the dead sender's version again (its webhook-id: receivers drop the second), not a
    // second alert.created as version 2 under another id
    expect(batches.flat()).toEqual([
      expect.objectContaining({ type: "alert.created", version: 1 }),
    ]);
    expect(await alertsOf("sent-died")).toEqual([
      expect.objectContaining({ version: 2, notifiedVersion: 1 }),
    ]);
    await aMinuteLater("sent-died");
    await queueAlerts(testEnv);
    expect(batches.flat().map((m) => [m.type, m.version])).toEqual([
      ["alert.created", 1],
      ["alert.updated", 2],
    ]);
    // the payload says which version it is: a receiver keeps the highest
    const body = JSON.parse(String((batches.flat()[1] as Json).body)) as { data: Json };
    expect(body.data).toMatchObject({ version: 2, count: 4 });
  });
});
