import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { catalog } from "../../src/catalog";

const VIEWS = catalog().views;

import { VENDORS } from "../../src/vendors";

const squash = (s: string) => s.replace(/\s+/g, " ").trim();

describe("views are generated from the vendor registry", () => {
  it("the migrated database holds exactly the views the registry generates (npm run views)", async () => {
    const { results } = await env.DB.prepare(
      "SELECT name, sql FROM sqlite_schema WHERE type = 'view' ORDER BY name",
    ).all<{ name: string; sql: string }>();
    expect(results.map((r) => r.name)).toEqual(VIEWS.map((v) => v.name).sort());
    for (const view of VIEWS) {
      const stored = results.find((r) => r.name === view.name);
      expect(squash(String(stored?.sql)), view.name).toBe(squash(view.sql));
    }
  });

  it("`logs` over every source, then one view per vendor, named as its seed table", () => {
    expect(VIEWS.map((v) => v.name)).toEqual(["logs", ...VENDORS.map((v) => v.view.name)]);
    // The views that shipped keep their seed tables' names (a rename would break saved queries).
    expect(VIEWS.map((v) => v.name)).toEqual(
      expect.arrayContaining([
        "turbopuffer_audit_logs",
        "circleci_audit_logs",
        "airkit_audit_logs",
        "planetscale_logs",
        "turso_audit_logs",
        "auditflare_audit_logs",
      ]),
    );
    expect(new Set(VENDORS.map((v) => v.view.name)).size).toBe(VENDORS.length);
  });
});
