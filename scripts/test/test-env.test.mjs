// `npm test` never reads a developer's .dev.vars (it once sent 185 test alerts to the receiver
// named there): the Worker's test options, built from a wrangler.toml with a .dev.vars and a
// .env beside it holding every key of .dev.vars.example, carry none of their values.
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "smol-toml";
import { describe, expect, it } from "vitest";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { TEST_BINDINGS, workerMiniflareOptions } from "../../vitest.config.ts";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const LEAK = "from-the-developers-dev-vars";

/** The keys of .dev.vars.example. */
const exampleKeys = () =>
  readFileSync(join(repo, ".dev.vars.example"), "utf8")
    .split("\n")
    .map((l) => l.match(/^([A-Z][A-Z0-9_]*)=/)?.[1])
    .filter(Boolean);

/** A copy of wrangler.toml with a .dev.vars and a .env beside it, every example key set. */
function checkout() {
  const dir = mkdtempSync(join(tmpdir(), "auditflare-test-env-"));
  copyFileSync(join(repo, "wrangler.toml"), join(dir, "wrangler.toml"));
  const lines = exampleKeys().map((k) => `${k}=${LEAK}`);
  lines.push(
    `DESTINATIONS='[{"id":"x","type":"webhook","url":"http://127.0.0.1:9/","secretEnv":"S"}]'`,
  );
  writeFileSync(join(dir, ".dev.vars"), `${lines.join("\n")}\nONLY_IN_DEV_VARS=${LEAK}\n`);
  writeFileSync(join(dir, ".env"), `ONLY_IN_DOT_ENV=${LEAK}\n`);
  return join(dir, "wrangler.toml");
}

describe("the Worker tests' env", () => {
  it("wrangler's own options would carry the .dev.vars (what the pool used to do)", () => {
    const { workerOptions } = unstable_getMiniflareWorkerOptions(checkout());
    expect(workerOptions.bindings.ONLY_IN_DEV_VARS).toBe(LEAK);
  });

  it("is wrangler.toml's [vars] and the test config's bindings, nothing from .dev.vars or .env", () => {
    const configPath = checkout();
    const { bindings } = workerMiniflareOptions(configPath);
    const vars = parse(readFileSync(configPath, "utf8")).vars ?? {};
    expect(Object.keys(bindings).sort()).toEqual(
      [...new Set([...Object.keys(vars), ...Object.keys(TEST_BINDINGS)])].sort(),
    );
    expect(JSON.stringify(bindings)).not.toContain(LEAK);
    expect(JSON.stringify(bindings)).not.toContain("127.0.0.1:9");
    expect(bindings.DESTINATIONS).toBe("[]");
  });

  it("every key of .dev.vars.example is the test config's value or absent", () => {
    const { bindings } = workerMiniflareOptions(checkout());
    const keys = exampleKeys();
    expect(keys).toContain("DESTINATIONS");
    for (const k of keys) expect(bindings[k], k).toBe(TEST_BINDINGS[k]);
  });
});
