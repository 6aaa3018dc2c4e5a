import {
  createExecutionContext,
  createMessageBatch,
  getQueueResult,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { Webhook } from "standardwebhooks";
import { afterEach, describe, expect, it, vi } from "vitest";
import { handleNotificationQueue } from "../../src/alerts/notify";
import worker from "../../src/index";
import { BASE, envWith, type Json } from "../helpers";

/**
 * Alert delivery: each webhook has a deadline and counts as a failure with its reason; a
 * destination that never answers holds back no other destination or message of its batch; a
 * retried notification sends the same bytes under the same webhook-id.
 */
const SECRET = `whsec_${btoa("auditflare-delivery-test-secret-32")}`;
const testEnv = envWith({
  DESTINATIONS: JSON.stringify([
    { id: "hang", type: "webhook", url: "https://hooks.test/hang", secretEnv: "HOOK_SECRET" },
    { id: "soc", type: "webhook", url: "https://hooks.test/soc", secretEnv: "HOOK_SECRET" },
  ]),
  HOOK_SECRET: SECRET,
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

const invitation = (n: number, actor: string) => ({
  action: "invitation-created",
  occurred_at: new Date(Date.now() - 60_000 + n).toISOString(),
  actor: { type: "user", id: actor, name: "ada@example.com" },
  targets: [{ type: "invitation", id: `inv_d${n}`, name: `guest${n}@example.com` }],
  context: { location: "203.0.113.42" },
  metadata: { session_id: `sess_d${n}` },
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
}

function notifications() {
  const queued: Array<{ destination: string }> = [];
  vi.spyOn(env.NOTIFICATIONS, "sendBatch").mockImplementation(async (batch) => {
    for (const m of batch) queued.push(m.body as { destination: string });
    return undefined as never;
  });
  return queued;
}

async function consume(bodies: unknown[], attempts = 1) {
  const batch = createMessageBatch(
    "auditflare-notifications",
    bodies.map((body, i) => ({ id: `d-${i}-${attempts}`, timestamp: new Date(), attempts, body })),
  );
  const ctx = createExecutionContext();
  await handleNotificationQueue(batch, testEnv);
  return getQueueResult(batch, ctx);
}

interface Post {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** `hang` never answers (until the call is aborted); `soc` answers with `status()`. */
function receivers(status: () => number = () => 200) {
  const posts: Post[] = [];
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const req = new Request(input as RequestInfo, init);
    posts.push({ url: req.url, headers: Object.fromEntries(req.headers), body: await req.text() });
    if (req.url.endsWith("/hang"))
      return new Promise<Response>((_, reject) => {
        init?.signal?.addEventListener("abort", () => reject(new Error("aborted")));
      });
    return new Response("ok", { status: status() });
  });
  return posts;
}

async function destinationHealth(): Promise<Json[]> {
  const res = await worker.fetch(
    new Request(`${BASE}/v1/sources`, { headers: { authorization: "Bearer test-query-token" } }),
    testEnv,
    createExecutionContext(),
  );
  return ((await res.json()) as { destinations: Json[] }).destinations;
}

describe("alert delivery", () => {
  it("a destination that never answers holds back no other one, and fails with reason timeout", async () => {
    const queued = notifications();
    await push(invitation(1, "actor-hang"));
    expect(queued.map((q) => q.destination)).toEqual(["hang", "soc"]);
    const posts = receivers();
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const done = consume(queued.splice(0));
    // `soc` is delivered while `hang` is still waiting (the batch is not sequential).
    await vi.waitFor(() => expect(posts.map((p) => p.url)).toContain("https://hooks.test/soc"), {
      timeout: 3000,
    });
    await vi.advanceTimersByTimeAsync(11_000);
    const result = await done;
    expect(result.explicitAcks).toEqual(["d-1-1"]);
    expect(result.retryMessages.map((m: { msgId: string }) => m.msgId)).toEqual(["d-0-1"]);
    const health = await destinationHealth();
    const hang = health.find((d) => d.id === "hang");
    expect(hang).toMatchObject({
      failed: 1,
      lastError: {
        at: expect.any(String),
        message: expect.stringMatching(/^timeout: .* did not answer within 10 s$/),
      },
    });
    expect(health.find((d) => d.id === "soc")).toMatchObject({ delivered: 1, lastError: null });
  });

  it("a retry sends byte-identical bodies under the same webhook-id, even after the alert changed", async () => {
    const queued = notifications();
    await push(invitation(2, "actor-retry"));
    const soc = queued.filter((q) => q.destination === "soc");
    queued.length = 0;
    let failures = 1;
    const posts = receivers(() => (failures-- > 0 ? 503 : 200));
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() });
    expect((await consume(soc, 1)).retryMessages).toHaveLength(1);
    // A later match updates the alert (version 2) before the retry of version 1.
    await push(invitation(3, "actor-retry"));
    vi.setSystemTime(Date.now() + 90_000);
    expect((await consume(soc, 2)).explicitAcks).toHaveLength(1);

    expect(posts).toHaveLength(2);
    const [first, second] = posts as [Post, Post];
    expect(second.body).toBe(first.body);
    expect(second.headers["webhook-id"]).toBe(first.headers["webhook-id"]);
    expect(second.headers["webhook-timestamp"]).not.toBe(first.headers["webhook-timestamp"]);
    const wh = new Webhook(SECRET);
    for (const p of posts) {
      const payload = wh.verify(p.body, p.headers) as { data: { count: number } };
      expect(payload.data.count).toBe(1);
    }
  });

  it("a Slack destination's failure never shows its URL (the URL is the secret)", async () => {
    const slackUrl = "https://hooks.slack.test/services/T000/B000/very-secret-token";
    const slackEnv = envWith({
      DESTINATIONS: JSON.stringify([{ id: "chat", type: "slack", urlEnv: "CHAT_URL" }]),
      CHAT_URL: slackUrl,
    });
    vi.spyOn(globalThis, "fetch").mockRejectedValue(new Error(`connect failed to ${slackUrl}`));
    const body = {
      kind: "auditflare.notify",
      alertId: "no-such-alert",
      version: 1,
      type: "alert.created",
      destination: "chat",
      body: "{}",
      slackText: "hello",
    };
    const batch = createMessageBatch("auditflare-notifications", [
      { id: "s-0", timestamp: new Date(), attempts: 1, body },
    ]);
    await handleNotificationQueue(batch, slackEnv);
    const row = await env.DB.prepare(
      "SELECT lastError FROM destination_health WHERE destinationID = 'chat'",
    ).first<{ lastError: string }>();
    expect(row?.lastError).toMatch(/^network: /);
    expect(row?.lastError).not.toContain("very-secret-token");
  });
});
