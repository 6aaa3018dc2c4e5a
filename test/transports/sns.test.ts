import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import worker from "../../src/index";
import { deliver } from "../bucket-helpers";
import { BASE, count, envWith, type Json, query } from "../helpers";
import { type TestSigner, testSigner } from "../sns-helpers";

const TOPIC = "arn:aws:sns:us-east-1:123456789012:audit-files";
const CERT_URL = "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-test.pem";
const KEY = "circleci/2026/11/23/audit log(1).ndjson";

let signer: TestSigner;
beforeAll(async () => {
  signer = await testSigner();
});
afterEach(() => vi.restoreAllMocks());

const lines = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) =>
    JSON.stringify({
      id: `${prefix}-${i}`,
      version: 1,
      action: "context.secrets.accessed",
      actor: { id: "u-1", type: "user", name: "alice" },
      target: { id: "ctx-1", type: "context", name: "prod" },
      occurred_at: "2026-11-23T00:00:00.000Z",
      success: true,
      request: { id: `req-${i}`, ip_address: "203.0.113.5" },
    }),
  ).join("\n");

/** The S3 event for one created object, as S3 sends it (the key URL-encoded, + for a space). */
const s3Event = (key: string, eTag: string, eventName = "ObjectCreated:Put") =>
  JSON.stringify({
    Records: [
      {
        eventVersion: "2.1",
        eventSource: "aws:s3",
        awsRegion: "us-east-1",
        eventTime: new Date().toISOString(),
        eventName,
        s3: {
          s3SchemaVersion: "1.0",
          configurationId: "audit",
          bucket: { name: "acme-audit", arn: "arn:aws:s3:::acme-audit" },
          object: {
            key: encodeURIComponent(key).replace(/%20/g, "+"),
            size: 10,
            eTag,
            sequencer: "0A1B",
          },
        },
      },
    ],
  });

let ids = 0;
function notification(message: string, over: Record<string, string> = {}) {
  return {
    Type: "Notification",
    MessageId: `msg-${++ids}-${Math.random()}`,
    TopicArn: TOPIC,
    Subject: "Amazon S3 Notification",
    Message: message,
    Timestamp: new Date().toISOString(),
    SigningCertURL: CERT_URL,
    UnsubscribeURL: "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe",
    ...over,
  };
}

async function postSns(body: unknown, sourceId = "cci-s3"): Promise<Response> {
  const testEnv = envWith({ SNS_CERTS: JSON.stringify({ [CERT_URL]: signer.pem }) });
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request(`${BASE}/v1/sns/${sourceId}`, {
      method: "POST",
      headers: {
        "content-type": "text/plain; charset=UTF-8",
        "x-amz-sns-message-type": "Notification",
      },
      body: typeof body === "string" ? body : JSON.stringify(body),
    }),
    testEnv,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return res;
}

/** The S3 endpoint of the test source (https://s3.test, path-style) serving `objects`. */
function mockS3(objects: Record<string, { body: string; eTag: string; status?: number }>) {
  const requests: Request[] = [];
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const req = new Request(input as RequestInfo, init);
    requests.push(req);
    const url = new URL(req.url);
    if (url.origin !== "https://s3.test") throw new Error(`unexpected fetch ${req.url}`);
    const key = decodeURIComponent(url.pathname.replace(/^\/acme-audit\//, ""));
    const o = objects[key];
    if (!o) return new Response("<Error><Code>NoSuchKey</Code></Error>", { status: 404 });
    if (o.status)
      return new Response("<Error><Code>AccessDenied</Code></Error>", { status: o.status });
    return new Response(o.body, { headers: { etag: `"${o.eTag}"` } });
  });
  return requests;
}

