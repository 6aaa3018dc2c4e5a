import { createServer, type Server } from "node:http";
import { beforeEach, describe, expect, it } from "vitest";
import { DEV_ACCOUNT, DEV_KEY } from "../../../scripts/lib/azurite.mjs";
import { pollAzureQueues } from "../../../src/transports/azure/queue-poll";
import cloudEvents from "../../fixtures/azure/cloudevents-blob-created.json";
import blobCreated from "../../fixtures/azure/eventgrid-blob-created.json";
import blobDeleted from "../../fixtures/azure/eventgrid-blob-deleted.json";
import { fakePorts, fakeQueue, useAzurite } from "./helpers";

/**
 * The Storage Queue pull (azure.queueName) against Azurite's real Queue REST API: Get Messages,
 * Event Grid's base64 messages and plain JSON, Delete Message with the pop receipt only after
 * the objects are queued, junk quarantined once and deleted.
 */

const ctx = useAzurite();
let queueName = "";
let n = 0;

beforeEach(async () => {
  queueName = `audit-events-${++n}`;
  await ctx.admin.createQueue(queueName);
});

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64");
/** Microsoft's sample event (Event Grid schema) for another blob and event id. */
const created = (name: string, id: string, eTag = "0x8D4BCC2E4835CD0") => ({
  ...blobCreated[0],
  id,
  subject: `/blobServices/default/containers/test-container/blobs/${name}`,
  data: { ...blobCreated[0]?.data, eTag: `"${eTag}"`, contentLength: 42 },
});

function setup(credential: Record<string, string> = { accountKeyEnv: "AZ_KEY" }, vars = {}) {
  const queue = fakeQueue();
  const state = fakePorts();
  const source = {
    id: "tp-queue",
    type: "turbopuffer",
    azure: {
      account: DEV_ACCOUNT,
      container: "test-container",
      endpoint: ctx.az.blob,
      queueName,
      ...credential,
    },
  };
  const env = { SOURCES: [source], AZ_KEY: DEV_KEY, BUCKET_EVENTS: queue.binding, ...vars };
  return { env: env as unknown as Env, queue, ...state };
}

