// Helpers shared by the explorer's e2e files (not a test file: no .e2e.mjs).
import assert from "node:assert/strict";

/** POSTs turbopuffer events (objects; each defaults to a session-created now) to the e2e Worker. */
export async function pushTurbopuffer(base, tokens, events) {
  const res = await fetch(`${base}/v1/ingest/turbopuffer`, {
    method: "POST",
    headers: { authorization: `Bearer ${tokens.ingest}`, "content-type": "application/json" },
    body: JSON.stringify(
      events.map((e) => ({
        action: "session-created",
        occurred_at: new Date().toISOString(),
        targets: [],
        metadata: {},
        ...e,
      })),
    ),
  });
  const body = await res.json();
  assert.equal(res.status, 200, JSON.stringify(body));
  return body;
}