/** Captures what the route queues instead of the real queue. */
function captureQueue(): unknown[] {
  const sent: unknown[] = [];
  vi.spyOn(env.BUCKET_EVENTS, "sendBatch").mockImplementation(async (batch) => {
    for (const m of batch) sent.push(m.body);
    return undefined as never;
  });
  vi.spyOn(env.BUCKET_EVENTS, "send").mockImplementation(async (body) => {
    sent.push(body);
    return undefined as never;
  });
  return sent;
}

describe("POST /v1/sns/:sourceId (S3 → SNS → auditflare)", () => {
  it("a signed notification for an object in the vendor's S3 bucket stores its events once", async () => {
    const requests = mockS3({ [KEY]: { body: lines("s3ev", 5), eTag: "etag-1" } });
    const sent = captureQueue();
    const first = notification(s3Event(KEY, "etag-1"));
    for (const version of ["1", "2"] as const) {
      const res = await postSns(
        await signer.sign({ ...first, MessageId: `${first.MessageId}-${version}` }, version),
      );
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: "queued", objects: 1 });
    }
    // The same MessageId again: nothing queued.
    const again = await postSns(
      await signer.sign({ ...first, MessageId: `${first.MessageId}-2` }, "2"),
    );
    expect(await again.json()).toEqual({ status: "duplicate" });
    expect(sent).toEqual([
      {
        kind: "auditflare.object",
        sourceId: "cci-s3",
        bucket: "acme-audit",
        key: KEY,
        eTag: "etag-1",
        size: 10,
      },
      {
        kind: "auditflare.object",
        sourceId: "cci-s3",
        bucket: "acme-audit",
        key: KEY,
        eTag: "etag-1",
        size: 10,
      },
    ]);
    for (const body of sent) await deliver([{ body }]);
    expect(await count("SELECT count(*) AS n FROM logs WHERE eventID LIKE 's3ev-%'")).toBe(5);
    expect(await count("SELECT count(*) AS n FROM logs WHERE sourceID = 'cci-s3'")).toBe(5);
    // Read once (the second message found the version done), signed with SigV4.
    const reads = requests.filter((r) => r.method === "GET");
    expect(reads).toHaveLength(1);
    expect(reads[0]?.url).toBe(
      "https://s3.test/acme-audit/circleci/2026/11/23/audit%20log(1).ndjson",
    );
    expect(reads[0]?.headers.get("authorization")).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE\/\d{8}\/us-east-1\/s3\/aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$/,
    );
    expect(reads[0]?.headers.get("x-amz-content-sha256")).toBeTruthy();
  });

  it("refuses with 401, queueing and fetching nothing: foreign topic, http or non-SNS certificate URL, stale, unsigned, tampered", async () => {
    const requests = mockS3({});
    const sent = captureQueue();
    const m = notification(s3Event(KEY, "etag-x"));
    const cases: Array<[string, unknown]> = [
      [
        "foreign topic",
        await signer.sign({ ...m, TopicArn: "arn:aws:sns:us-east-1:999999999999:other" }, "2"),
      ],
      [
        "http cert URL",
        await signer.sign({ ...m, SigningCertURL: CERT_URL.replace("https", "http") }, "2"),
      ],
      [
        "non-SNS cert host",
        await signer.sign({ ...m, SigningCertURL: "https://evil.example.com/x.pem" }, "2"),
      ],
      [
        "not a .pem",
        await signer.sign(
          { ...m, SigningCertURL: "https://sns.us-east-1.amazonaws.com/x.txt" },
          "2",
        ),
      ],
      [
        "stale",
        await signer.sign({ ...m, Timestamp: new Date(Date.now() - 7200_000).toISOString() }, "2"),
      ],
      ["unsigned (raw delivery)", JSON.parse(m.Message)],
      ["tampered", { ...(await signer.sign(m, "2")), Message: s3Event(KEY, "etag-y") }],
      ["v1 signature declared as v2", { ...(await signer.sign(m, "1")), SignatureVersion: "2" }],
    ];
    for (const [name, body] of cases) {
      const res = await postSns(body);
      expect(res.status, name).toBe(401);
      expect(((await res.json()) as { error: { code: string } }).error.code, name).toBe(
        "sns_verification_failed",
      );
    }
    expect(sent).toEqual([]);
    expect(requests).toEqual([]);
    const bad = await postSns("not json");
    expect(bad.status).toBe(400);
    expect((await postSns(await signer.sign(m, "2"), "circleci")).status).toBe(404);
  });

  it("confirms a subscription by fetching SubscribeURL and shows it in GET /v1/sources", async () => {
    const subscribe =
      "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=x&Token=abc";
    const fetched: string[] = [];
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input) => {
      fetched.push(String(input instanceof Request ? input.url : input));
      return new Response(
        `<ConfirmSubscriptionResponse><ConfirmSubscriptionResult><SubscriptionArn>${TOPIC}:sub-1</SubscriptionArn></ConfirmSubscriptionResult></ConfirmSubscriptionResponse>`,
      );
    });
    const confirmation = await signer.sign(
      {
        Type: "SubscriptionConfirmation",
        MessageId: "confirm-1",
        Token: "abc",
        TopicArn: TOPIC,
        Message: "You have chosen to subscribe to the topic.",
        SubscribeURL: subscribe,
        Timestamp: new Date().toISOString(),
        SigningCertURL: CERT_URL,
      },
      "1",
    );
    const forged = await postSns({
      ...confirmation,
      SubscribeURL: "https://evil.example.com/confirm",
    });
    expect(forged.status).toBe(401);
    expect(fetched).toEqual([]);
    const res = await postSns(confirmation);
    expect(await res.json()).toEqual({ status: "confirmed" });
    expect(fetched).toEqual([subscribe]);
    const sources = (await (await query("/v1/sources")).json()) as { data: Json[] };
    const s3 = sources.data.find((s) => s.id === "cci-s3");
    expect(s3).toMatchObject({
      transport: "bucket",
      bucket: "s3://acme-audit/circleci/",
      subscriptions: [{ topicArn: TOPIC, status: "confirmed", subscriptionArn: `${TOPIC}:sub-1` }],
    });
  });

  it("counts S3's test event as skipped and keeps a message that is not an S3 event in quarantine", async () => {
    captureQueue();
    const test = notification(
      JSON.stringify({
        Service: "Amazon S3",
        Event: "s3:TestEvent",
        Time: "2026-11-23T00:00:00.000Z",
        Bucket: "acme-audit",
      }),
    );
    expect(await (await postSns(await signer.sign(test, "2"))).json()).toEqual({
      status: "test_event",
    });
    const junk = notification("hello, not an S3 event");
    expect(await (await postSns(await signer.sign(junk, "2"))).json()).toEqual({
      status: "quarantined",
    });
    const kept = await env.DB.prepare("SELECT errorCode, raw FROM quarantine WHERE location = ?1")
      .bind(`sns ${junk.MessageId}`)
      .first<Json>();
    expect(kept).toEqual({ errorCode: "not_an_s3_event", raw: "hello, not an S3 event" });
  });

  it("a bucket that refuses the key: lastError in GET /v1/sources, the message retried", async () => {
    mockS3({ "circleci/denied.ndjson": { body: "", eTag: "e", status: 403 } });
    const result = await deliver([
      {
        body: {
          kind: "auditflare.object",
          sourceId: "cci-s3",
          bucket: "acme-audit",
          key: "circleci/denied.ndjson",
          eTag: "e",
          size: 1,
        },
      },
    ]);
    expect(result.retryMessages).toHaveLength(1);
    const sources = (await (await query("/v1/sources")).json()) as { data: Json[] };
    expect(sources.data.find((s) => s.id === "cci-s3")?.lastError).toMatchObject({
      message: "the credentials cannot read s3://acme-audit/circleci/denied.ndjson (HTTP 403)",
    });
  });
});
