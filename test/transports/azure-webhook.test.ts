import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import worker from "../../src/index";
import cloudEvents from "../fixtures/azure/cloudevents-blob-created.json";
import blobCreated from "../fixtures/azure/eventgrid-blob-created.json";
import blobDeleted from "../fixtures/azure/eventgrid-blob-deleted.json";
import validation from "../fixtures/azure/subscription-validation.json";
import { BASE, count, envWith, type Json } from "../helpers";

/**
 * POST/OPTIONS /v1/azure/:sourceId, the Event Grid webhook of the `tp-azure` source
 * (vitest.config.ts: container test-container, prefix "", secret TP_AZURE_EG_SECRET), fed
 * Microsoft's sample events (test/fixtures/azure/). The queue is a spy: what would be read.
 */

const SECRET = "test-event-grid-secret";
const PATH = "/v1/azure/tp-azure";
let sent: unknown[] = [];

beforeEach(() => {
  sent = [];
  vi.spyOn(env.BUCKET_EVENTS, "sendBatch").mockImplementation(async (batch) => {
    for (const m of batch) sent.push(m.body);
    return undefined as never;
  });
});
afterEach(() => vi.restoreAllMocks());

async function send(
  body: unknown,
  opts: {
    auth?: string | null;
    headers?: Record<string, string>;
    method?: string;
    withEnv?: Env;
  } = {},
): Promise<Response> {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "aeg-event-type": "Notification",
    ...opts.headers,
  };
  const auth = opts.auth === undefined ? `Bearer ${SECRET}` : opts.auth;
  if (auth !== null) headers.authorization = auth;
  const ctx = createExecutionContext();
  const init: RequestInit = { method: opts.method ?? "POST", headers };
  if (init.method === "POST") init.body = typeof body === "string" ? body : JSON.stringify(body);
  const res = await worker.fetch(new Request(`${BASE}${PATH}`, init), opts.withEnv ?? env, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

/** Microsoft's BlobCreated sample, for another blob and event id. */
const created = (name: string, id: string, container = "test-container") => ({
  ...blobCreated[0],
  id,
  subject: `/blobServices/default/containers/${container}/blobs/${name}`,
});

const skippedCount = async () =>
  count("SELECT coalesce(sum(skipped), 0) AS n FROM source_stats WHERE sourceID = 'tp-azure'");

describe("POST /v1/azure/:sourceId: the delivery secret", () => {
  it("401 without it, with a wrong one, or malformed; nothing queued", async () => {
    const cases: Array<[string | null, string]> = [
      [null, "missing_token"],
      ["Bearer not-the-secret", "invalid_token"],
      [`Basic ${SECRET}`, "malformed_authorization"],
    ];
    for (const [auth, code] of cases) {
      for (const [body, type] of [
        [blobCreated, "Notification"],
        [validation, "SubscriptionValidation"],
      ] as const) {
        const res = await send(body, { auth, headers: { "aeg-event-type": type } });
        expect(res.status, `${auth} ${type}`).toBe(401);
        expect(((await res.json()) as { error: Json }).error.code).toBe(code);
      }
    }
    expect(sent).toEqual([]);
  });

  it("accepts the header as Event Grid's portal example writes it (BEARER, any case)", async () => {
    const res = await send(validation, { auth: `BEARER ${SECRET}` });
    expect(res.status).toBe(200);
  });

  it("404 for an unknown source or one without eventGridSecretEnv; 503 when the secret is unset", async () => {
    const unknown = await worker.fetch(
      new Request(`${BASE}/v1/azure/nope`, { method: "POST", body: "[]" }),
      env,
      createExecutionContext(),
    );
    expect(unknown.status).toBe(404);
    const gcs = await worker.fetch(
      new Request(`${BASE}/v1/azure/tpuf-gcs`, { method: "POST", body: "[]" }),
      env,
      createExecutionContext(),
    );
    expect(((await gcs.json()) as { error: Json }).error).toMatchObject({
      code: "not_a_bucket_source",
      message: expect.stringMatching(/no azure.eventGridSecretEnv/),
    });
    const unset = await send(blobCreated, { withEnv: envWith({ TP_AZURE_EG_SECRET: "" }) });
    expect(unset.status).toBe(503);
    expect(((await unset.json()) as { error: Json }).error.code).toBe(
      "event_grid_secret_not_configured",
    );
  });
});

describe("POST /v1/azure/:sourceId: Event Grid schema", () => {
  it("answers Microsoft's SubscriptionValidationEvent with its code, and does nothing else", async () => {
    const res = await send(validation, { headers: { "aeg-event-type": "SubscriptionValidation" } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      validationResponse: "512d38b6-c7b8-40c8-89fe-f46f9e9622b6",
    });
    expect(sent).toEqual([]);
    const empty = await send([{ ...validation[0], data: {} }], {
      headers: { "aeg-event-type": "SubscriptionValidation" },
    });
    expect(empty.status).toBe(400);
  });

  it("queues Microsoft's BlobCreated (bucket = container, key = blob name, eTag, size) and only after that answers 200", async () => {
    const res = await send(blobCreated);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ queued: 1, skipped: 0, duplicates: 0, quarantined: 0 });
    expect(sent).toEqual([
      {
        kind: "auditflare.object",
        sourceId: "tp-azure",
        bucket: "test-container",
        key: "new-file.txt",
        eTag: "0x8D4BCC2E4835CD0",
        size: 524288,
      },
    ]);
  });

  it("the same event again is a duplicate: nothing queued twice", async () => {
    const event = created("tpuf/once.ndjson", "evt-once");
    expect(await (await send([event])).json()).toMatchObject({ queued: 1 });
    expect(await (await send([event, event])).json()).toEqual({
      queued: 0,
      skipped: 0,
      duplicates: 2,
      quarantined: 0,
    });
    expect(sent).toHaveLength(1);
  });

  it("counts as skipped: other event types, other containers (the sample's BlobDeleted too)", async () => {
    const before = await skippedCount();
    const res = await send([
      blobDeleted[0],
      created("x.ndjson", "evt-other", "other-container"),
      { ...created("y.ndjson", "evt-tier"), eventType: "Microsoft.Storage.BlobTierChanged" },
    ]);
    expect(await res.json()).toEqual({ queued: 0, skipped: 3, duplicates: 0, quarantined: 0 });
    expect(sent).toEqual([]);
    expect((await skippedCount()) - before).toBe(3);
  });

  it("a queue that fails is a 500 and records nothing: Event Grid's retry queues it then", async () => {
    vi.mocked(env.BUCKET_EVENTS.sendBatch).mockRejectedValueOnce(new Error("queue unavailable"));
    const event = created("tpuf/retry.ndjson", "evt-retry");
    expect((await send([event])).status).toBe(500);
    expect(sent).toEqual([]);
    expect(await (await send([event])).json()).toMatchObject({ queued: 1, duplicates: 0 });
    expect(sent).toHaveLength(1);
  });

  it("a body that is not JSON is a 400, kept in quarantine; a malformed event is kept, the rest handled", async () => {
    const junk = await send("this is not json");
    expect(junk.status).toBe(400);
    expect(((await junk.json()) as { error: Json }).error.code).toBe("invalid_push_message");
    expect(
      await count(
        "SELECT count(*) AS n FROM quarantine WHERE sourceID = 'tp-azure' AND errorCode = 'invalid_json'",
      ),
    ).toBe(1);
    const res = await send([
      { eventType: "Microsoft.Storage.BlobCreated" },
      created("tpuf/ok.ndjson", "evt-ok"),
    ]);
    expect(await res.json()).toEqual({ queued: 1, skipped: 0, duplicates: 0, quarantined: 1 });
    const kept = await env.DB.prepare(
      "SELECT location, error FROM quarantine WHERE sourceID = 'tp-azure' AND errorCode = 'invalid_notification'",
    ).first<Json>();
    expect(kept).toMatchObject({
      location: "eventgrid [0]",
      error: expect.stringMatching(/^not an Event Grid event: id/),
    });
  });
});

