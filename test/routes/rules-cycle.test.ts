// The vendor registry first, as the deployed bundle evaluates it: vendors → pollers → ingest →
// detect, so src/detect is evaluated while src/vendors is still loading. Keep this import first.

import { describe, expect, it } from "vitest";
import { SOURCE_TYPES } from "../../src/vendors";
import { ADMIN_TOKEN, call, type Json, push, query, tpEvent } from "../helpers";

/**
 * Issue 22 item 11: a rule without logsource.product and a correlation over rules in another
 * file threw (500) in the Worker as deployed, because src/detect/fields.ts copied the vendor
 * registry's SOURCE_TYPES at load time, before the import cycle had set it.
 */

const put = (id: string, yaml: string) =>
  call(`/v1/rules/${id}`, {
    method: "PUT",
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/yaml" },
    body: yaml,
  });

async function pushAction(action: string, i: number, actor = "cycle-actor") {
  const event = {
    ...tpEvent(i, Date.now() - i),
    action,
    actor: { type: "user", id: actor, name: `${actor}@example.com` },
  };
  expect((await push("turbopuffer", JSON.stringify(event))).status).toBe(200);
}

const alertsOf = async (ruleId: string) =>
  ((await (await query(`/v1/alerts?ruleId=${ruleId}`)).json()) as { data: Json[] }).data;

describe("rules that read the vendor registry, with it loaded first", () => {
  it("the registry is the one the bundle loads first", () => {
    expect(SOURCE_TYPES).toContain("turbopuffer");
  });

  it("a rule without logsource.product: PUT, then a push that matches alerts", async () => {
    const rule = `title: Any product\nid: any-product\nlevel: high\ndetection:\n  selection:\n    action: cycle-any\n  condition: selection\n`;
    const res = await put("any-product", rule);
    expect(res.status).toBe(201);
    await pushAction("cycle-any", 1);
    expect(await alertsOf("any-product")).toHaveLength(1);
  });

  it("a correlation in one file over a rule in another: PUT both, pushes cross the threshold", async () => {
    const base = `title: Cycle base\nid: cycle-base\nname: cycle_base\nlevel: low\nlogsource:\n  product: turbopuffer\ndetection:\n  selection:\n    action: cycle-count\n  condition: selection\n`;
    const corr = `title: Cycle burst\nid: cycle-burst\nlevel: high\ncorrelation:\n  type: event_count\n  rules: [cycle_base]\n  group-by: [actorId]\n  timespan: 1h\n  condition: { gte: 2 }\n`;
    expect((await put("cycle-base", base)).status).toBe(201);
    expect((await put("cycle-burst", corr)).status).toBe(201);
    await pushAction("cycle-count", 2);
    expect(await alertsOf("cycle-burst")).toHaveLength(0);
    await pushAction("cycle-count", 3);
    expect(await alertsOf("cycle-burst")).toMatchObject([{ ruleId: "cycle-burst", count: 1 }]);
  });
});
