#!/usr/bin/env node
// `npm run bench`: runs every benchmark and prints its `BENCH name value` lines.
import { spawnSync } from "node:child_process";

const r = spawnSync(
  "npx",
  ["vitest", "run", "--config", "vitest.bench.config.ts", "--silent=false"],
  {
    encoding: "utf8",
    env: { ...process.env, FORCE_COLOR: "0" },
  },
);
const out = `${r.stdout}\n${r.stderr}`;
const lines = out.split("\n").filter((l) => l.includes("BENCH "));
for (const l of lines) console.log(l.slice(l.indexOf("BENCH ") + 6));
if (r.status !== 0) {
  console.error(out);
  process.exit(r.status ?? 1);
}
