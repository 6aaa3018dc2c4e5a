#!/usr/bin/env node
// The bucket path's CSV reader (papaparse behind src/parse/csv.ts) against NDJSON of the same
// CircleCI events in the same run (`node scripts/bench-csv.mjs`): parse + normalize + row,
// exactly the Worker's code bundled with esbuild, fed in 64 KiB chunks as R2 streams them.
// Prints `BENCH name value` lines; the ratio is what CSV costs against the NDJSON baseline.
import { importWorkerCode } from "./lib/import-worker-code.mjs";

const EVENTS = 50_000;
const mod = await importWorkerCode(`export { readRecords } from "./src/parse/stream.ts";
  export { circleci } from "./src/vendors/circleci/normalize.ts";
  export { toRow } from "./src/store/rows.ts";`);
const source = { id: "circleci", type: "circleci", prefix: "circleci/" };

const COLUMNS = ["ID", "VERSION", "ACTION", "ACTOR", "TARGET", "SCOPE", "PAYLOAD", "OCCURRED_AT"];
const COLUMNS_LC = COLUMNS.map((c) => c.toLowerCase());
function event(i) {
  return {
    id: `5e0d2c1b-aaaa-4bbb-8ccc-${String(i).padStart(12, "0")}`,
    version: 1,
    action: ["workflow.job.start", "context.secrets.accessed", "project.settings.update"][i % 3],
    actor: { id: `u-${i % 5000}`, type: "user", name: `user, "${i % 5000}"` },
    target: { id: `p-${i % 300}`, type: "project", name: `project-${i % 300}` },
    scope: { id: "6f2c0c4e-9b1a-4f55-8d7e-3a0b2e9c1d44", type: "account", name: "acme" },
    payload: { job_name: `build-${i % 40}`, note: "line one\nline two" },
    occurred_at: new Date(Date.UTC(2026, 7, 1) + i * 37).toISOString(),
  };
}
const quote = (v) => {
  const s = typeof v === "object" ? JSON.stringify(v) : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};
const events = Array.from({ length: EVENTS }, (_, i) => event(i));
const files = {
  ndjson: `${events.map((e) => JSON.stringify(e)).join("\n")}\n`,
  csv: `${COLUMNS.join(",")}\r\n${events.map((e) => COLUMNS_LC.map((c) => quote(e[c])).join(",")).join("\r\n")}\r\n`,
};

function streamOf(text) {
  const bytes = new TextEncoder().encode(text);
  let at = 0;
  return new ReadableStream({
    pull(c) {
      if (at >= bytes.length) return c.close();
      c.enqueue(bytes.subarray(at, at + 65_536));
      at += 65_536;
    },
  });
}

async function eventsPerSecond(text) {
  const started = performance.now();
  let n = 0;
  for await (const r of mod.readRecords(streamOf(text), mod.circleci.isEvent, () => {}, 0)) {
    if (!r.ok) throw new Error(`bench record failed: ${r.error}`);
    const out = mod.circleci.normalize({ value: r.value, raw: r.raw });
    if (!out.ok) throw new Error(`bench event failed: ${out.error}`);
    mod.toRow(source, out.event, 0);
    n++;
  }
  if (n !== EVENTS) throw new Error(`read ${n} of ${EVENTS} events`);
  return n / ((performance.now() - started) / 1000);
}

// Warm up once, then the best of two runs of each (alternating, so both see the same machine).
await eventsPerSecond(files.ndjson);
await eventsPerSecond(files.csv);
const best = { ndjson: 0, csv: 0 };
for (let i = 0; i < 2; i++) {
  for (const k of ["ndjson", "csv"]) best[k] = Math.max(best[k], await eventsPerSecond(files[k]));
}
const report = (name, value) => console.log(`BENCH ${name.padEnd(44)} ${value}`);
report("bucket NDJSON events/s (baseline, 1 core)", best.ndjson.toFixed(0));
report("bucket CSV events/s (papaparse, 1 core)", best.csv.toFixed(0));
report("bucket CSV ÷ NDJSON throughput", (best.csv / best.ndjson).toFixed(2));
