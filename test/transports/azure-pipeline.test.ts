import {
  createExecutionContext,
  createScheduledController,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeAll, describe, expect, inject, it, vi } from "vitest";
import worker from "../../src/index";
import { deliver } from "../bucket-helpers";
import blobCreated from "../fixtures/azure/eventgrid-blob-created.json";
import { ADMIN_TOKEN, BASE, count, envWith, type Json, tpEvent } from "../helpers";

/**
 * An Azure source end to end in workerd against Azurite (started by test/azurite-setup.ts, on
 * loopback): Event Grid → POST /v1/azure/:sourceId → the bucket queue → the consumer reading
 * the blob through the Blob REST API (Shared Key, signed by the Worker's WebCrypto) → D1; and
 * the every-minute cron pulling the Storage Queue.
 */

const az = inject("azurite");
const CONTAINER = `pipeline-${Date.now().toString(36)}`;
const QUEUE = `events-${Date.now().toString(36)}`;
const source = {
  id: "tp-azurite",
  type: "turbopuffer",
  azure: {
    account: az.account,
    container: CONTAINER,
    prefix: "tpuf/",
    endpoint: az.blob,
    accountKeyEnv: "AZURITE_KEY",
    eventGridSecretEnv: "TP_AZURE_EG_SECRET",
    queueName: QUEUE,
  },
};
const withSource = (vars: Record<string, unknown> = {}) =>
  envWith({
    SOURCES: [...(env.SOURCES as unknown as unknown[]), source],
    AZURITE_KEY: az.key,
    ...vars,
  });
const testEnv = withSource();

/** An Azurite call made by the Node side (test/azurite-setup.ts). */
async function admin<T = unknown>(op: string, ...args: unknown[]): Promise<T> {
  const res = await fetch(az.admin, { method: "POST", body: JSON.stringify({ op, args }) });
  const body = (await res.json()) as { result?: T; error?: string };
  if (!res.ok) throw new Error(`${op}: ${body.error}`);
  return body.result as T;
}

beforeAll(async () => {
  await admin("createContainer", CONTAINER);
  await admin("createQueue", QUEUE);
});
afterEach(() => vi.restoreAllMocks());

async function call(path: string, init: RequestInit = {}, e: Env = testEnv): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(`${BASE}${path}`, init), e, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

/** Microsoft's BlobCreated sample (Event Grid schema), for a blob of this test's container. */
const created = (name: string, id: string, eTag: string, size: number) => ({
  ...blobCreated[0],
  id,
  subject: `/blobServices/default/containers/${CONTAINER}/blobs/${name}`,
  data: {
    ...blobCreated[0]?.data,
    eTag: `"${eTag}"`,
    contentLength: size,
    url: `${az.blob}/${CONTAINER}/${name}`,
  },
});

