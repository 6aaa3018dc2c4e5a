import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ADMIN_TOKEN, call, count, push, tpEvent } from "../helpers";

/**
 * A commit matches its rows with the rules its isolate last loaded, without reading their
 * version first, and checks that version in its own transaction (src/pipeline/ingest.ts,
 * src/store/rules.ts rulesUnchangedStatement): a rule put, deleted, enabled or disabled since
 * (by this isolate or any other) rolls the commit back, and it is matched again with the rules
 * now in force. Nothing is written or counted twice.
 */
const RULE = `title: rules in force probe
id: rules-in-force-probe
level: low
logsource:
  product: turbopuffer
detection:
  selection:
    eventName: rules-in-force-probe
  condition: selection
`;

const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
const stats = async () =>
  env.DB.prepare(
    "SELECT received, inserted, duplicates, quarantined FROM source_stats WHERE sourceID = 'turbopuffer'",
  ).first<{ received: number; inserted: number; duplicates: number; quarantined: number }>();
const probe = (i: number) => ({ ...tpEvent(i), action: "rules-in-force-probe" });
const detections = () =>
  count("SELECT count(*) AS n FROM detections WHERE ruleId = 'rules-in-force-probe'");

async function pushOne(event: object) {
  const res = await push("turbopuffer", JSON.stringify([event]));
  expect(res.status).toBe(200);
  expect(await res.json()).toMatchObject({ received: 1, inserted: 1 });
}

describe("rules in force at commit", () => {
  it("a rule put after the isolate loaded its rules matches the next event; deleted, it stops", async () => {
    await pushOne(tpEvent(7_100)); // the rules are loaded
    await pushOne(probe(7_101)); // no such rule yet
    expect(await detections()).toBe(0);

    const put = await call("/v1/rules/rules-in-force-probe", {
      method: "PUT",
      headers: { ...admin, "content-type": "application/yaml" },
      body: RULE,
    });
    expect(put.status).toBe(201);
    const before = await stats();
    await pushOne(probe(7_102));
    expect(await detections()).toBe(1);
    // the commit rolled back by the changed rules left nothing: one event received, one stored
    const after = await stats();
    expect(after?.received).toBe((before?.received ?? 0) + 1);
    expect(after?.inserted).toBe((before?.inserted ?? 0) + 1);
    expect(after?.duplicates).toBe(before?.duplicates);

    const del = await call("/v1/rules/rules-in-force-probe", { method: "DELETE", headers: admin });
    expect(del.status).toBe(204);
    await pushOne(probe(7_103));
    expect(await detections()).toBe(1);
  });

  it("a starter rule disabled after the isolate loaded its rules no longer matches", async () => {
    const invitation = (i: number) => ({ ...tpEvent(i), action: "invitation-created" });
    const hits = () =>
      count(
        "SELECT count(*) AS n FROM detections d JOIN events e ON e.id = d.eventId WHERE e.eventName = 'invitation-created'",
      );
    await pushOne(invitation(7_200));
    const matched = await hits();
    expect(matched).toBeGreaterThan(0);
    const rules = (await (await call("/v1/rules", { headers: admin })).json()) as {
      data: Array<{ id: string; rules: Array<{ id: string; title: string }> }>;
    };
    const file = rules.data.find((f) =>
      f.rules.some((r) => /turbopuffer invitation created/i.test(r.title)),
    );
    expect(file).toBeDefined();
    const off = await call(`/v1/rules/${file?.id}/disable`, { method: "POST", headers: admin });
    expect(off.status).toBeLessThan(300);
    await pushOne(invitation(7_201));
    expect(await hits()).toBe(matched);
  });
});
