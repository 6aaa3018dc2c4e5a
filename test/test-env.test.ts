import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

/**
 * The tests' env is wrangler.toml's [vars] and vitest.config.ts's TEST_BINDINGS, never a
 * developer's .dev.vars: `npm test` once sent 185 test alerts to the receiver named there.
 */
const e = env as unknown as Record<string, unknown> & { TEST_VAR_NAMES: string[] };

describe("the tests' env", () => {
  it("has no destination, and none of npm start's dev switches", () => {
    expect(e.DESTINATIONS).toBe("[]");
    for (const name of [
      "PUBLIC_URL",
      "EMIT_LOCAL_NOTIFICATIONS",
      "DEV_CLOCK_OFFSET_MS",
      "ARCHIVE_THROUGH_NOW",
      "LOCAL_WEBHOOK_SECRET",
      "ACCESS_TEAM_DOMAIN",
      "ACCESS_AUD",
      "ACCESS_ADMINS",
      "ACCESS_JWKS",
      "SNS_CERTS",
      "GOOGLE_JWKS",
    ])
      expect(e[name], name).toBeUndefined();
  });

  it("holds no var but those of wrangler.toml and the test config", () => {
    // Vars are strings or JSON values; bindings (D1, R2, queues, the pool's own) are objects.
    const isVar = (v: unknown) =>
      typeof v === "string" ||
      Array.isArray(v) ||
      (typeof v === "object" && v !== null && Object.getPrototypeOf(v) === Object.prototype);
    const vars = Object.keys(e).filter((k) => !k.startsWith("__VITEST") && isVar(e[k]));
    const allowed = new Set([...e.TEST_VAR_NAMES, "TEST_MIGRATIONS", "TEST_VAR_NAMES"]);
    expect(vars.filter((k) => !allowed.has(k))).toEqual([]);
  });
});
