import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import worker from "../../src/index";
import { ADMIN_TOKEN, call, count, type Json, push, QUERY_TOKEN, query, tpEvent } from "../helpers";

/**
 * Enable/disable of rule files (issue 25 part 6): POST /v1/rules/:id/enable|disable, for bundled
 * and runtime files; a disabled file's rules match nothing, raise nothing and do not run; the
 * state survives a PUT of the YAML; each change is one self-audit event that says so.
 */

const BUNDLED = "turbopuffer-invitation-created";

const admin = (path: string, method = "POST", body?: string) =>
  call(path, {
    method,
    headers: {
      authorization: `Bearer ${ADMIN_TOKEN}`,
      ...(body === undefined ? {} : { "content-type": "application/yaml" }),
    },
    ...(body === undefined ? {} : { body }),
  });
const setState = async (id: string, action: "enable" | "disable") => {
  const res = await admin(`/v1/rules/${id}/${action}`);
  expect(res.status).toBe(200);
  return (await res.json()) as Json;
};
const listed = async (id: string) => {
  const { data } = (await (await query("/v1/rules")).json()) as { data: Json[] };
  return data.find((f) => f.id === id);
};

let n = 0;
/** Pushes one new turbopuffer event of `action` by `actor`. */
async function pushAction(action: string, actor: string, t = Date.now() - 60_000): Promise<void> {
  n++;
  const event = {
    ...tpEvent(1000 + n, t),
    action,
    actor: { type: "user", id: actor, name: actor },
  };
  const res = await push("turbopuffer", JSON.stringify(event));
  expect(res.status).toBe(200);
  expect(await res.json()).toMatchObject({ inserted: 1 });
}
const alertsOf = (ruleId: string, dedupKey: string) =>
  count("SELECT count(*) AS n FROM alerts WHERE ruleId = ?1 AND dedupKey = ?2", ruleId, dedupKey);

