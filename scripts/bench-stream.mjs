#!/usr/bin/env node
// Benchmark of the bucket path's streaming stage on a 100 MB gzip NDJSON file
// (`node scripts/bench-stream.mjs`): gunzip → framing → CircleCI normalizer → row, exactly the
// Worker's code (bundled with esbuild), in a Node process whose V8 heap is capped at 128 MB like
// a Worker isolate. D1 writes are measured separately, in workerd (bench/ingest.bench.ts).
// Prints `BENCH name value` lines.
import { spawnSync } from "node:child_process";
import { createReadStream, createWriteStream, existsSync, mkdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { createGzip } from "node:zlib";
import { importWorkerCode } from "./lib/import-worker-code.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const file = join(root, ".bench", "circleci-100mb.ndjson.gz");
const TARGET = 100 * 1024 * 1024;

async function generate() {
  mkdirSync(dirname(file), { recursive: true });
  let i = 0;
  let written = 0;
  const hex = (n) =>
    Array.from({ length: n }, () => ((Math.random() * 16) | 0).toString(16)).join("");
  const lines = Readable.from(
    (function* () {
      while (written < TARGET) {
        const batch = [];
        for (let k = 0; k < 1000; k++, i++) {
          batch.push(
            JSON.stringify({
              id: `${hex(8)}-${hex(4)}-4${hex(3)}-${hex(4)}-${hex(12)}`,
              version: 1,
              action: ["workflow.job.start", "context.secrets.accessed", "project.settings.update"][
                i % 3
              ],
              actor: { id: `${hex(8)}-user`, type: "user", name: `user-${i % 5000}` },
              target: { id: `${hex(8)}-proj`, type: "project", name: `project-${i % 300}` },
              scope: { id: "6f2c0c4e-9b1a-4f55-8d7e-3a0b2e9c1d44", type: "account", name: "acme" },
              payload: { job_name: `build-${i % 40}`, workflow_id: hex(16) },
              occurred_at: new Date(Date.UTC(2026, 7, 1) + i * 37)
                .toISOString()
                .replace("Z", "123456Z"),
              metadata: { source: i % 2 ? "api" : "web-ui" },
              success: i % 11 !== 0,
              request: { id: hex(16), ip_address: `198.51.100.${i % 250}` },
            }),
          );
        }
        yield `${batch.join("\n")}\n`;
      }
    })(),
  );
  const gz = createGzip({ level: 6 });
  gz.on("data", (c) => {
    written += c.length;
  });
  await pipeline(lines, gz, createWriteStream(file));
}

if (process.argv[2] === "--child") {
  const mod = await importWorkerCode(`export { readRecords } from "./src/parse/stream.ts";
    export { circleci } from "./src/vendors/circleci/normalize.ts";
    export { toRow } from "./src/store/rows.ts";`);
  const source = { id: "circleci", type: "circleci", prefix: "circleci/" };
  let peakHeap = 0;
  let peakRss = 0;
  const sample = () => {
    const m = process.memoryUsage();
    peakHeap = Math.max(peakHeap, m.heapUsed);
    peakRss = Math.max(peakRss, m.rss);
  };
  const timer = setInterval(sample, 20);
  const started = performance.now();
  let n = 0;
  let bad = 0;
  // As the consumer reads: pako gunzip (taking restart points) → framing → normalize → row.
  const open = () => Readable.toWeb(createReadStream(file));
  for await (const r of mod.readRecords(open(), mod.circleci.isEvent)) {
    if (!r.ok) {
      bad++;
      continue;
    }
    const out = mod.circleci.normalize({ value: r.value, raw: r.raw });
    if (!out.ok) bad++;
    else mod.toRow(source, out.event, 0);
    if (++n % 50_000 === 0) sample();
  }
  clearInterval(timer);
  sample();
  const seconds = (performance.now() - started) / 1000;
  console.log(JSON.stringify({ n, bad, seconds, peakHeap, peakRss }));
} else {
  if (!existsSync(file)) {
    console.error("[bench] generating a 100 MB gzip NDJSON file in .bench/ (once)…");
    await generate();
  }
  const size = statSync(file).size;
  const r = spawnSync(
    process.execPath,
    ["--max-old-space-size=128", fileURLToPath(import.meta.url), "--child"],
    {
      encoding: "utf8",
    },
  );
  if (r.status !== 0) {
    console.error(r.stderr);
    process.exit(r.status ?? 1);
  }
  const res = JSON.parse(r.stdout.trim().split("\n").pop());
  const mib = (b) => `${(b / 1048576).toFixed(1)} MiB`;
  const report = (name, value) => console.log(`BENCH ${name.padEnd(44)} ${value}`);
  report("bucket file: gzip size", mib(size));
  report("bucket file: events (bad)", `${res.n} (${res.bad})`);
  report("bucket parse+normalize events/s (1 core)", (res.n / res.seconds).toFixed(0));
  report("bucket parse+normalize peak V8 heap", `${mib(res.peakHeap)} (heap capped at 128 MiB)`);
  report("bucket parse+normalize peak process RSS", mib(res.peakRss));
}
