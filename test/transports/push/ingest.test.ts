import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import batchJson from "../../../src/vendors/turbopuffer/fixtures/batch.json";
import batchNdjson from "../../../src/vendors/turbopuffer/fixtures/batch.ndjson?raw";
import apiKeyCreated from "../../../src/vendors/turbopuffer/fixtures/event-api-key-created.json";
import apiKeyExpired from "../../../src/vendors/turbopuffer/fixtures/event-api-key-marked-as-expired.json";
import { count, gzip, type Json, push, query, tpEvent } from "../../helpers";

async function json(res: Response): Promise<Json> {
  return (await res.json()) as Json;
}

describe("POST /v1/ingest/:sourceId — fixtures", () => {
  it("maps the verbatim api-key-created example to the expected row", async () => {
    const res = await push("turbopuffer", JSON.stringify(apiKeyCreated));
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ received: 1, inserted: 1, duplicates: 0, quarantined: 0 });

    const list = await json(await query("/v1/logs?eventName=api-key-created&sourceID=turbopuffer"));
    const rows = list.data as Json[];
    expect(rows).toHaveLength(1);
    const row = rows[0] as Json;
    expect(row.sourceType).toBe("turbopuffer");
    expect(row.sourceID).toBe("turbopuffer");
    expect(row.eventName).toBe("api-key-created");
    expect(row.eventTime).toBe("2026-04-13T14:22:08.000Z");
    expect(row.srcIP).toBe("203.0.113.42");
    expect(row.serviceName).toBe("turbopuffer");
    expect(row.readOnly).toBe(false);
    expect(row.actor).toEqual({
      id: "V1StGXR8_Z5jdHi6B-myTq",
      type: "user",
      name: "ada@example.com",
      email: "ada@example.com",
    });
    expect(row.resources).toEqual(["api-key:8fW3zNcY6tRo1kGpLvAe2b/production"]);
    expect(row.tags).toEqual({ session_id: "sess_lK9eT0vB3xYq2pNwA4fJ7" });
    expect(JSON.parse(row.rawLog as string)).toEqual(apiKeyCreated);
    expect(row.eventID).toMatch(/^[0-9a-f]{64}$/);
    expect(row.id).toMatch(/^[0-9a-f]{32}$/);
    expect(row.receivedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(row.sourceFields).toEqual({
      action: "api-key-created",
      occurredAt: "2026-04-13T14:22:08Z",
      actorType: "user",
      actorId: "V1StGXR8_Z5jdHi6B-myTq",
      actorName: "ada@example.com",
      targets: apiKeyCreated.targets,
      contextLocation: "203.0.113.42",
      sessionId: "sess_lK9eT0vB3xYq2pNwA4fJ7",
      impersonator: null,
      impersonationReason: null,
    });

    const one = await json(await query(`/v1/logs/${row.id}`));
    expect(one).toEqual(row);
  });

  it("maps the verbatim api-key-marked-as-expired example", async () => {
    const res = await push("turbopuffer", JSON.stringify(apiKeyExpired));
    expect(res.status).toBe(200);
    const rows = (await json(await query("/v1/logs?eventName=api-key-marked-as-expired")))
      .data as Json[];
    expect(rows).toHaveLength(1);
    const row = rows[0] as Json;
    expect(row.eventTime).toBe(new Date(apiKeyExpired.occurred_at).toISOString());
    expect(row.srcIP).toBe(apiKeyExpired.context.location);
    expect(row.actor).toMatchObject({ id: apiKeyExpired.actor.id, type: "user" });
    expect(row.resources).toEqual(apiKeyExpired.targets.map((t) => `${t.type}:${t.id}`));
  });

  it("gives the same event the same id whatever its key order", async () => {
    const reordered = Object.fromEntries(Object.entries(apiKeyCreated).reverse());
    const res = await push("turbopuffer", JSON.stringify(reordered));
    expect(await json(res)).toEqual({ received: 1, inserted: 0, duplicates: 1, quarantined: 0 });
  });

  it("uses the event's own id as eventID when it has one", async () => {
    const withId = { ...tpEvent(900), id: "evt_01HXYZ" };
    expect((await push("turbopuffer", JSON.stringify(withId))).status).toBe(200);
    const rows = (await json(await query("/v1/logs?actor=user_900"))).data as Json[];
    expect(rows.map((r) => r.eventID)).toEqual(["evt_01HXYZ"]);
  });
});

