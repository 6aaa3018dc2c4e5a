// scripts/rules-bundle.mjs refuses two files of rules/ that use one rule id (issue 22 item 10).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, expect, it } from "vitest";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const dirs = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

it("a rule id used in two files fails the bundle, naming both files", () => {
  const dir = mkdtempSync(join(tmpdir(), "rules-"));
  dirs.push(dir);
  const yaml = readFileSync(join(repo, "rules", "turso-token-created.yml"), "utf8");
  writeFileSync(join(dir, "turso-token-created.yml"), yaml);
  writeFileSync(join(dir, "zz-copy.yml"), yaml);
  const r = spawnSync(
    process.execPath,
    [join(repo, "scripts/rules-bundle.mjs"), "--check", "--rules", dir],
    { encoding: "utf8" },
  );
  expect(r.status).toBe(1);
  expect(r.stderr).toContain(
    'rule id "turso-token-created" is in rules/turso-token-created.yml and in rules/zz-copy.yml',
  );
});
