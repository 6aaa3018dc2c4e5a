#!/usr/bin/env node
// `npm run bench`: runs every benchmark and prints its `BENCH name value` lines:
// 1. bench/*.bench.ts in workerd with local D1 (rows written per event, push and bucket events/s);
// 2. scripts/bench-stream.mjs: the streaming parser on a 100 MB gzip file, heap capped at 128 MB;
// 2b. scripts/bench-csv.mjs: CSV (papaparse) against NDJSON of the same events;
// 3. scripts/bench-enrich.mjs: IP database load cost and lookups/s;
// 4. scripts/bench-quarantine.mjs: peak heap of an 8 MiB push body whose records all fail.
import { spawnSync } from "node:child_process";

function run(cmd, args, env = {}) {
  const r = spawnSync(cmd, args, {
    encoding: "utf8",
    env: { ...process.env, FORCE_COLOR: "0", ...env },
  });
  const out = `${r.stdout}\n${r.stderr}`;
  for (const l of out.split("\n").filter((line) => line.includes("BENCH "))) {
    console.log(l.slice(l.indexOf("BENCH ") + 6));
  }
  if (r.status !== 0) {
    console.error(out);
    process.exit(r.status ?? 1);
  }
}

run("npx", ["vitest", "run", "--config", "vitest.bench.config.ts", "--silent=false"]);
run(process.execPath, ["scripts/bench-stream.mjs"]);
run(process.execPath, ["scripts/bench-csv.mjs"]);
run(process.execPath, ["scripts/bench-enrich.mjs"]);
run(process.execPath, ["scripts/bench-quarantine.mjs"]);
