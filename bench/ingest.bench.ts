import { env } from "cloudflare:workers";
import { it, vi } from "vitest";
import type { SourceConfig } from "../src/config";
import { frameJson } from "../src/parse/json";
import { prepareRecords } from "../src/pipeline";
import { commit } from "../src/store/ingest";
import { deliver, putObject } from "../test/bucket-helpers";
import { gzip, push, tpEvent } from "../test/helpers";

const source: SourceConfig = {
  id: "turbopuffer",
  type: "turbopuffer",
  ingestTokenEnv: "TURBOPUFFER_INGEST_TOKEN",
};
const report = (name: string, value: string) => console.log(`BENCH ${name.padEnd(44)} ${value}`);

it("D1 rows written per stored event", async () => {
  const n = 1000;
  const events = Array.from({ length: n }, (_, i) => tpEvent(1_000_000 + i));
  const framed = frameJson(JSON.stringify(events), () => true);
  if (!framed.ok) throw new Error("framing failed");
  const now = Date.now();
  const prepared = await prepareRecords(env, source, framed.records, now);
  const first = await commit(env, {
    sourceID: source.id,
    sourceType: source.type,
    ...prepared,
    received: n,
    now,
  });
  const again = await commit(env, {
    sourceID: source.id,
    sourceType: source.type,
    ...prepared,
    received: n,
    now,
  });
  report(
    "rows_written per new event (1,000-event batch)",
    (first.rowsWritten / first.inserted).toFixed(3),
  );
  report("rows_written per duplicate event", (again.rowsWritten / n).toFixed(3));
});

it("push ingest throughput (end to end through the Worker)", async () => {
  const bodies = 10;
  const perBody = 1000;
  let next = 2_000_000;
  const payloads = Array.from({ length: bodies }, () =>
    JSON.stringify(Array.from({ length: perBody }, () => tpEvent(next++))),
  );
  const started = performance.now();
  for (const body of payloads) {
    const res = await push("turbopuffer", body);
    if (res.status !== 200) throw new Error(`push failed: ${res.status} ${await res.text()}`);
  }
  const seconds = (performance.now() - started) / 1000;
  report(
    "push ingest events/s (10 x 1,000-event bodies)",
    ((bodies * perBody) / seconds).toFixed(0),
  );
  const bytes = payloads.reduce((n, p) => n + p.length, 0);
  report("push ingest MB/s of JSON", (bytes / 1e6 / seconds).toFixed(2));
});

it("bucket file throughput (50,000-event gzip NDJSON through the queue consumer and D1)", async () => {
  const lines = Array.from({ length: 50_000 }, (_, i) =>
    JSON.stringify({
      id: `bench-file-${i}`,
      version: 1,
      action: "workflow.job.start",
      actor: { id: `user-${i % 97}`, type: "user", name: `user${i % 97}` },
      target: { id: `project-${i % 13}`, type: "project", name: `p${i % 13}` },
      occurred_at: new Date(Date.UTC(2026, 7, 1) + i * 1000).toISOString(),
      success: true,
      request: { id: `req-${i}`, ip_address: "198.51.100.5" },
    }),
  ).join("\n");
  const n = await putObject("circleci/bench/big.ndjson.gz", await gzip(lines));
  const sent: unknown[] = [];
  vi.spyOn(env.BUCKET_EVENTS, "send").mockImplementation(async (body) => {
    sent.push(body);
    return undefined as never;
  });
  const started = performance.now();
  await deliver([{ body: n }]);
  for (let i = 0; i < sent.length && i < 10; i++) await deliver([{ body: sent[i] }]);
  const seconds = (performance.now() - started) / 1000;
  report("bucket ingest events/s (50k gzip NDJSON, D1)", (50_000 / seconds).toFixed(0));
  vi.restoreAllMocks();
});

it("D1 bytes per stored event (database size delta)", async () => {
  const size = async () => (await env.DB.prepare("SELECT 1").run()).meta.size_after ?? 0;
  const before = await size();
  const n = 10_000;
  for (let b = 0; b < n / 1000; b++) {
    const body = JSON.stringify(
      Array.from({ length: 1000 }, (_, i) => tpEvent(5_000_000 + b * 1000 + i)),
    );
    const res = await push("turbopuffer", body);
    if (res.status !== 200) throw new Error(`push failed: ${res.status}`);
  }
  const perEvent = ((await size()) - before) / n;
  report("D1 bytes per stored turbopuffer event", perEvent.toFixed(0));
  report("events per GB of D1", (1e9 / perEvent).toExponential(2));
  report("days per 10 GB database at 10 events/s", (10e9 / perEvent / (10 * 86_400)).toFixed(0));
});
