import { describe, expect, it } from "vitest";
import { ADMIN_TOKEN, call, type Json, push, QUERY_TOKEN, query, tpEvent } from "../helpers";

/**
 * Issue 22 through the routes: the red-team rules (items 8, 10), duplicate ids across files,
 * a rule change seen by the next event, and the match counters of the Rules tab (item 12).
 */

const put = (id: string, yaml: string) =>
  call(`/v1/rules/${id}`, {
    method: "PUT",
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/yaml" },
    body: yaml,
  });
const del = (id: string) =>
  call(`/v1/rules/${id}`, {
    method: "DELETE",
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  });
const tryRule = (rule: string, events: Json[]) =>
  call("/v1/rules/test", {
    method: "POST",
    headers: { authorization: `Bearer ${QUERY_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ rule, events }),
  });
const errorOf = async (res: Response) => ((await res.json()) as { error: Json }).error;

const rule = (id: string, selection: string, extra = "") =>
  `title: ${id}\nid: ${id}\nlevel: high\n${extra}logsource:\n  product: turbopuffer\ndetection:\n  selection:\n    ${selection}\n  condition: selection\n`;

async function pushAction(action: string, i: number) {
  const res = await push("turbopuffer", JSON.stringify({ ...tpEvent(i, Date.now() - i), action }));
  expect(res.status).toBe(200);
}
const ruleFile = async (id: string) => (await (await query(`/v1/rules/${id}`)).json()) as Json;

describe("rules that could stall the Worker", () => {
  it("POST /v1/rules/test with '*a*a*a*a*a*a*a*a*a*b' answers, right", async () => {
    const res = await tryRule(rule("red-glob", "action: '*a*a*a*a*a*a*a*a*a*b'"), [
      { action: "a".repeat(3000) },
      { action: `${"a".repeat(3000)}b` },
    ]);
    expect(res.status).toBe(200);
    const { results } = (await res.json()) as { results: Array<{ matches: Json[] }> };
    expect(results.map((r) => r.matches.length)).toEqual([0, 1]);
  });

  it("a stored |re '^(a|a)+$' and pushes of 40 a's with and without a !", async () => {
    expect((await put("red-re", rule("red-re", "action|re: '^(a|a)+$'"))).status).toBe(201);
    await pushAction(`${"a".repeat(40)}!`, 1);
    await pushAction("a".repeat(40), 2);
    expect(await ruleFile("red-re")).toMatchObject({ matches: 1 });
  });

  it("PUT and test refuse what RE2 cannot run, naming the rule and field", async () => {
    const text = rule("red-backref", "action|re: '(a)\\1'");
    for (const res of [await put("red-backref", text), await tryRule(text, [])]) {
      expect(res.status).toBe(400);
      expect(await errorOf(res)).toMatchObject({
        code: "invalid_rule",
        message: expect.stringMatching(/line 8: action: .*RE2.*backreference.*rule "red-backref"/),
      });
    }
  });

  it("a condition nested 5,000 deep, or 12,000 nots: 400 invalid_rule", async () => {
    const base = rule("deep", "action: x");
    for (const condition of [
      `${"(".repeat(5000)}selection${")".repeat(5000)}`,
      `${"not ".repeat(12000)}selection`,
    ]) {
      const text = base.replace("condition: selection", `condition: '${condition}'`);
      for (const res of [await put("deep", text), await tryRule(text, [])]) {
        expect(res.status).toBe(400);
        expect(await errorOf(res)).toMatchObject({
          code: "invalid_rule",
          message: expect.stringMatching(/nested more than 64 deep/),
        });
      }
    }
  });
});

describe("rule ids are unique across files", () => {
  it("refuses a rule id of a bundled file, or of another runtime file, naming both", async () => {
    const bundled = `${rule("dup-a", "action: x")}---\n${rule("turso-token-created", "action: y")}`;
    const res = await put("dup-a", bundled);
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toMatchObject({
      code: "invalid_rule",
      message:
        'rule id "turso-token-created" in the runtime rule "dup-a" is already used by rule "turso-token-created" in the bundled file rules/turso-token-created.yml',
    });
    expect((await put("dup-b", rule("dup-b", "action: x"))).status).toBe(201);
    const again = await put(
      "dup-c",
      `${rule("dup-c", "action: x")}---\n${rule("dup-b", "action: z")}`,
    );
    expect(await errorOf(again)).toMatchObject({
      message: expect.stringContaining(
        'in the runtime rule "dup-c" is already used by rule "dup-b" in the runtime rule "dup-b"',
      ),
    });
    expect((await put("dup-b", rule("dup-b", "action: y"))).status).toBe(200);
  });
});

describe("a rule change takes effect on the next event", () => {
  const matched = async (ruleId: string) => {
    const res = await query(`/v1/alerts?ruleId=${ruleId}`);
    const { data } = (await res.json()) as { data: Array<{ count: number }> };
    return data.reduce((n, a) => n + a.count, 0);
  };

  it("PUT after a push (rules cached), then DELETE: the next push sees each", async () => {
    await pushAction("warm-up", 10);
    expect((await put("next-event", rule("next-event", "action: next-event-1"))).status).toBe(201);
    await pushAction("next-event-1", 11);
    expect(await matched("next-event")).toBe(1);
    expect((await put("next-event", rule("next-event", "action: next-event-2"))).status).toBe(200);
    await pushAction("next-event-2", 12);
    await pushAction("next-event-1", 13);
    expect(await matched("next-event")).toBe(2);
    expect((await del("next-event")).status).toBe(204);
    expect((await put("other", rule("other", "action: next-event-2"))).status).toBe(201);
    await pushAction("next-event-2", 14);
    expect(await matched("next-event")).toBe(2);
    expect(await matched("other")).toBe(1);
  });
});

describe("the Rules tab's counters (rule_stats)", () => {
  it("count each new detection once, with the last match time", async () => {
    const before = Date.now();
    expect((await put("stats", rule("stats", "action: stats-hit"))).status).toBe(201);
    expect(await ruleFile("stats")).toMatchObject({ matches: 0, lastMatchAt: null });
    const event = JSON.stringify({ ...tpEvent(20, Date.now()), action: "stats-hit" });
    expect((await push("turbopuffer", event)).status).toBe(200);
    expect((await push("turbopuffer", event)).status).toBe(200); // a duplicate: no new detection
    await pushAction("stats-hit", 21);
    await pushAction("stats-miss", 22);
    const file = await ruleFile("stats");
    expect(file).toMatchObject({ matches: 2, lastMatchAt: expect.any(String) });
    expect(Date.parse(file.lastMatchAt as string)).toBeGreaterThanOrEqual(before);
    const list = (await (await query("/v1/rules")).json()) as { data: Json[] };
    expect(list.data.find((f) => f.id === "stats")).toMatchObject({ matches: 2 });
    // Three matches in one commit count three; the same body again counts none.
    const three = JSON.stringify(
      [23, 24, 25].map((i) => ({ ...tpEvent(i, Date.now() - i), action: "stats-hit" })),
    );
    expect((await push("turbopuffer", three)).status).toBe(200);
    expect((await push("turbopuffer", three)).status).toBe(200);
    expect(await ruleFile("stats")).toMatchObject({ matches: 5 });
  });
});
