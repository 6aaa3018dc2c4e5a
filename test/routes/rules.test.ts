import { describe, expect, it } from "vitest";
import { ADMIN_TOKEN, call, type Json, QUERY_TOKEN, query } from "../helpers";

const RULE = `title: CircleCI context secrets read
id: test-cci-secrets
status: experimental
level: high
logsource:
  product: circleci
detection:
  selection:
    eventName: context.secrets.accessed
    actor.name|startswith: ali
  condition: selection
`;

const put = (id: string, yaml: string, token = ADMIN_TOKEN, type = "application/yaml") =>
  call(`/v1/rules/${id}`, {
    method: "PUT",
    headers: { authorization: `Bearer ${token}`, "content-type": type },
    body: yaml,
  });
const errorOf = async (res: Response) => ((await res.json()) as { error: Json }).error;

describe("detection rules as code: /v1/rules", () => {
  it("lists the bundled starter pack with the query token", async () => {
    const res = await query("/v1/rules");
    expect(res.status).toBe(200);
    const { data } = (await res.json()) as { data: Json[] };
    for (const f of data)
      expect(f).toMatchObject({ origin: "bundled", matches: expect.any(Number) });
  });

  it("add, read, replace and delete a runtime rule with the admin token; the query token only reads", async () => {
    expect((await put("test-cci-secrets", RULE, QUERY_TOKEN)).status).toBe(403);
    const created = await put("test-cci-secrets", RULE);
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({
      id: "test-cci-secrets",
      origin: "runtime",
      rules: [
        {
          id: "test-cci-secrets",
          kind: "detection",
          title: "CircleCI context secrets read",
          level: "high",
        },
      ],
    });
    expect(
      (await put("test-cci-secrets", RULE.replace("level: high", "level: critical"))).status,
    ).toBe(200);
    const read = (await (await query("/v1/rules/test-cci-secrets")).json()) as Json;
    expect(read).toMatchObject({
      origin: "runtime",
      yaml: expect.stringContaining("level: critical"),
    });
    const list = (await (await query("/v1/rules")).json()) as { data: Json[] };
    expect(list.data.map((f) => f.id)).toContain("test-cci-secrets");
    const del = await call("/v1/rules/test-cci-secrets", {
      method: "DELETE",
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(del.status).toBe(204);
    expect((await query("/v1/rules/test-cci-secrets")).status).toBe(404);
  });

  it("refuses a broken rule with a 400 that names the line and field, and a body that is not YAML", async () => {
    const unknownField = await put(
      "bad-field",
      RULE.replace("test-cci-secrets", "bad-field").replace("actor.name", "actorr"),
    );
    expect(unknownField.status).toBe(400);
    expect(await errorOf(unknownField)).toMatchObject({
      code: "invalid_rule",
      message: expect.stringMatching(/line 10.*actorr/),
    });
    const badModifier = await put(
      "bad-mod",
      RULE.replace("test-cci-secrets", "bad-mod").replace("startswith", "startwith"),
    );
    expect(await errorOf(badModifier)).toMatchObject({
      message: expect.stringMatching(/line 10.*startwith/),
    });
    const wrongId = await put("other-id", RULE);
    expect(await errorOf(wrongId)).toMatchObject({
      message: expect.stringContaining('no rule in the body has the id "other-id"'),
    });
    expect((await put("x", RULE, ADMIN_TOKEN, "application/json")).status).toBe(415);
  });

  it("POST /v1/rules/test says which events match and why", async () => {
    const res = await call("/v1/rules/test", {
      method: "POST",
      headers: { authorization: `Bearer ${QUERY_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({
        rule: RULE,
        events: [
          {
            eventName: "context.secrets.accessed",
            actor: { name: "alice" },
            sourceType: "circleci",
          },
          { eventName: "context.secrets.accessed", actor: { name: "bob" }, sourceType: "circleci" },
        ],
      }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { results: Array<{ index: number; matches: Json[] }> };
    expect(body.results[0]?.matches).toEqual([
      { ruleId: "test-cci-secrets", why: expect.any(Array) },
    ]);
    expect(body.results[1]?.matches).toEqual([]);
  });
});
