import { createExecutionContext, createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import worker from "../../src/index";
import { deliver } from "../bucket-helpers";
import blobCreated from "../fixtures/azure/eventgrid-blob-created.json";
import { ADMIN_TOKEN, call, count, type Json, query, tpEvent } from "../helpers";

/**
 * An Azure source end to end in workerd: Event Grid → POST /v1/azure/tp-azure → the bucket
 * queue → the consumer reading the blob (Blob REST, Shared Key) → D1; and the every-minute cron
 * pulling the Storage Queue. The storage account is a fetch stub here (workerd's tests reach no
 * local process); the same REST calls run against Azurite in test/transports/azure/*.unit.test.ts.
 */

const BLOB = "https://acmeaudit.blob.core.windows.net/test-container";
const QUEUE = "https://acmeaudit.queue.core.windows.net/audit-events";
afterEach(() => vi.restoreAllMocks());

const event = (name: string, id: string, eTag: string) => ({
  ...blobCreated[0],
  id,
  subject: `/blobServices/default/containers/test-container/blobs/${name}`,
  data: { ...blobCreated[0]?.data, eTag: `"${eTag}"`, contentLength: 100 },
});

async function notify(events: unknown[]): Promise<Json> {
  const res = await call("/v1/azure/tp-azure", {
    method: "POST",
    headers: { authorization: "Bearer test-event-grid-secret", "aeg-event-type": "Notification" },
    body: JSON.stringify(events),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as Json;
}

/** Captures what goes to the bucket queue (sendBatch from the webhook and the cron, send from replays). */
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

/** The storage account: `answer` per request (method and URL), every request recorded. */
function storage(answer: (req: Request) => Response | Promise<Response>) {
  const requests: Request[] = [];
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const req = new Request(input as RequestInfo, init);
    requests.push(req);
    return answer(req);
  });
  return requests;
}

const counts = async () => {
  const { data } = (await (await query("/v1/sources")).json()) as { data: Json[] };
  return data.find((s) => s.id === "tp-azure") as {
    counts: Record<string, number>;
    lastError: { message: string } | null;
    bucket: string;
    transport: string;
  };
};

describe("Azure source: webhook → queue → blob → D1", () => {
  it("a redelivered notification stores nothing twice, even queued twice; received = inserted + duplicates + quarantined", async () => {
    const sent = captureQueue();
    const e = event("tpuf/2026/e2e.ndjson", "evt-e2e", "0x8DE2E");
    expect(await notify([e])).toMatchObject({ queued: 1 });
    expect(await notify([e])).toMatchObject({ queued: 0, duplicates: 1 });
    expect(sent).toHaveLength(1);

    const lines = [tpEvent(1), tpEvent(2), tpEvent(1), { action: 5 }].map((x) => JSON.stringify(x));
    const requests = storage((req) =>
      req.method === "GET" && req.url === `${BLOB}/tpuf/2026/e2e.ndjson`
        ? new Response(lines.join("\n"), { headers: { etag: '"0x8DE2E"' } })
        : new Response(null, { status: 404, headers: { "x-ms-error-code": "BlobNotFound" } }),
    );
    // Queued twice anyway (two deliveries racing past the dedup), and once more later.
    await deliver([{ body: sent[0] }, { body: sent[0] }]);
    await deliver([{ body: sent[0] }]);

    expect(requests).toHaveLength(1);
    expect(requests[0]?.headers.get("authorization")).toMatch(
      /^SharedKey acmeaudit:[A-Za-z0-9+/]{43}=$/,
    );
    expect(requests[0]?.headers.get("x-ms-version")).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(await count("SELECT count(*) AS n FROM logs WHERE sourceID = 'tp-azure'")).toBe(2);
    const { counts: c } = await counts();
    expect(c).toMatchObject({ received: 4, inserted: 2, duplicates: 1, quarantined: 1 });
    expect(c.received).toBe(Number(c.inserted) + Number(c.duplicates) + Number(c.quarantined));
    expect(await counts()).toMatchObject({
      transport: "bucket",
      bucket: "azure://acmeaudit/test-container/",
    });
  });

  it("a rewritten blob (a new eTag) is read as a new version; a notified version already read is not", async () => {
    captureQueue();
    const rows = () => count("SELECT count(*) AS n FROM logs WHERE sourceID = 'tp-azure'");
    const before = await rows();
    const body = new Map([
      ["0x1", [tpEvent(10)]],
      ["0x2", [tpEvent(10), tpEvent(11)]],
    ]);
    let current = "0x1";
    storage(
      () =>
        new Response((body.get(current) ?? []).map((x) => JSON.stringify(x)).join("\n"), {
          headers: { etag: `"${current}"` },
        }),
    );
    const object = (eTag: string) => ({
      kind: "auditflare.object",
      sourceId: "tp-azure",
      bucket: "test-container",
      key: "tpuf/rewritten.ndjson",
      eTag,
      size: null,
    });
    await deliver([{ body: object("0x1") }]);
    current = "0x2";
    await deliver([{ body: object("0x2") }, { body: object("0x1") }]);
    const progress = await env.DB.prepare(
      "SELECT eTag, status, recordsCommitted FROM objects WHERE key = 'tpuf/rewritten.ndjson' ORDER BY eTag",
    ).all<Json>();
    expect(progress.results).toEqual([
      { eTag: "0x1", status: "done", recordsCommitted: 1 },
      { eTag: "0x2", status: "done", recordsCommitted: 2 },
    ]);
    // Event 10 is in both versions: stored once. Event 11 only in the rewrite.
    expect((await rows()) - before).toBe(2);
  });

  it("a 403 or a 404 puts Azure's reason in lastError and retries the message, never done", async () => {
    for (const [status, code, words] of [
      [403, "AuthenticationFailed", "the credentials cannot read"],
      [404, "BlobNotFound", "does not exist or cannot be seen"],
    ] as const) {
      const key = `tpuf/denied-${status}.ndjson`;
      storage(() => new Response("<Error/>", { status, headers: { "x-ms-error-code": code } }));
      const result = await deliver([
        {
          body: {
            kind: "auditflare.object",
            sourceId: "tp-azure",
            bucket: "test-container",
            key,
            eTag: "0x9",
            size: 9,
          },
        },
      ]);
      expect(result.retryMessages).toHaveLength(1);
      const { lastError } = await counts();
      expect(lastError?.message).toBe(
        status === 403
          ? `${words} azure://acmeaudit/test-container/${key} (HTTP ${status} ${code})`
          : `azure://acmeaudit/test-container/${key} ${words} (HTTP ${status} ${code})`,
      );
      expect(
        await count("SELECT count(*) AS n FROM objects WHERE key = ? AND status = 'done'", key),
      ).toBe(0);
    }
  });

  it("a file that cannot be parsed is kept by its azure:// address; its replay queues the blob's current version", async () => {
    const sent = captureQueue();
    storage((req) =>
      req.method === "HEAD"
        ? new Response(null, { headers: { etag: '"0x77"', "content-length": "12" } })
        : new Response(new Uint8Array([0x1f, 0x8b, 1, 2, 3, 4, 5, 6]), {
            headers: { etag: '"0x66"' },
          }),
    );
    const bad = {
      kind: "auditflare.object",
      sourceId: "tp-azure",
      bucket: "test-container",
      key: "tpuf/bad.gz",
      eTag: "0x66",
      size: 8,
    };
    await deliver([{ body: bad }]);
    const kept = await env.DB.prepare(
      "SELECT id, rawRef FROM quarantine WHERE location = 'tpuf/bad.gz'",
    ).first<Json>();
    expect(kept?.rawRef).toBe("azure://acmeaudit/test-container/tpuf/bad.gz");
    const res = await call(`/v1/quarantine/${kept?.id}/replay`, {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(res.status).toBe(202);
    expect(sent).toEqual([{ ...bad, eTag: "0x77", size: 12 }]);
  });
});

describe("Azure source: the every-minute cron pulls the Storage Queue", () => {
  it("takes the messages, queues their blobs, then deletes each with its pop receipt", async () => {
    const sent = captureQueue();
    const text = btoa(JSON.stringify(event("tpuf/from-queue.ndjson", "evt-q1", "0x51")));
    const xml = `<?xml version="1.0" encoding="utf-8"?><QueueMessagesList><QueueMessage><MessageId>m-1</MessageId><PopReceipt>AgAAAAMAAAAAAAAA+/=</PopReceipt><DequeueCount>1</DequeueCount><MessageText>${text}</MessageText></QueueMessage></QueueMessagesList>`;
    const order: string[] = [];
    const requests = storage((req) => {
      if (!req.url.startsWith(QUEUE)) return new Response(null, { status: 404 });
      order.push(`${req.method} ${sent.length}`);
      if (req.method === "GET")
        return new Response(order.length === 1 ? xml : "<QueueMessagesList />");
      return new Response(null, { status: 204 });
    });
    const controller = createScheduledController({ scheduledTime: Date.now(), cron: "* * * * *" });
    await (
      worker as unknown as {
        scheduled: (c: ScheduledController, e: Env, x: ExecutionContext) => Promise<void>;
      }
    ).scheduled(controller, env, createExecutionContext());
    const azure = requests.filter((r) => r.url.startsWith(QUEUE));
    expect(azure.map((r) => `${r.method} ${r.url}`)).toEqual([
      `GET ${QUEUE}/messages?numofmessages=32&visibilitytimeout=300`,
      `DELETE ${QUEUE}/messages/m-1?popreceipt=AgAAAAMAAAAAAAAA%2B%2F%3D`,
    ]);
    expect(order).toEqual(["GET 0", "DELETE 1"]); // deleted only once its blob was queued
    expect(sent).toEqual([
      expect.objectContaining({
        sourceId: "tp-azure",
        key: "tpuf/from-queue.ndjson",
        eTag: "0x51",
      }),
    ]);
  });
});