describe("/v1/azure/:sourceId: CloudEvents 1.0 schema", () => {
  it("OPTIONS with WebHook-Request-Origin grants that origin at any rate", async () => {
    const res = await send(null, {
      method: "OPTIONS",
      auth: null,
      headers: { "WebHook-Request-Origin": "eventgrid.azure.net" },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("WebHook-Allowed-Origin")).toBe("eventgrid.azure.net");
    expect(res.headers.get("WebHook-Allowed-Rate")).toBe("*");
  });

  it("OPTIONS without the origin is a 400; with a wrong secret a 401; for an unknown source a 404", async () => {
    expect((await send(null, { method: "OPTIONS", auth: null })).status).toBe(400);
    const origin = { "WebHook-Request-Origin": "eventgrid.azure.net" };
    const wrong = await send(null, { method: "OPTIONS", auth: "Bearer wrong", headers: origin });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("WebHook-Allowed-Origin")).toBeNull();
    const res = await worker.fetch(
      new Request(`${BASE}/v1/azure/nope`, { method: "OPTIONS", headers: origin }),
      env,
      createExecutionContext(),
    );
    expect(res.status).toBe(404);
  });

  it("takes one event (application/cloudevents+json) and a batch (application/cloudevents-batch+json)", async () => {
    // Microsoft's sample has the same id as its Event Grid twin, delivered above: another id here.
    const one = await send(
      { ...cloudEvents[0], id: "ce-1" },
      {
        headers: { "content-type": "application/cloudevents+json; charset=utf-8" },
      },
    );
    expect(await one.json()).toEqual({ queued: 1, skipped: 0, duplicates: 0, quarantined: 0 });
    const batch = await send(
      [
        {
          ...cloudEvents[0],
          id: "ce-2",
          subject: "/blobServices/default/containers/test-container/blobs/b.ndjson",
        },
        { ...cloudEvents[0], id: "ce-3", type: "Microsoft.Storage.BlobDeleted" },
      ],
      { headers: { "content-type": "application/cloudevents-batch+json; charset=utf-8" } },
    );
    expect(await batch.json()).toEqual({ queued: 1, skipped: 1, duplicates: 0, quarantined: 0 });
    expect(sent).toEqual([
      expect.objectContaining({ key: "new-file.txt", eTag: "0x8D4BCC2E4835CD0" }),
      expect.objectContaining({ key: "b.ndjson" }),
    ]);
  });
});
