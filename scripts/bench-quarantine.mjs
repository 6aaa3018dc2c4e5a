#!/usr/bin/env node
// Memory of the push path on a body of the maximum size (8 MiB) whose records are all invalid
// (`node scripts/bench-quarantine.mjs`): framing → per-record isolation → the quarantine group
// (gzipped as it is built), exactly the Worker's code (bundled with esbuild), in a Node process
// whose V8 heap is capped at 128 MB like a Worker isolate. Prints `BENCH name value` lines.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { importWorkerCode } from "./lib/import-worker-code.mjs";

const MAX_BODY = 8 * 1024 * 1024;

function body(kind) {
  // One valid line (so the body is NDJSON, not a 400), then 4.2 M one-character bad lines.
  if (kind === "tiny")
    return `{"action":"a","occurred_at":"2026-01-01T00:00:00Z","actor":{"type":"u","id":"1"}}\n${"x\n".repeat(MAX_BODY / 2 - 64)}`;
  const lines = [];
  let size = 0;
  for (let i = 0; size < MAX_BODY - 64; i++) {
    const l = `{"action":"session-created","occurred_at":"never-${i}"}`; // valid JSON, bad event
    lines.push(l);
    size += l.length + 1;
  }
  return lines.join("\n");
}

if (process.argv[2] === "--child") {
  const kind = process.argv[3];
  const mod = await importWorkerCode(`export { frameJson } from "./src/parse/json.ts";
    export { prepareRecords } from "./src/pipeline/prepare.ts";`);
  const source = { id: "turbopuffer", type: "turbopuffer", ingestTokenEnv: "T" };
  const text = body(kind);
  global.gc?.();
  const base = process.memoryUsage().heapUsed;
  let peak = 0;
  const sample = () => {
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  };
  const timer = setInterval(sample, 5);
  const started = performance.now();
  const framed = mod.frameJson(text, () => true);
  // An empty database: no record was kept before (the quarantine lookup finds nothing).
  const none = { bind: () => none, all: async () => ({ results: [] }) };
  const env = { DB: { prepare: () => none } };
  const prepared = await mod.prepareRecords(env, source, framed.records, Date.now());
  const group = prepared.quarantine[0].group;
  const stored = await group.finish();
  clearInterval(timer);
  sample();
  console.log(
    JSON.stringify({
      records: group.count,
      seconds: (performance.now() - started) / 1000,
      peak,
      base,
      kept: "gzip" in stored ? stored.gzip.length : stored.text.length,
    }),
  );
} else {
  const mib = (b) => (b / 1048576).toFixed(1);
  for (const kind of ["tiny", "events"]) {
    const r = spawnSync(
      process.execPath,
      ["--max-old-space-size=128", "--expose-gc", fileURLToPath(import.meta.url), "--child", kind],
      { encoding: "utf8" },
    );
    if (r.status !== 0) {
      console.error(r.stderr);
      process.exit(r.status ?? 1);
    }
    const res = JSON.parse(r.stdout.trim().split("\n").pop());
    console.log(
      `BENCH quarantine_peak_heap_mib ${kind} ${mib(res.peak)}   (8 MiB body, ${res.records} invalid records, ${res.seconds.toFixed(1)} s, kept ${mib(res.kept)} MiB gzipped; heap before ${mib(res.base)} MiB, capped at 128)`,
    );
  }
}