async function notify(events: unknown[]): Promise<Json> {
  const res = await call(`/v1/azure/${source.id}`, {
    method: "POST",
    headers: { authorization: "Bearer test-event-grid-secret", "aeg-event-type": "Notification" },
    body: JSON.stringify(events),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as Json;
}

/** What goes to the bucket queue (sendBatch: webhook and cron; send: replays). */
function captureQueue() {
  const sent: Json[] = [];
  vi.spyOn(env.BUCKET_EVENTS, "sendBatch").mockImplementation(async (batch) => {
    for (const m of batch) sent.push(m.body as Json);
    return undefined as never;
  });
  vi.spyOn(env.BUCKET_EVENTS, "send").mockImplementation(async (body) => {
    sent.push(body as Json);
    return undefined as never;
  });
  return sent;
}

const ndjson = (events: unknown[]) => events.map((e) => JSON.stringify(e)).join("\n");
const rows = () => count("SELECT count(*) AS n FROM logs WHERE sourceID = ?", source.id);
const object = (key: string, eTag: string, size: number | null = null) => ({
  kind: "auditflare.object",
  sourceId: source.id,
  bucket: CONTAINER,
  key,
  eTag,
  size,
});

async function health() {
  const res = await call("/v1/sources", { headers: { authorization: "Bearer test-query-token" } });
  const { data } = (await res.json()) as { data: Json[] };
  return data.find((s) => s.id === source.id) as {
    counts: Record<string, number>;
    lastError: { message: string } | null;
    bucket: string;
  };
}

describe("Azure source against Azurite: webhook → queue → blob → D1", () => {
  it("a redelivered notification stores nothing twice, even queued twice; received = inserted + duplicates + quarantined", async () => {
    const sent = captureQueue();
    const body = ndjson([tpEvent(1), tpEvent(2), tpEvent(1), { action: 5 }]);
    const eTag = await admin<string>("putBlob", CONTAINER, "tpuf/2026/e2e.ndjson", body);
    const e = created("tpuf/2026/e2e.ndjson", "evt-e2e", eTag, body.length);
    expect(await notify([e])).toMatchObject({ queued: 1 });
    expect(await notify([e])).toMatchObject({ queued: 0, duplicates: 1 });
    expect(sent).toEqual([object("tpuf/2026/e2e.ndjson", eTag, body.length)]);

    // Queued twice anyway (two deliveries racing past the dedup), and once more later.
    await deliver([{ body: sent[0] }, { body: sent[0] }], undefined, testEnv);
    await deliver([{ body: sent[0] }], undefined, testEnv);

    expect(await rows()).toBe(2);
    const progress = await env.DB.prepare(
      "SELECT status, invocations, recordsCommitted FROM objects WHERE key = 'tpuf/2026/e2e.ndjson'",
    ).all<Json>();
    expect(progress.results).toEqual([{ status: "done", invocations: 1, recordsCommitted: 4 }]);
    const { counts: c, bucket } = await health();
    expect(c).toMatchObject({ received: 4, inserted: 2, duplicates: 1, quarantined: 1 });
    expect(c.received).toBe(Number(c.inserted) + Number(c.duplicates) + Number(c.quarantined));
    expect(bucket).toBe(`azure://${az.account}/${CONTAINER}/tpuf/`);
  });

  it("a rewritten blob (a new ETag) is read as a new version; a stale notification of the old one reads nothing", async () => {
    captureQueue();
    const before = await rows();
    const key = "tpuf/rewritten.ndjson";
    const v1 = await admin<string>("putBlob", CONTAINER, key, ndjson([tpEvent(10)]));
    await deliver([{ body: object(key, v1) }], undefined, testEnv);
    const v2 = await admin<string>("putBlob", CONTAINER, key, ndjson([tpEvent(10), tpEvent(11)]));
    expect(v2).not.toBe(v1);
    await deliver([{ body: object(key, v2) }, { body: object(key, v1) }], undefined, testEnv);
    const progress = await env.DB.prepare(
      "SELECT eTag, status, recordsCommitted FROM objects WHERE key = ? ORDER BY recordsCommitted",
    )
      .bind(key)
      .all<Json>();
    expect(progress.results).toEqual([
      { eTag: v1, status: "done", recordsCommitted: 1 },
      { eTag: v2, status: "done", recordsCommitted: 2 },
    ]);
    // Event 10 is in both versions: stored once. Event 11 only in the rewrite.
    expect((await rows()) - before).toBe(2);
  });

  it("a wrong key (403) or a missing blob (404): Azure's reason in lastError, the message retried, never done", async () => {
    await admin("putBlob", CONTAINER, "tpuf/denied.ndjson", ndjson([tpEvent(20)]));
    const cases: Array<[string, Env, string]> = [
      [
        "tpuf/denied.ndjson",
        withSource({
          AZURITE_KEY: btoa("not the account key of devstoreaccount1, 64 bytes long ........"),
        }),
        "the credentials cannot read azure://devstoreaccount1/%c/tpuf/denied.ndjson (HTTP 403 AuthorizationFailure)",
      ],
      [
        "tpuf/never-written.ndjson",
        testEnv,
        "azure://devstoreaccount1/%c/tpuf/never-written.ndjson does not exist or cannot be seen (HTTP 404 BlobNotFound)",
      ],
    ];
    for (const [key, e, message] of cases) {
      const result = await deliver([{ body: object(key, "0x8D0000000000001", 9) }], undefined, e);
      expect(result.retryMessages).toHaveLength(1);
      expect((await health()).lastError?.message).toBe(message.replace("%c", CONTAINER));
      expect(
        await count("SELECT count(*) AS n FROM objects WHERE key = ? AND status = 'done'", key),
      ).toBe(0);
    }
  });

  it("a file that cannot be parsed is kept by its azure:// address; its replay queues the blob's current version", async () => {
    const sent = captureQueue();
    const key = "tpuf/bad.bin";
    const bytes = "\u001f\u008b\u0001 not a file of events";
    const eTag = await admin<string>("putBlob", CONTAINER, key, bytes);
    const size = new TextEncoder().encode(bytes).length;
    await deliver([{ body: object(key, eTag, size) }], undefined, testEnv);
    const kept = await env.DB.prepare(
      "SELECT id, rawRef, errorCode FROM quarantine WHERE location = ?",
    )
      .bind(key)
      .first<Json>();
    expect(kept).toMatchObject({
      rawRef: `azure://${az.account}/${CONTAINER}/${key}`,
      errorCode: "invalid_file",
    });
    const res = await call(`/v1/quarantine/${kept?.id}/replay`, {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(res.status).toBe(202);
    expect(sent).toEqual([object(key, eTag, size)]);
  });
});

describe("Azure source against Azurite: the every-minute cron pulls the Storage Queue", () => {
  it("takes Event Grid's base64 message, queues its blob, then deletes the message", async () => {
    const sent = captureQueue();
    // Other sources' pollers get a 404 here; Azurite (loopback) is the real thing.
    const real = globalThis.fetch;
    vi.spyOn(globalThis, "fetch").mockImplementation((input, init) =>
      new Request(input as RequestInfo, init).url.startsWith("http://127.0.0.1")
        ? real(input, init)
        : Promise.resolve(new Response(null, { status: 404 })),
    );
    const body = ndjson([tpEvent(30)]);
    const eTag = await admin<string>("putBlob", CONTAINER, "tpuf/from-queue.ndjson", body);
    const event = created("tpuf/from-queue.ndjson", "evt-q1", eTag, body.length);
    await admin("putMessage", QUEUE, btoa(JSON.stringify(event)));
    expect(await admin("count", QUEUE)).toBe(1);
    const controller = createScheduledController({ scheduledTime: Date.now(), cron: "* * * * *" });
    await (
      worker as unknown as {
        scheduled: (c: ScheduledController, e: Env, x: ExecutionContext) => Promise<void>;
      }
    ).scheduled(controller, testEnv, createExecutionContext());
    expect(sent).toEqual([object("tpuf/from-queue.ndjson", eTag, body.length)]);
    expect(await admin("count", QUEUE)).toBe(0);
  });
});
