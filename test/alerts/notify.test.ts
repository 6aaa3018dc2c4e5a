import {
  createExecutionContext,
  createMessageBatch,
  getQueueResult,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { handleNotificationQueue } from "../../src/alerts/notify";
import { present } from "../../src/catalog";
import worker from "../../src/index";
import { alertEvents, getAlert, presentAlert } from "../../src/store/alerts";
import { BASE, envWith } from "../helpers";

/**
 * The alert outbox and the notifications queue (src/alerts/notify.ts): what a message carries,
 * and how a batch's deliveries are recorded (one D1 batch for all of them, then acknowledged).
 */
const SECRET = `whsec_${btoa("auditflare-notify-test-secret-32b")}`;
const testEnv = envWith({
  DESTINATIONS: JSON.stringify([
    { id: "one", type: "webhook", url: "https://hooks.test/one", secretEnv: "HOOK_SECRET" },
    { id: "two", type: "webhook", url: "https://hooks.test/two", secretEnv: "HOOK_SECRET" },
  ]),
  HOOK_SECRET: SECRET,
});
afterEach(() => vi.restoreAllMocks());

interface Queued {
  alertId: string;
  version: number;
  type: string;
  destination: string;
  body: string;
}

const invitation = (n: number, actor: string) => ({
  action: "invitation-created",
  occurred_at: new Date(Date.now() - 60_000 + n).toISOString(),
  actor: { type: "user", id: actor, name: `${actor}@example.com` },
  targets: [{ type: "invitation", id: `inv_n${n}`, name: `guest${n}@example.com` }],
  context: { location: "203.0.113.42" },
  metadata: { session_id: `sess_n${n}` },
});

/** Pushes the events; returns the notifications queued after the response. */
async function push(events: unknown[]): Promise<Queued[]> {
  const queued: Queued[] = [];
  const spy = vi.spyOn(env.NOTIFICATIONS, "sendBatch").mockImplementation(async (batch) => {
    for (const m of batch) queued.push(m.body as Queued);
    return undefined as never;
  });
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
  spy.mockRestore();
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

/** Webhook receivers that take everything; returns the posts. */
function receivers() {
  const posts: string[] = [];
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    posts.push(new Request(input as RequestInfo, init).url);
    return new Response("ok");
  });
  return posts;
}

const health = () =>
  env.DB.prepare(
    "SELECT destinationID, delivered, failed FROM destination_health ORDER BY destinationID",
  ).all<{ destinationID: string; delivered: number; failed: number }>();

describe("alert notifications", () => {
  it("carry JSON.stringify({ type, timestamp, data: { ...alert, events } }) byte for byte, created then updated", async () => {
    for (const [events, type] of [
      [[invitation(1, "carol"), invitation(2, "carol"), invitation(3, "carol")], "alert.created"],
      [[invitation(4, "carol")], "alert.updated"],
    ] as const) {
      const queued = (await push([...events])).filter((q) => q.destination === "one");
      expect(queued).toHaveLength(1);
      const q = queued[0] as Queued;
      expect(q.type).toBe(type);
      const alert = await getAlert(env.DB, q.alertId);
      if (!alert) throw new Error("no alert");
      const stored = new Map((await alertEvents(env.DB, alert)).map((r) => [r.id, r]));
      const rows = (JSON.parse(alert.eventIds) as string[]).map((id) => stored.get(id));
      expect(rows).toHaveLength(type === "alert.created" ? 3 : 4);
      const { timestamp } = JSON.parse(q.body) as { timestamp: string };
      const data = { ...presentAlert(alert), events: rows.map((r) => r && present(r)) };
      expect(q.body).toBe(JSON.stringify({ type, timestamp, data }));
    }
  });

  it("record a batch's deliveries together: each destination counts its own, each alert says where it went", async () => {
    const queued = await push([invitation(10, "dave"), invitation(11, "erin")]);
    expect(queued).toHaveLength(4);
    const posts = receivers();
    const batches = vi.spyOn(env.DB, "batch");
    const result = await consume(queued);
    expect(posts).toHaveLength(4);
    expect(result.explicitAcks).toHaveLength(4);
    expect(result.retryMessages).toHaveLength(0);
    // one write for the four deliveries, not one per message
    expect(batches).toHaveBeenCalledTimes(1);
    const { results } = await health();
    expect(results.filter((h) => h.destinationID === "one" || h.destinationID === "two")).toEqual([
      { destinationID: "one", delivered: 2, failed: 0 },
      { destinationID: "two", delivered: 2, failed: 0 },
    ]);
    for (const id of new Set(queued.map((q) => q.alertId)))
      expect((await getAlert(env.DB, id))?.delivery).toMatch(/^delivered to (one|two)$/);
  });

  it("retry every delivery of a batch whose record failed, and count each once when the retry records it", async () => {
    const queued = await push([invitation(20, "frank")]);
    expect(queued).toHaveLength(2);
    const before = (await health()).results;
    const posts = receivers();
    vi.spyOn(env.DB, "batch").mockRejectedValueOnce(new Error("D1 is down"));
    const failed = await consume(queued, 1);
    expect(failed.explicitAcks).toHaveLength(0);
    expect(failed.retryMessages).toHaveLength(2);
    const retried = await consume(queued, 2);
    expect(retried.explicitAcks).toHaveLength(2);
    // sent twice (same webhook-id), counted once
    expect(posts).toHaveLength(4);
    const delivered = (rows: typeof before) => rows.reduce((n, h) => n + h.delivered, 0);
    expect(delivered((await health()).results) - delivered(before)).toBe(2);
  });
});
