// Push throughput over HTTP through wrangler dev: 20 pushes of 1,000 distinct Turbopuffer events
// (a quarter invitation-created, which a starter rule matches), after 2 warm-up pushes.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

// `node scripts/bench-push-http.mjs [REPO]`: REPO defaults to this checkout (give another
// checkout, e.g. a `git worktree` of an older commit, to compare back to back).
const root = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), "..");
const { startServer } = await import(`${root}/e2e/server.mjs`);
const s = await startServer({
  log: () => {},
  logFile: join(root, "test-results", "push-http-wrangler.log"),
});
const h = { authorization: `Bearer ${s.tokens.ingest}`, "content-type": "application/json" };
let n = 0;
const batch = () =>
  Array.from({ length: 1000 }, () => {
    const i = n++;
    return {
      action: i % 4 === 0 ? "invitation-created" : "session-created",
      occurred_at: new Date(Date.now() - 3600_000 + (i % 3600_000)).toISOString(),
      actor: { type: "user", id: `u${i % 50}`, name: `user${i % 50}@example.com` },
      targets: [{ type: "session", id: `sess_${i}`, name: `sess_${i}` }],
      context: { location: `203.0.113.${i % 200}` },
      metadata: { session_id: `sess_${i}` },
    };
  });
const push = async () => {
  const r = await fetch(`${s.base}/v1/ingest/turbopuffer`, {
    method: "POST",
    headers: h,
    body: JSON.stringify(batch()),
  });
  const j = await r.json();
  if (j.inserted !== 1000) throw new Error(JSON.stringify(j));
};
await push();
await push();
const t = performance.now();
for (let k = 0; k < 20; k++) await push();
const secs = (performance.now() - t) / 1000;
console.log(`${root}: push_http_events_per_s ${Math.round(20000 / secs)}`);
await s.stop();
