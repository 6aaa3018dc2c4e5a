import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import worker from "../../../src/index";
import circleciNdjson from "../../../src/vendors/circleci/fixtures/events.ndjson?raw";
import { deliver } from "../../bucket-helpers";
import { ADMIN_TOKEN, call, type Json, QUERY_TOKEN, query } from "../../helpers";

afterEach(() => vi.restoreAllMocks());

const upload = (sourceId: string, body: BodyInit, qs = "", token = ADMIN_TOKEN) =>
  call(`/v1/sources/${sourceId}/files${qs}`, {
    method: "POST",
    body,
    headers: { authorization: `Bearer ${token}` },
  });

describe("POST /v1/sources/:sourceId/files", () => {
  it("stores the file under the source's prefix; the queue consumer then ingests it", async () => {
    const res = await upload("circleci", circleciNdjson, "?name=events.ndjson");
    expect(res.status).toBe(202);
    const { key } = (await res.json()) as { key: string };
    expect(key).toMatch(/^circleci\/uploads\/\d{4}-\d{2}-\d{2}\/\d+-[0-9a-f]{8}-events\.ndjson$/);
    const object = await env.LANDING.get(key);
    expect(await object?.text()).toBe(circleciNdjson);

    const head = await env.LANDING.head(key);
    await deliver([
      {
        body: {
          action: "PutObject",
          bucket: "auditflare-landing",
          object: { key, size: head?.size, eTag: head?.etag },
        },
      },
    ]);
    const rows = ((await (await query("/v1/logs?sourceID=circleci")).json()) as { data: Json[] })
      .data;
    expect(rows).toHaveLength(3);
    // Rows that came by upload say so; a vendor delivery carries no such mark.
    expect(rows.map((r) => (r.tags as Json).auditflareOrigin)).toEqual([
      "upload",
      "upload",
      "upload",
    ]);
  });

  it("needs the admin token: the query token only reads (403), and cannot forge events", async () => {
    const forged = JSON.stringify({
      action: "api-key-created",
      occurred_at: "2026-04-01T00:00:00Z",
      actor: { type: "user", id: "evil" },
    });
    const res = await upload("tp-files", forged, "?name=forged.ndjson", QUERY_TOKEN);
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: Json }).error.code).toBe("admin_required");
    expect((await env.LANDING.list({ prefix: "turbopuffer-files/uploads/" })).objects).toHaveLength(
      0,
    );
  });

  it("enqueues the notification itself when EMIT_LOCAL_NOTIFICATIONS is on (local dev)", async () => {
    const sent: unknown[] = [];
    vi.spyOn(env.BUCKET_EVENTS, "send").mockImplementation(async (body) => {
      sent.push(body);
      return undefined as never;
    });
    const req = new Request("https://auditflare.test/v1/sources/airkit/files?name=a.csv", {
      method: "POST",
      body: "EVENT_ID,EVENT_TYPE,EVENT_TIME\nak-up-1,user_login,2026-08-21 09:00:00\n",
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    const res = await worker.fetch(
      req,
      { ...env, EMIT_LOCAL_NOTIFICATIONS: "true" } as Env,
      createExecutionContext(),
    );
    expect(res.status).toBe(202);
    const { key } = (await res.json()) as { key: string };
    expect(sent).toEqual([
      expect.objectContaining({ action: "PutObject", object: expect.objectContaining({ key }) }),
    ]);
    await deliver([{ body: sent[0] }]);
    const rows = ((await (await query("/v1/logs?sourceID=airkit")).json()) as { data: Json[] })
      .data;
    expect(rows.map((r) => r.eventID)).toEqual(["ak-up-1"]);
  });

  it("rejects a push source, an unknown source, a bad name and a missing token", async () => {
    expect((await upload("turbopuffer", "x")).status).toBe(404);
    expect((await upload("nope", "x")).status).toBe(404);
    expect((await upload("circleci", "x", "?name=../../etc")).status).toBe(400);
    expect((await upload("circleci", "x", "", "wrong")).status).toBe(401);
  });
});