describe("POST /v1/rules/:id/enable|disable", () => {
  it("the query token gets 403 and changes nothing; an unknown id is a 404 in the error shape", async () => {
    const denied = await call(`/v1/rules/${BUNDLED}/disable`, {
      method: "POST",
      headers: { authorization: `Bearer ${QUERY_TOKEN}` },
    });
    expect(denied.status).toBe(403);
    expect(await listed(BUNDLED)).toMatchObject({ enabled: true });
    const unknown = await admin("/v1/rules/no-such-rule/disable");
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({
      error: { code: "rule_not_found", message: expect.stringContaining("no-such-rule") },
    });
    expect(await count("SELECT count(*) AS n FROM rule_states WHERE id = 'no-such-rule'")).toBe(0);
  });

  it("a disabled bundled rule raises no alert on an event it matches; enabled again, it does", async () => {
    expect(await setState(BUNDLED, "disable")).toMatchObject({
      id: BUNDLED,
      origin: "bundled",
      enabled: false,
      changed: true,
    });
    expect(await listed(BUNDLED)).toMatchObject({ enabled: false });
    await pushAction("invitation-created", "actor-while-disabled");
    expect(await alertsOf(BUNDLED, "actor-while-disabled")).toBe(0);
    expect(await count("SELECT count(*) AS n FROM detections WHERE ruleId = ?1", BUNDLED)).toBe(0);

    expect(await setState(BUNDLED, "enable")).toMatchObject({ enabled: true, changed: true });
    expect(await listed(BUNDLED)).toMatchObject({ enabled: true });
    await pushAction("invitation-created", "actor-after-enable");
    expect(await alertsOf(BUNDLED, "actor-after-enable")).toBe(1);
  });

  it("is idempotent: asking for the state a rule has changes nothing; only a change is audited as one", async () => {
    const first = await setState(BUNDLED, "disable");
    const again = await setState(BUNDLED, "disable");
    expect([first.changed, again.changed]).toEqual([true, false]);
    // A rule without a state is enabled: enabling it writes nothing.
    expect(await setState("turso-token-created", "enable")).toMatchObject({
      enabled: true,
      changed: false,
    });
    expect(
      await count("SELECT count(*) AS n FROM rule_states WHERE id = 'turso-token-created'"),
    ).toBe(0);
    const audit = (
      await env.DB.prepare(
        "SELECT eventName, tags FROM logs WHERE sourceID = 'auditflare' AND eventName IN ('disableRule', 'enableRule') ORDER BY eventTime",
      ).all<{ eventName: string; tags: string }>()
    ).results.map((r) => ({ eventName: r.eventName, tags: JSON.parse(r.tags) as Json }));
    const changes = audit.filter((a) => a.tags.changed === "true" && a.tags.ruleId === BUNDLED);
    // This file's: disable, enable (the test above), disable: one event each.
    expect(changes.map((a) => a.eventName)).toEqual(["disableRule", "enableRule", "disableRule"]);
    expect(audit.at(-2)?.tags).toMatchObject({
      ruleId: BUNDLED,
      enabled: "false",
      changed: "false",
    });
    await setState(BUNDLED, "enable");
  });

  it("of two concurrent disables exactly one changes the state", async () => {
    const answers = await Promise.all([setState(BUNDLED, "disable"), setState(BUNDLED, "disable")]);
    expect(answers.map((a) => a.changed).sort()).toEqual([false, true]);
    expect(answers.every((a) => a.enabled === false)).toBe(true);
    await setState(BUNDLED, "enable");
  });

  it("a runtime rule keeps its state across a PUT of its YAML; deleting it forgets the state", async () => {
    const yaml = (level: string) => `title: tp user removed
id: tp-user-removed
logsource: { product: turbopuffer }
detection:
  selection: { eventName: user-removed }
  condition: selection
dedup: [actorId]
level: ${level}
`;
    expect((await admin("/v1/rules/tp-user-removed", "PUT", yaml("low"))).status).toBe(201);
    await setState("tp-user-removed", "disable");
    const replaced = await admin("/v1/rules/tp-user-removed", "PUT", yaml("high"));
    expect(replaced.status).toBe(200);
    expect(await replaced.json()).toMatchObject({ enabled: false });
    expect(await listed("tp-user-removed")).toMatchObject({ enabled: false, origin: "runtime" });
    await pushAction("user-removed", "remover-1");
    expect(await alertsOf("tp-user-removed", "remover-1")).toBe(0);

    expect((await admin("/v1/rules/tp-user-removed", "DELETE")).status).toBe(204);
    expect((await admin("/v1/rules/tp-user-removed", "PUT", yaml("low"))).status).toBe(201);
    expect(await listed("tp-user-removed")).toMatchObject({ enabled: true });
    await pushAction("user-removed", "remover-2");
    expect(await alertsOf("tp-user-removed", "remover-2")).toBe(1);
    await admin("/v1/rules/tp-user-removed", "DELETE");
  });

  it("a runtime rule replacing a bundled one and deleted leaves the bundled file's state", async () => {
    const yaml = `title: invitations (runtime)
id: ${BUNDLED}
logsource: { product: turbopuffer }
detection:
  selection: { eventName: invitation-created }
  condition: selection
level: high
`;
    expect((await admin(`/v1/rules/${BUNDLED}`, "PUT", yaml)).status).toBe(201);
    await setState(BUNDLED, "disable");
    expect((await admin(`/v1/rules/${BUNDLED}`, "DELETE")).status).toBe(204);
    expect(await listed(BUNDLED)).toMatchObject({ origin: "bundled", enabled: false });
    await setState(BUNDLED, "enable");
  });

  it("a disabled scheduled rule does not run at the cron; a disabled correlation does not fire", async () => {
    const scheduled = `title: many removals
id: sched-removals
kind: scheduled
schedule: { every: 5m }
query: |
  SELECT count(*) AS n FROM logs WHERE eventName = 'user-removed' AND eventTime >= :from AND eventTime < :to
level: low
`;
    expect((await admin("/v1/rules/sched-removals", "PUT", scheduled)).status).toBe(201);
    await setState("sched-removals", "disable");
    const correlation = `title: key created
id: tp-key-created
name: tp_key_created
logsource: { product: turbopuffer }
detection:
  selection: { eventName: api-key-created }
  condition: selection
---
title: two keys
id: tp-two-keys
correlation:
  type: event_count
  rules: [tp_key_created]
  group-by: [actorId]
  timespan: 10m
  condition: { gte: 2 }
level: high
`;
    expect((await admin("/v1/rules/tp-two-keys", "PUT", correlation)).status).toBe(201);
    await setState("tp-two-keys", "disable");
    await pushAction("api-key-created", "keymaker");
    await pushAction("api-key-created", "keymaker");
    expect(await alertsOf("tp-two-keys", "keymaker")).toBe(0);
    const offline = vi
      .spyOn(globalThis, "fetch")
      .mockImplementation(async () => new Response(null, { status: 404 }));
    const tick = (t: number) =>
      (
        worker as unknown as { scheduled: (c: ScheduledController, e: Env) => Promise<void> }
      ).scheduled(createScheduledController({ scheduledTime: t, cron: "* * * * *" }), env);
    try {
      await tick(Date.now());
      expect(
        await count("SELECT count(*) AS n FROM scheduled_runs WHERE ruleId = 'sched-removals'"),
      ).toBe(0);
      expect(await alertsOf("tp-two-keys", "keymaker")).toBe(0);
      await setState("sched-removals", "enable");
      await tick(Date.now() + 60_000);
      expect(
        await count("SELECT count(*) AS n FROM scheduled_runs WHERE ruleId = 'sched-removals'"),
      ).toBe(1);
    } finally {
      offline.mockRestore();
    }
    await setState("tp-two-keys", "enable");
    await pushAction("api-key-created", "keymaker-2");
    await pushAction("api-key-created", "keymaker-2");
    expect(await alertsOf("tp-two-keys", "keymaker-2")).toBe(1);
  });
});
