// The typed client: src/client/api.d.ts (generated from GET /v1/openapi.json by
// `npm run api:types`) with openapi-fetch, against the Worker's fetch handler in this isolate.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import createClient from "openapi-fetch";
import { describe, expect, it } from "vitest";
import type { components, paths } from "../src/client/api";
import worker from "../src/index";
import { BASE, gzip, INGEST_TOKEN, QUERY_TOKEN } from "./helpers";

type PushEvent = components["schemas"]["PushEvent"];
type PushBody = components["schemas"]["PushBody"];

// "application/json": the responses as this client parses them (GET /v1/logs also has NDJSON).
const client = createClient<paths, "application/json">({
  baseUrl: BASE,
  fetch: async (req) => {
    const ctx = createExecutionContext();
    const res = await worker.fetch(req, env, ctx);
    await waitOnExecutionContext(ctx);
    return res;
  },
});
const ingestAuth = { authorization: `Bearer ${INGEST_TOKEN}` };
const queryAuth = { authorization: `Bearer ${QUERY_TOKEN}` };
const turbopuffer = { path: { sourceId: "turbopuffer" } };

/** A turbopuffer audit event (src/vendors/turbopuffer/fixtures) by an actor only this file uses. */
function event(i: number, action = "api-key-created"): PushEvent {
  return {
    action,
    occurred_at: new Date(Date.UTC(2026, 3, 13, 14, 0, i)).toISOString().replace(".000Z", "Z"),
    actor: { type: "user", id: `typed_client_${i}`, name: "typed-client@example.com" },
    targets: [{ type: "api-key", id: `key_${i}/production`, name: "production" }],
    context: { location: "203.0.113.42" },
    metadata: { session_id: `sess_typed_${i}` },
  };
}

describe("typed client (openapi-typescript + openapi-fetch)", () => {
  it("pushes events in every documented framing and reads them back with GET /v1/logs", async () => {
    const array = await client.POST("/v1/ingest/{sourceId}", {
      params: turbopuffer,
      headers: ingestAuth,
      body: [event(1), event(2, "session-created")],
    });
    expect(array.response.status).toBe(200);
    expect(array.data).toEqual({ received: 2, inserted: 2, duplicates: 0, quarantined: 0 });

    const envelope = await client.POST("/v1/ingest/{sourceId}", {
      params: turbopuffer,
      headers: ingestAuth,
      body: { data: [event(3)] },
    });
    expect(envelope.data?.inserted).toBe(1);

    const ndjson = await client.POST("/v1/ingest/{sourceId}", {
      params: turbopuffer,
      headers: { ...ingestAuth, "content-type": "application/x-ndjson" },
      body: `${JSON.stringify(event(4))}\n${JSON.stringify(event(5))}\n`,
      bodySerializer: (body) => body as string,
    });
    expect(ndjson.data).toEqual({ received: 2, inserted: 2, duplicates: 0, quarantined: 0 });

    // application/gzip: recognised by its magic bytes; with Content-Encoding: gzip as declared.
    const bytes = (body: Blob | Uint8Array | string | PushBody) => body as BodyInit;
    const gzipped = await client.POST("/v1/ingest/{sourceId}", {
      params: turbopuffer,
      headers: { ...ingestAuth, "content-type": "application/gzip" },
      body: await gzip(JSON.stringify([event(6), event(1)])),
      bodySerializer: bytes,
    });
    expect(gzipped.data).toEqual({ received: 2, inserted: 1, duplicates: 1, quarantined: 0 });
    const encoded = await client.POST("/v1/ingest/{sourceId}", {
      params: { ...turbopuffer, header: { "Content-Encoding": "gzip" } },
      headers: { ...ingestAuth, "content-type": "application/gzip" },
      body: await gzip(`${JSON.stringify(event(7))}\n`),
      bodySerializer: bytes,
    });
    expect(encoded.data).toEqual({ received: 1, inserted: 1, duplicates: 0, quarantined: 0 });

    const list = await client.GET("/v1/logs", {
      params: { query: { actor: "typed-client@example.com", order: "asc", limit: 10 } },
      headers: queryAuth,
    });
    expect(list.response.status).toBe(200);
    const rows = list.data?.data ?? [];
    expect(list.data?.nextCursor).toBeNull();
    expect(rows.map((r) => r.eventName)).toEqual([
      "api-key-created",
      "session-created",
      "api-key-created",
      "api-key-created",
      "api-key-created",
      "api-key-created",
      "api-key-created",
    ]);
    const first = rows[0] ?? {};
    expect(first).toMatchObject({
      sourceID: "turbopuffer",
      sourceType: "turbopuffer",
      eventTime: "2026-04-13T14:00:01.000Z",
      srcIP: "203.0.113.42",
      actor: { id: "typed_client_1", type: "user", name: "typed-client@example.com" },
      resources: ["api-key:key_1/production"],
    });

    const one = await client.GET("/v1/logs/{id}", {
      params: { path: { id: String(first.id) } },
      headers: queryAuth,
    });
    expect(one.data).toEqual(first);
  });

  it("answers the documented 401 and 400 with the typed error body", async () => {
    const wrongToken = await client.POST("/v1/ingest/{sourceId}", {
      params: turbopuffer,
      headers: { authorization: "Bearer not-the-token" },
      body: event(8),
    });
    expect(wrongToken.response.status).toBe(401);
    expect(wrongToken.error?.error.code).toBe("invalid_token");

    const noToken = await client.GET("/v1/logs", { params: { query: {} } });
    expect(noToken.response.status).toBe(401);
    expect(noToken.error?.error.code).toBe("missing_token");

    const badLimit = await client.GET("/v1/logs", {
      params: { query: { limit: 0 } },
      headers: queryAuth,
    });
    expect(badLimit.response.status).toBe(400);
    expect(badLimit.error?.error.code).toBe("invalid_parameter");
  });
});