describe("Storage Queue pull against Azurite", () => {
  it("queues the blobs of Event Grid messages (base64 and plain JSON, both schemas), then deletes each", async () => {
    await ctx.admin.putMessage(queueName, b64(created("tpuf/a.ndjson", "e-1")));
    await ctx.admin.putMessage(queueName, JSON.stringify({ ...cloudEvents[0], id: "e-2" }));
    await ctx.admin.putMessage(queueName, b64(blobDeleted[0]));
    const { env, ports, queue, skipped } = setup();
    const report = await pollAzureQueues(env, ports);
    expect(report).toEqual({ "tp-queue": 3 });
    expect(queue.sent).toEqual([
      {
        kind: "auditflare.object",
        sourceId: "tp-queue",
        bucket: "test-container",
        key: "tpuf/a.ndjson",
        eTag: "0x8D4BCC2E4835CD0",
        size: 42,
      },
      {
        kind: "auditflare.object",
        sourceId: "tp-queue",
        bucket: "test-container",
        key: "new-file.txt",
        eTag: "0x8D4BCC2E4835CD0",
        size: 524288,
      },
    ]);
    expect(skipped.n).toBe(1);
    expect(await ctx.admin.count(queueName)).toBe(0);
  });

  it("a redelivered event (same id, another message) queues nothing twice", async () => {
    await ctx.admin.putMessage(queueName, b64(created("tpuf/b.ndjson", "e-dup")));
    await ctx.admin.putMessage(queueName, b64(created("tpuf/b.ndjson", "e-dup")));
    const { env, ports, queue } = setup();
    expect(await pollAzureQueues(env, ports)).toEqual({ "tp-queue": 2 });
    expect(queue.sent).toHaveLength(1);
    expect(await ctx.admin.count(queueName)).toBe(0);
  });

  it("a message that is not an event is quarantined once (by its id) and deleted", async () => {
    await ctx.admin.putMessage(queueName, Buffer.from("hello, not json").toString("base64"));
    await ctx.admin.putMessage(queueName, JSON.stringify({ hello: "world" }));
    const { env, ports, queue, kept } = setup();
    expect(await pollAzureQueues(env, ports)).toEqual({ "tp-queue": 2 });
    expect(queue.sent).toEqual([]);
    const entries = [...kept.entries()];
    expect(entries).toHaveLength(2);
    for (const [identity, e] of entries) {
      expect(identity).toMatch(new RegExp(`^tp-queue azure-queue ${queueName} \\S+$`));
      expect(e).toMatchObject({ sourceID: "tp-queue", errorCode: "invalid_notification" });
    }
    expect(entries.map(([, e]) => e.error).sort()).toEqual([
      "the message is not JSON (nor base64 of JSON)",
      "the message is not an event: not an Event Grid event: id: Invalid input: expected string, received undefined",
    ]);
    expect(await ctx.admin.count(queueName)).toBe(0);
  });

  it("a message with a bad event among good ones: the good one's object is queued, the bad one kept, the message deleted", async () => {
    await ctx.admin.putMessage(
      queueName,
      b64([created("tpuf/mixed.ndjson", "e-mixed"), { hello: "world" }]),
    );
    const { env, ports, queue, kept } = setup();
    expect(await pollAzureQueues(env, ports)).toEqual({ "tp-queue": 1 });
    expect(queue.sent).toEqual([expect.objectContaining({ key: "tpuf/mixed.ndjson" })]);
    const entries = [...kept.values()];
    expect(entries).toEqual([
      expect.objectContaining({ errorCode: "invalid_notification", raw: '{"hello":"world"}' }),
    ]);
    expect(await ctx.admin.count(queueName)).toBe(0);
  });

  it("a message whose objects cannot be queued is not deleted (it comes back); the error is in health", async () => {
    await ctx.admin.putMessage(queueName, b64(created("tpuf/c.ndjson", "e-3")));
    const { env, ports, errors } = setup();
    (env as unknown as { BUCKET_EVENTS: unknown }).BUCKET_EVENTS = fakeQueue(() => true).binding;
    expect(await pollAzureQueues(env, ports)).toEqual({ "tp-queue": 0 });
    expect(errors).toEqual([
      expect.stringMatching(/^Storage Queue message \S+: Error: queue unavailable$/),
    ]);
    expect(await ctx.admin.count(queueName)).toBe(1);
  });

  it("takes and deletes with the account SAS docs/sources/azure.md asks for (ss=bq, srt=co, sp=rp)", async () => {
    await ctx.admin.putMessage(queueName, b64(created("tpuf/d.ndjson", "e-4")));
    const sas = ctx.admin.accountSas({ services: "bq", resourceTypes: "co", permissions: "rp" });
    const { env, ports, queue } = setup({ sasTokenEnv: "AZ_SAS" }, { AZ_SAS: sas });
    expect(await pollAzureQueues(env, ports)).toEqual({ "tp-queue": 1 });
    expect(queue.sent).toHaveLength(1);
    expect(await ctx.admin.count(queueName)).toBe(0);
  });

  it("a wrong key: 403 from Get Messages, in the report and the source's health", async () => {
    await ctx.admin.putMessage(queueName, b64(created("tpuf/e.ndjson", "e-5")));
    const { env, ports, errors } = setup(
      { accountKeyEnv: "AZ_KEY" },
      { AZ_KEY: btoa("x".repeat(64)) },
    );
    const report = await pollAzureQueues(env, ports);
    const expected = `Error: Get Messages on ${ctx.az.queue}/${queueName}: HTTP 403 AuthenticationFailed`;
    expect(report).toEqual({ "tp-queue": expected });
    expect(errors).toEqual([expected]);
    expect(await ctx.admin.count(queueName)).toBe(1);
  });

  it("two queues polled at once: one whose account never answers holds back none of the other's messages", async () => {
    await ctx.admin.putMessage(queueName, b64(created("tpuf/f.ndjson", "e-6")));
    // A queue endpoint that takes the connection and never answers.
    const silent: Server = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      const startedAt = Date.now();
      let queuedAfter = Number.NaN;
      const queue = fakeQueue(() => {
        queuedAfter = Date.now() - startedAt;
        return false;
      });
      const { ports, errors } = fakePorts();
      const source = (id: string, endpoint: string) => ({
        id,
        type: "turbopuffer",
        azure: {
          account: DEV_ACCOUNT,
          container: "test-container",
          endpoint,
          queueName,
          accountKeyEnv: "AZ_KEY",
        },
      });
      const env = {
        SOURCES: [
          // Path-style: the queue service is on the next port, the silent one.
          source("silent", `http://127.0.0.1:${port - 1}/${DEV_ACCOUNT}`),
          source("tp-queue", ctx.az.blob),
        ],
        AZ_KEY: DEV_KEY,
        BUCKET_EVENTS: queue.binding,
      } as unknown as Env;
      const report = await pollAzureQueues(env, ports, Date.now(), {
        timeoutMs: 1000,
        maxBytes: 1 << 20,
      });
      expect(report).toEqual({
        silent: expect.stringMatching(/^timeout: .* did not answer within 1 s$/),
        "tp-queue": 1,
      });
      // Queued while the silent account was still being waited for, not after its timeout.
      expect(queuedAfter).toBeLessThan(900);
      expect(queue.sent).toEqual([expect.objectContaining({ key: "tpuf/f.ndjson" })]);
      expect(errors).toEqual([report.silent]);
      expect(await ctx.admin.count(queueName)).toBe(0);
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });
});
