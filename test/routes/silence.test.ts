import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { BASE, envWith, type Json, QUERY_TOKEN } from "../helpers";

async function sources(e: Env, path = "/v1/sources") {
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request(`${BASE}${path}`, { headers: { authorization: `Bearer ${QUERY_TOKEN}` } }),
    e,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return ((await res.json()) as { data: Json[] }).data;
}

describe("drop-off: maxSilenceMinutes", () => {
  it("a source that received nothing for that long is silent; one that did is not; none set: null", async () => {
    const e = envWith({
      SOURCES: [
        { id: "quiet", type: "turbopuffer", ingestTokenEnv: "QUIET_TOKEN", maxSilenceMinutes: 30 },
        {
          id: "chatty",
          type: "turbopuffer",
          ingestTokenEnv: "TURBOPUFFER_INGEST_TOKEN",
          maxSilenceMinutes: 30,
        },
        { id: "unwatched", type: "turbopuffer", ingestTokenEnv: "OTHER_INGEST_TOKEN" },
      ],
    });
    const ctx = createExecutionContext();
    const push = await worker.fetch(
      new Request(`${BASE}/v1/ingest/chatty`, {
        method: "POST",
        headers: { authorization: "Bearer test-ingest-token", "content-type": "application/json" },
        body: JSON.stringify({
          id: "silence-1",
          action: "namespace.write",
          occurred_at: new Date().toISOString(),
          actor: { type: "user", id: "u1", name: "alice" },
        }),
      }),
      e,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(push.status).toBe(200);
    const byId = Object.fromEntries((await sources(e)).map((s) => [s.id, s]));
    expect(byId.quiet).toMatchObject({ silent: true, silentSince: null });
    expect(byId.chatty).toMatchObject({ silent: false, silentSince: null });
    expect(byId.unwatched).toMatchObject({ silent: null, silentSince: null });
  });
});
