import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import worker from "../../src/index";
import { BASE, envWith, type Json } from "../helpers";

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

async function push(events: unknown[]) {
  const res = await worker.fetch(
    new Request(`${BASE}/v1/ingest/turbopuffer`, {
      method: "POST",
      headers: { authorization: "Bearer test-ingest-token", "content-type": "application/json" },
      body: JSON.stringify(events),
    }),
    testEnv,
    createExecutionContext(),
  );
  expect(res.status).toBe(200);
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
      "SELECT id FROM events WHERE json_extract(actor, '$.id') = ?1 ORDER BY eventTime",
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

  it("a queue that refuses the batch gives the claims back: the next sweep queues them", async () => {
    const spy = vi.spyOn(env.NOTIFICATIONS, "sendBatch").mockRejectedValueOnce(new Error("down"));
    await push(invitations(0, 3, "batch-refused"));
    expect(await alertsOf("batch-refused")).toEqual([
      expect.objectContaining({ version: 1, notifiedVersion: 0 }),
    ]);
    spy.mockRestore();
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
});
