import {
  createExecutionContext,
  createMessageBatch,
  getQueueResult,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { eventJsonCache } from "../../src/alerts/event-json";
import { handleNotificationQueue, queueAlerts } from "../../src/alerts/notify";
import { present } from "../../src/catalog";
import worker from "../../src/index";
import { alertEvents, getAlert, presentAlert } from "../../src/store/alerts";
import { aMinuteLater, BASE, envWith, type Json } from "../helpers";

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

/**
 * The notifications queue as the broker behaves: a message over 128 KB (its JSON, in bytes)
 * is refused, and so is a batch holding one; `refuse` refuses others too. Returns what it took.
 */
function queueLike(refuse: (m: Queued) => boolean = () => false) {
  const taken: Queued[] = [];
  const check = (m: Queued) => {
    if (new TextEncoder().encode(JSON.stringify(m)).length > 128 * 1024 || refuse(m))
      throw new Error("Queue send failed: message too large or refused");
  };
  vi.spyOn(env.NOTIFICATIONS, "sendBatch").mockImplementation(async (batch) => {
    for (const m of batch) check(m.body as Queued);
    for (const m of batch) taken.push(m.body as Queued);
    return undefined as never;
  });
  vi.spyOn(env.NOTIFICATIONS, "send").mockImplementation(async (body) => {
    check(body as Queued);
    taken.push(body as Queued);
    return undefined as never;
  });
  return taken;
}

const health = () =>
  env.DB.prepare(
    "SELECT destinationID, delivered, failed FROM destination_health ORDER BY destinationID",
  ).all<{ destinationID: string; delivered: number; failed: number }>();

describe("alert notifications", () => {
  it("carry JSON.stringify({ type, timestamp, data: { ...alert, version, events } }) byte for byte, created then updated", async () => {
    for (const [events, type] of [
      [[invitation(1, "carol"), invitation(2, "carol"), invitation(3, "carol")], "alert.created"],
      [[invitation(4, "carol")], "alert.updated"],
    ] as const) {
      await aMinuteLater();
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
      const data = {
        ...presentAlert(alert),
        version: alert.version,
        events: rows.map((r) => r && present(r)),
      };
      expect(q.body).toBe(JSON.stringify({ type, timestamp, data }));
    }
  });

  it("carry the same bytes whether their events were rendered before (the isolate's cache) or are read anew", async () => {
    const [first] = (await push([invitation(30, "gus"), invitation(31, "gus")])).filter(
      (q) => q.destination === "one",
    );
    if (!first) throw new Error("nothing queued");
    // the same version queued again, its events now held by the cache: no row read for them
    const queueAgain = async () => {
      await env.DB.prepare("UPDATE alerts SET notifiedVersion = 0 WHERE id = ?1")
        .bind(first.alertId)
        .run();
      const queued: Queued[] = [];
      vi.spyOn(env.NOTIFICATIONS, "sendBatch").mockImplementation(async (batch) => {
        for (const m of batch) queued.push(m.body as Queued);
        return undefined as never;
      });
      // event rows sent by D1: by a read of its own (no event held), or in the batch that
      // confirms the held ones
      let rowsRead = 0;
      const prepare = env.DB.prepare.bind(env.DB);
      vi.spyOn(env.DB, "prepare").mockImplementation((sql) => {
        if (sql === "SELECT * FROM events WHERE id IN (SELECT value FROM json_each(?1))")
          rowsRead += 2;
        return prepare(sql);
      });
      const batch = env.DB.batch.bind(env.DB);
      vi.spyOn(env.DB, "batch").mockImplementation(async (statements) => {
        const results = await batch(statements);
        for (const r of results)
          rowsRead += (r.results as object[]).filter((x) => "rawLog" in x).length;
        return results;
      });
      await queueAlerts(testEnv);
      vi.restoreAllMocks();
      const q = queued.find((x) => x.destination === "one" && x.alertId === first.alertId);
      if (!q) throw new Error("not queued again");
      return { q, rowsRead };
    };
    const timestamp = (q: Queued) => (JSON.parse(q.body) as { timestamp: string }).timestamp;
    const warm = await queueAgain();
    expect(warm.rowsRead, "the events were taken from the cache").toBe(0);
    expect(warm.q.body).toBe(first.body.replace(timestamp(first), timestamp(warm.q)));
    eventJsonCache.clear();
    const cold = await queueAgain();
    expect(cold.rowsRead).toBe(2);
    expect(cold.q.body).toBe(first.body.replace(timestamp(first), timestamp(cold.q)));
  });

  it("leave out an event deleted since it was rendered, and render anew one stored again", async () => {
    const created = (
      await push([invitation(40, "hana"), invitation(41, "hana"), invitation(42, "hana")])
    ).filter((q) => q.destination === "one");
    expect(created).toHaveLength(1);
    const alertId = (created[0] as Queued).alertId;
    const before = await getAlert(env.DB, alertId);
    const [gone, again] = JSON.parse(before?.eventIds ?? "[]") as string[];
    if (!gone || !again) throw new Error("no events");
    expect(eventJsonCache.held([gone, again]), "rendered for the first version").toHaveLength(2);
    // retention deletes one; the other is deleted and pushed again (a later receivedAt)
    await env.DB.prepare("DELETE FROM events WHERE id = ?1").bind(gone).run();
    await env.DB.prepare("UPDATE events SET receivedAt = receivedAt + 86400000 WHERE id = ?1")
      .bind(again)
      .run();
    await aMinuteLater();
    const [q] = (await push([invitation(43, "hana")])).filter((x) => x.destination === "one");
    if (!q) throw new Error("not queued");
    const alert = await getAlert(env.DB, alertId);
    if (!alert) throw new Error("no alert");
    const stored = new Map((await alertEvents(env.DB, alert)).map((r) => [r.id, r]));
    expect(stored.has(gone)).toBe(false);
    const rows = (JSON.parse(alert.eventIds) as string[]).flatMap((id) => {
      const r = stored.get(id);
      return r ? [r] : [];
    });
    expect(rows).toHaveLength(3);
    const { timestamp } = JSON.parse(q.body) as { timestamp: string };
    const data = {
      ...presentAlert(alert),
      version: alert.version,
      events: rows.map((r) => present(r)),
    };
    expect(q.body).toBe(JSON.stringify({ type: "alert.updated", timestamp, data }));
    const sent = JSON.parse(q.body) as { data: { events: Array<{ id: string }> } };
    expect(sent.data.events.map((e) => e.id)).not.toContain(gone);
    const receivedAgain = new Date((stored.get(again)?.receivedAt ?? 0) as number).toISOString();
    expect(q.body).toContain(`"receivedAt":"${receivedAgain}"`);
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

  it("fit every message under the queue's 128 KB: an alert with a 150 KB context goes cut, and the alerts after it go too", async () => {
    const now = Date.now();
    const insert = (id: string, lastSeen: number, context: string) =>
      env.DB.prepare(
        `INSERT INTO alerts (id, ruleId, title, level, dedupKey, sourceID, firstSeen, lastSeen, count, eventIds, context)
         VALUES (?1, 'scheduled-rule', 'Scheduled', 'high', ?4, NULL, ?2, ?2, 1, '[]', ?3)`,
      )
        .bind(id, lastSeen, context, id === "big" ? "k".repeat(20_000) : id)
        .run();
    // a scheduled rule's row (a day's IPs joined, a rawLog column) is the context of its alert
    const context = JSON.stringify({ actor: "a", ips: "x".repeat(150_000) });
    await insert("big", now - 10_000, context);
    await insert("after-1", now - 5_000, JSON.stringify({ actor: "b" }));
    await insert("after-2", now - 1_000, JSON.stringify({ actor: "c" }));
    const sent = queueLike();
    await queueAlerts(testEnv);
    const ids = ["big", "after-1", "after-2"];
    for (const id of ids) {
      const a = await getAlert(env.DB, id);
      expect([id, a?.notifiedVersion]).toEqual([id, 1]);
    }
    const big = sent.filter((m) => m.alertId === "big");
    expect(big.map((m) => m.destination).sort()).toEqual(["one", "two"]);
    const data = (JSON.parse(big[0]?.body ?? "{}") as { data: Json }).data;
    expect(data.context).toEqual({
      _cut: `too large for a notification (${context.length} characters): GET /v1/alerts/big has it`,
    });
    expect(data.dedupKey).toBe(`${"k".repeat(1000)}…`);
  });

  it("give back only the alert whose message the queue refuses; the others go, and the sweep does not fail", async () => {
    const queued = await push([invitation(70, "jo"), invitation(71, "kim")]);
    expect(queued).toHaveLength(4);
    const [refused, taken] = [...new Set(queued.map((q) => q.alertId))] as [string, string];
    await env.DB.prepare(
      "UPDATE alerts SET notifiedVersion = 0, notifyClaimedAt = NULL, notifiedAt = NULL WHERE id IN (?1, ?2)",
    )
      .bind(refused, taken)
      .run();
    const sent = queueLike((m) => m.alertId === refused);
    await queueAlerts(testEnv);
    expect(new Set(sent.map((m) => m.alertId))).toEqual(new Set([taken]));
    expect((await getAlert(env.DB, taken))?.notifiedVersion).toBe(1);
    const back = await getAlert(env.DB, refused);
    expect([back?.notifiedVersion, back?.notifyClaimedAt]).toEqual([0, null]);
    // (sent by the next sweep; here marked so that the next tests' sweeps do not carry it)
    await env.DB.prepare("UPDATE alerts SET notifiedVersion = version WHERE id = ?1")
      .bind(refused)
      .run();
  });

  it("escape what Slack would read as a mention or a link: an actor named <!channel> is shown as text", async () => {
    const queued = (
      await push([invitation(60, "<!channel> & <https://evil.test|reset MFA>")])
    ).filter((q) => q.destination === "one") as Array<Queued & { slackText: string }>;
    expect(queued).toHaveLength(1);
    const text = (queued[0] as { slackText: string }).slackText;
    expect(text).toContain("actor &lt;!channel&gt; &amp; &lt;https://evil.test|reset MFA&gt;");
    expect(text).not.toContain("<!channel>");
  });

  it("count a redirect as a failed delivery (never followed), and a 2xx with a long answer as delivered", async () => {
    const queued = await push([invitation(50, "ines")]);
    expect(queued).toHaveLength(2);
    const requests: RequestInit[] = [];
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      requests.push(init ?? {});
      const url = new Request(input as RequestInfo, init).url;
      // "one" sits behind an SSO proxy; "two" echoes the ~100 KB it was sent and more
      return url.endsWith("/one")
        ? new Response(null, { status: 302, headers: { location: "https://sso.test/login" } })
        : new Response("x".repeat(100 * 1024));
    });
    const result = await consume(queued);
    expect(requests.map((r) => r.redirect)).toEqual(["manual", "manual"]);
    const one = queued.find((q) => q.destination === "one");
    expect(result.retryMessages).toHaveLength(1);
    expect(result.explicitAcks).toHaveLength(1);
    const alert = await getAlert(env.DB, one?.alertId as string);
    expect(alert?.delivery).toMatch(/delivered to two/);
    const { results } = await health();
    expect(results.find((h) => h.destinationID === "one")?.failed).toBeGreaterThan(0);
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