describe("POST /v1/ingest/:sourceId — framings", () => {
  const ids = async () =>
    (
      await env.DB.prepare(
        "SELECT eventID FROM logs WHERE sourceID = 'tp-other' ORDER BY eventID",
      ).all<{ eventID: string }>()
    ).results.map((r) => r.eventID);

  it("stores the same 5 rows from batch.json, batch.ndjson, gzip and an envelope", async () => {
    const other = { token: "other-ingest-token" };
    const first = await json(await push("tp-other", JSON.stringify(batchJson), other));
    expect(first).toEqual({ received: 5, inserted: 5, duplicates: 0, quarantined: 0 });
    const stored = await ids();
    expect(stored).toHaveLength(5);

    const nd = await json(
      await push("tp-other", batchNdjson, {
        ...other,
        headers: { "content-type": "application/x-ndjson" },
      }),
    );
    expect(nd).toEqual({ received: 5, inserted: 0, duplicates: 5, quarantined: 0 });

    const gz = await push("tp-other", await gzip(batchNdjson), {
      ...other,
      headers: { "content-encoding": "gzip", "content-type": "application/x-ndjson" },
    });
    expect(await json(gz)).toEqual({ received: 5, inserted: 0, duplicates: 5, quarantined: 0 });

    const sniffed = await push("tp-other", await gzip(JSON.stringify(batchJson)), other);
    expect(await json(sniffed)).toEqual({
      received: 5,
      inserted: 0,
      duplicates: 5,
      quarantined: 0,
    });

    const envelope = await push(
      "tp-other",
      JSON.stringify({ data: batchJson, meta: { n: 5 } }),
      other,
    );
    expect(await json(envelope)).toEqual({
      received: 5,
      inserted: 0,
      duplicates: 5,
      quarantined: 0,
    });
    expect(await ids()).toEqual(stored);
  });
});

describe("POST /v1/ingest/:sourceId — idempotency", () => {
  it("stores a body sent three times once and reports the duplicates", async () => {
    const body = JSON.stringify([1, 2, 3, 4, 5].map((i) => tpEvent(100 + i)));
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await json(await push("turbopuffer", body)));
    expect(answers).toEqual([
      { received: 5, inserted: 5, duplicates: 0, quarantined: 0 },
      { received: 5, inserted: 0, duplicates: 5, quarantined: 0 },
      { received: 5, inserted: 0, duplicates: 5, quarantined: 0 },
    ]);
    expect(
      await count(
        "SELECT count(*) AS n FROM logs WHERE eventName = 'session-created' AND json_extract(actor, '$.id') IN ('user_101','user_102','user_103','user_104','user_105')",
      ),
    ).toBe(5);
  });

  it("counts a repeated event inside one body as a duplicate", async () => {
    const e = tpEvent(200);
    expect(await json(await push("turbopuffer", JSON.stringify([e, e])))).toEqual({
      received: 2,
      inserted: 1,
      duplicates: 1,
      quarantined: 0,
    });
  });

  it("stores a 1,000-event body in statements within D1's limits", async () => {
    const body = JSON.stringify(Array.from({ length: 1000 }, (_, i) => tpEvent(10_000 + i)));
    expect(await json(await push("turbopuffer", body))).toEqual({
      received: 1000,
      inserted: 1000,
      duplicates: 0,
      quarantined: 0,
    });
  });
});
