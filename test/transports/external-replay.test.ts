import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { deliver } from "../bucket-helpers";
import { ADMIN_TOKEN, call, type Json } from "../helpers";

afterEach(() => vi.restoreAllMocks());

/** A vendor-bucket object that exhausted its retries: kept, then replayed after the fix. */
describe("dead letters of a vendor's own bucket", () => {
  it("are kept in quarantine and a replay queues the object again at its current version", async () => {
    const message = {
      kind: "auditflare.object",
      sourceId: "cci-s3",
      bucket: "acme-audit",
      key: "circleci/dead/letter.ndjson",
      eTag: "etag-old",
      size: 10,
    };
    await deliver([{ body: message }], "auditflare-bucket-events-dlq");
    const kept = await env.DB.prepare(
      "SELECT id, errorCode, sourceID, location FROM quarantine WHERE location = 'circleci/dead/letter.ndjson'",
    ).first<Json>();
    expect(kept).toMatchObject({ errorCode: "retries_exhausted", sourceID: "cci-s3" });

    const heads: string[] = [];
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      const req = new Request(input as RequestInfo, init);
      heads.push(`${req.method} ${req.url}`);
      return new Response(null, { headers: { etag: '"etag-new"', "content-length": "42" } });
    });
    const sent: unknown[] = [];
    vi.spyOn(env.BUCKET_EVENTS, "send").mockImplementation(async (body) => {
      sent.push(body);
      return undefined as never;
    });
    const res = await call(`/v1/quarantine/${kept?.id}/replay`, {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(res.status).toBe(202);
    expect(heads).toEqual(["HEAD https://s3.test/acme-audit/circleci/dead/letter.ndjson"]);
    expect(sent).toEqual([{ ...message, eTag: "etag-new", size: 42 }]);
  });
});
