import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { pollSqsQueues } from "../../src/transports/sqs/poll";
import { portsOf } from "../../src/wiring";
import { count, envWith, type Json } from "../helpers";

afterEach(() => vi.restoreAllMocks());

const QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/audit-files";
const TOPIC = "arn:aws:sns:us-east-1:123456789012:audit-files";

const s3Event = (key: string, eTag: string) =>
  JSON.stringify({
    Records: [
      {
        eventVersion: "2.2",
        eventSource: "aws:s3",
        eventName: "ObjectCreated:CompleteMultipartUpload",
        s3: { bucket: { name: "acme-audit" }, object: { key, size: 5, eTag, sequencer: "01" } },
      },
    ],
  });

/** A mocked SQS (AWS JSON protocol): serves `batches`, records deletes. */
function mockSqs(batches: Array<Array<{ MessageId: string; Body: string }>>) {
  const calls: Array<{ target: string; body: Json; auth: string }> = [];
  const deleted: string[] = [];
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const req = new Request(input as RequestInfo, init);
    expect(req.url).toBe("https://sqs.us-east-1.amazonaws.com/");
    const target = req.headers.get("x-amz-target") ?? "";
    // As bytes: workerd warns on .json()/.text() of an application/x-amz-json-1.0 body.
    const body = JSON.parse(new TextDecoder().decode(await req.arrayBuffer())) as Json;
    calls.push({ target, body, auth: req.headers.get("authorization") ?? "" });
    if (target === "AmazonSQS.ReceiveMessage") {
      const messages = (batches.shift() ?? []).map((m) => ({
        ...m,
        ReceiptHandle: `rh-${m.MessageId}`,
      }));
      return Response.json(messages.length ? { Messages: messages } : {});
    }
    if (target === "AmazonSQS.DeleteMessageBatch") {
      for (const e of body.Entries as Array<{ ReceiptHandle: string }>)
        deleted.push(e.ReceiptHandle);
      return Response.json({ Successful: [], Failed: [] });
    }
    return Response.json({ __type: "InvalidAction", message: target }, { status: 400 });
  });
  return { calls, deleted };
}

