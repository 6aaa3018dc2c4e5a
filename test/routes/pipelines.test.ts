import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { activeRules } from "../../src/detect/evaluate";
import { d1Rules } from "../../src/store/rules";
import { ADMIN_TOKEN, call, type Json, QUERY_TOKEN, query } from "../helpers";

/** PUT/GET/DELETE /v1/pipelines: admin writes, checked against the rules in force, versioned. */

const put = (kind: "pipelines" | "rules", id: string, yaml: string, token = ADMIN_TOKEN) =>
  call(`/v1/${kind}/${id}`, {
    method: "PUT",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/yaml" },
    body: yaml,
  });
const del = (kind: "pipelines" | "rules", id: string) =>
  call(`/v1/${kind}/${id}`, {
    method: "DELETE",
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  });
const errorOf = async (res: Response) => ((await res.json()) as { error: Json }).error;

const WHO = (target: string) => `name: who
priority: 30
transformations:
  - id: who
    type: field_name_mapping
    mapping: { who: ${target} }
    rule_conditions:
      - type: logsource
        product: circleci
`;
const RULE = `title: Ana acts
id: test-ana
logsource: { product: circleci }
detection:
  sel: { who: ana }
  condition: sel
`;

/** The rule as the engine runs it now (read through the version, as each commit does). */
async function running(id: string) {
  const { detections } = await activeRules(d1Rules(env.DB));
  return detections.find((r) => r.id === id);
}

describe("processing pipelines: /v1/pipelines", () => {
  it("lists the bundled pipelines in the order they run, with the query token", async () => {
    const res = await query("/v1/pipelines");
    expect(res.status).toBe(200);
    const { data } = (await res.json()) as { data: Json[] };
    expect(data.map((p) => p.id)).toEqual([
      "sigmahq-github",
      "sigmahq-okta",
      ...["airkit", "circleci", "github", "okta", "onepassword", "planetscale", "slack"],
      ...["turbopuffer", "turso"],
    ]);
    expect(data[0]).toMatchObject({
      origin: "bundled",
      priority: 10,
      transformations: [
        { id: "github_common_columns", type: "field_name_mapping" },
        { id: "github_audit_service", type: "change_logsource" },
      ],
    });
    const one = (await (await query("/v1/pipelines/okta")).json()) as Json;
    expect(one.yaml).toContain("field_name_prefix_mapping");
    expect((await query("/v1/pipelines/nope")).status).toBe(404);
  });

  it("refuses the query token, unknown types (naming type and line) and bad YAML with a 400", async () => {
    expect((await put("pipelines", "who", WHO("actor.name"), QUERY_TOKEN)).status).toBe(403);
    const unknown = await put("pipelines", "bad", "transformations:\n  - id: x\n    type: magic\n");
    expect(unknown.status).toBe(400);
    expect(await errorOf(unknown)).toMatchObject({
      code: "invalid_pipeline",
      message: expect.stringMatching(/^line 3: transformation type "magic" is unknown/),
    });
    const yaml = await put("pipelines", "bad", "transformations: [\n");
    expect(yaml.status).toBe(400);
    expect((await put("pipelines", "bad", "- just a list\n")).status).toBe(400);
  });

  it("a pipeline change recompiles the rules in force; one a rule needs cannot be deleted", async () => {
    const refused = await put("rules", "test-ana", RULE);
    expect(refused.status).toBe(400);
    expect((await errorOf(refused)).message).toMatch(/unknown field "who"/);

    expect((await put("pipelines", "who", WHO("actor.name"))).status).toBe(201);
    const created = await put("rules", "test-ana", RULE);
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({
      rules: [{ processing: ["circleci/circleci_fields", "who/who"] }],
    });
    const asName = { eventName: "x", actor: { name: "ana" } };
    const asEmail = { eventName: "x", actor: { email: "ana" } };
    expect((await running("test-ana"))?.match(asName)).not.toBeNull();

    // The same rule, the pipeline replaced: the engine reads the new version and recompiles.
    expect((await put("pipelines", "who", WHO("actor.email"))).status).toBe(200);
    const now = await running("test-ana");
    expect(now?.match(asEmail)).not.toBeNull();
    expect(now?.match(asName)).toBeNull();

    const inUse = await del("pipelines", "who");
    expect(inUse.status).toBe(409);
    expect(await errorOf(inUse)).toMatchObject({
      code: "pipeline_in_use",
      message: expect.stringContaining('the runtime rule "test-ana" would no longer load'),
    });
    expect((await del("rules", "test-ana")).status).toBe(204);
    expect((await del("pipelines", "who")).status).toBe(204);
    expect((await del("pipelines", "who")).status).toBe(404);
    expect((await del("pipelines", "okta")).status).toBe(404);
  });

  it("refuses a pipeline under which a bundled rule would no longer load", async () => {
    const res = await put(
      "pipelines",
      "break",
      "transformations:\n  - type: field_name_prefix\n    prefix: nope_\n    rule_conditions: [{ type: logsource, product: circleci }]\n",
    );
    expect(res.status).toBe(400);
    expect((await errorOf(res)).message).toMatch(
      /^the bundled file rules\/circleci-[a-z-]+\.yml would no longer load: line \d+: unknown field "nope_/,
    );
    expect((await query("/v1/pipelines/break")).status).toBe(404);
  });
});
