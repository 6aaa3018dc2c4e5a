// `npm run rules:test` as part of `npm test`: every rule of the starter pack (rules/) against
// its own example events, through the vendors' normalizers, as the Worker would see them.
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

it("every starter rule matches its match events and none of its noMatch events", () => {
  const r = spawnSync(process.execPath, [join(repo, "scripts/rules-test.mjs")], {
    encoding: "utf8",
  });
  expect(r.status, r.stdout + r.stderr).toBe(0);
  expect(r.stdout).toMatch(/\b(1[5-9]|[2-9]\d) passed, 0 failed/);
}, 120_000);