describe("SQS pull for S3 sources (s3.sqsQueueUrl)", () => {
  it("queues the objects of direct and SNS-wrapped S3 events, keeps junk, deletes each message after its enqueue", async () => {
    const sent: unknown[] = [];
    vi.spyOn(env.BUCKET_EVENTS, "sendBatch").mockImplementation(async (batch) => {
      for (const m of batch) sent.push(m.body);
      return undefined as never;
    });
    const sns = JSON.stringify({
      Type: "Notification",
      TopicArn: TOPIC,
      Message: s3Event("circleci/b.ndjson", "eb"),
    });
    const { calls, deleted } = mockSqs([
      [
        { MessageId: "m1", Body: s3Event("circleci/a.ndjson", "ea") },
        { MessageId: "m2", Body: sns },
        { MessageId: "m3", Body: "junk" },
      ],
    ]);
    const report = await pollSqsQueues(env, portsOf(env), Date.now());
    expect(report["cci-s3"]).toBe(3);
    expect(sent).toEqual([
      expect.objectContaining({
        kind: "auditflare.object",
        sourceId: "cci-s3",
        key: "circleci/a.ndjson",
        eTag: "ea",
      }),
      expect.objectContaining({
        kind: "auditflare.object",
        sourceId: "cci-s3",
        key: "circleci/b.ndjson",
        eTag: "eb",
      }),
    ]);
    expect(deleted).toEqual(["rh-m1", "rh-m2", "rh-m3"]);
    expect(calls[0]).toMatchObject({
      target: "AmazonSQS.ReceiveMessage",
      body: { QueueUrl: QUEUE_URL, MaxNumberOfMessages: 10, WaitTimeSeconds: 10 },
    });
    expect(calls[0]?.auth).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE\/\d{8}\/us-east-1\/sqs\/aws4_request/,
    );
    expect(
      await count(
        "SELECT count(*) AS n FROM quarantine WHERE location = 'sqs m3' AND errorCode = 'not_an_s3_event'",
      ),
    ).toBe(1);
  });

  it("a failed enqueue leaves the message in the queue for redelivery; the others are deleted", async () => {
    vi.spyOn(env.BUCKET_EVENTS, "sendBatch").mockImplementation(async (batch) => {
      if ([...batch].some((m) => (m.body as { key: string }).key === "circleci/fail.ndjson"))
        throw new Error("queue unavailable");
      return undefined as never;
    });
    const { deleted } = mockSqs([
      [
        { MessageId: "f1", Body: s3Event("circleci/fail.ndjson", "ef") },
        { MessageId: "f2", Body: s3Event("circleci/ok.ndjson", "eo") },
      ],
    ]);
    await pollSqsQueues(env, portsOf(env), Date.now());
    expect(deleted).toEqual(["rh-f2"]);
    const stats = await env.DB.prepare(
      "SELECT lastError FROM source_stats WHERE sourceID = 'cci-s3'",
    ).first<Json>();
    expect(String(stats?.lastError)).toMatch(/SQS message f1: .*queue unavailable/);
  });

  it("a receive that never answers ends within its deadline, with the error in source health", async () => {
    vi.spyOn(globalThis, "fetch").mockImplementation(
      (_input, init) =>
        new Promise<Response>((_, reject) => {
          init?.signal?.addEventListener("abort", () =>
            reject(new DOMException("The operation was aborted", "AbortError")),
          );
        }),
    );
    const report = await pollSqsQueues(env, portsOf(env), Date.now(), {
      timeoutMs: 100,
      maxBytes: 1 << 20,
    });
    expect(String(report["cci-s3"])).toMatch(/did not answer within 0\.1 s/);
    const stats = await env.DB.prepare(
      "SELECT lastError FROM source_stats WHERE sourceID = 'cci-s3'",
    ).first<Json>();
    expect(String(stats?.lastError)).toMatch(
      /timeout: .*sqs\.us-east-1\.amazonaws\.com.* did not answer/,
    );
  }, 10_000);

  it("two queues polled at once: the first hanging until its timeout holds back none of the second's messages", async () => {
    const s3 = (queue: string) => ({
      bucket: "acme-audit",
      region: "us-east-1",
      prefix: "circleci/",
      accessKeyIdEnv: "CCI_S3_KEY_ID",
      secretAccessKeyEnv: "CCI_S3_SECRET",
      endpoint: "https://s3.test",
      topicArns: [],
      sqsQueueUrl: `https://sqs.us-east-1.amazonaws.com/123456789012/${queue}`,
    });
    const e = envWith({
      SOURCES: [
        { id: "sqs-hangs", type: "circleci", s3: s3("hangs") },
        { id: "sqs-fine", type: "circleci", s3: s3("fine") },
      ],
    });
    const events: string[] = [];
    vi.spyOn(env.BUCKET_EVENTS, "sendBatch").mockImplementation(async (batch) => {
      for (const m of batch) events.push(`queued ${(m.body as { key: string }).key}`);
      return undefined as never;
    });
    let served = false;
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      const req = new Request(input as RequestInfo, init);
      const target = req.headers.get("x-amz-target") ?? "";
      const body = JSON.parse(new TextDecoder().decode(await req.arrayBuffer())) as Json;
      if (String(body.QueueUrl).endsWith("/hangs"))
        return new Promise<Response>((_, reject) =>
          init?.signal?.addEventListener("abort", () => {
            events.push("hangs: timed out");
            reject(new DOMException("The operation was aborted", "AbortError"));
          }),
        );
      if (target === "AmazonSQS.ReceiveMessage" && !served) {
        served = true;
        const m = { MessageId: "f1", Body: s3Event("circleci/fine.ndjson", "ef") };
        return Response.json({ Messages: [{ ...m, ReceiptHandle: "rh-f1" }] });
      }
      return Response.json({});
    });
    const report = await pollSqsQueues(e, portsOf(e), Date.now(), {
      timeoutMs: 1000,
      maxBytes: 1 << 20,
    });
    expect(report).toEqual({
      "sqs-hangs": expect.stringMatching(/^timeout: .* did not answer within 1 s/),
      "sqs-fine": 1,
    });
    // The second source's object was queued while the first was still waiting, not after.
    expect(events).toEqual(["queued circleci/fine.ndjson", "hangs: timed out"]);
    const errors = await env.DB.prepare(
      "SELECT sourceID, lastError FROM source_stats WHERE sourceID IN ('sqs-hangs', 'sqs-fine') ORDER BY sourceID",
    ).all<Json>();
    expect(errors.results).toEqual([
      expect.objectContaining({ sourceID: "sqs-hangs", lastError: report["sqs-hangs"] }),
    ]);
  }, 10_000);
});
