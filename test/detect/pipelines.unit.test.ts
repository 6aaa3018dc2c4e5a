import { describe, expect, it } from "vitest";
import { hitOf } from "../../src/detect/correlate";
import { MAX_ITEMS, parsePipeline, processingOf } from "../../src/detect/pipeline";
import {
  type CorrelationRule,
  type DetectionRule,
  fieldValue,
  parseRules,
  type Rule,
  RuleError,
} from "../../src/detect/sigma";
import { knownFields, PRODUCTS } from "./helpers";

/** Processing pipelines (pySigma's YAML format) as rules load: each transformation's effect. */

const run = (rule: string, ...pipelines: [string, string][]): Rule[] =>
  parseRules(
    rule,
    knownFields,
    PRODUCTS,
    processingOf(pipelines.map(([id, text]) => parsePipeline(id, text))),
  );

function detection(rule: string, ...pipelines: [string, string][]): DetectionRule {
  const r = run(rule, ...pipelines).find((x) => x.kind === "detection");
  if (r?.kind !== "detection") throw new Error("no detection");
  return r;
}

function pipelineError(text: string): RuleError {
  try {
    parsePipeline("p", text);
  } catch (err) {
    if (err instanceof RuleError) return err;
    throw err;
  }
  throw new Error("parsed");
}

const OKTA_LIKE = `title: t
id: r1
logsource: { product: vendorx, service: audit }
detection:
  sel:
    eventType: user.session.start
    client.ipAddress|cidr: 203.0.113.0/24
  condition: sel
dedup: [client.ipAddress]
`;

const MAP_VENDORX = `name: vendorx
priority: 10
transformations:
  - id: fields
    type: field_name_mapping
    mapping:
      eventType: eventName
      client.ipAddress: srcIP
    rule_conditions:
      - type: logsource
        product: vendorx
  - id: logsource
    type: change_logsource
    product: planetscale
    rule_conditions:
      - type: logsource
        product: vendorx
        service: audit
`;

describe("pipelines: field_name_mapping and change_logsource", () => {
  it("renames fields (modifiers kept), the dedup list too, and moves the rule to a source", () => {
    const r = detection(OKTA_LIKE, ["vx", MAP_VENDORX]);
    expect(r).toMatchObject({ product: "planetscale", service: null, reachable: true });
    expect(r.dedup).toEqual(["srcIP"]);
    expect(r.processing).toEqual(["vx/fields", "vx/logsource"]);
    expect(r.match({ eventName: "user.session.start", srcIP: "203.0.113.9" })).not.toBeNull();
    expect(r.match({ eventName: "user.session.start", srcIP: "198.51.100.1" })).toBeNull();
  });

  it("without the pipeline the rule never matches (unknown product, fields unchecked)", () => {
    expect(detection(OKTA_LIKE)).toMatchObject({ reachable: false, processing: [] });
  });

  it("a rule whose logsource does not meet the conditions is left as written", () => {
    const other = OKTA_LIKE.replace("product: vendorx, service: audit", "product: circleci");
    expect(() => run(other, ["vx", MAP_VENDORX])).toThrow(/unknown field "eventType"/);
  });

  it("one name to several: any of them matches (the selection becomes an OR)", () => {
    const p = `transformations:
  - type: field_name_mapping
    mapping: { who: [actor.email, actor.name] }
`;
    const r = detection(
      "title: t\nid: r\ndetection:\n  sel:\n    who: ana\n    eventName: login\n  condition: sel\n",
      ["p", p],
    );
    expect(r.match({ eventName: "login", actor: { name: "ana" } })).not.toBeNull();
    expect(r.match({ eventName: "login", actor: { email: "ana" } })).not.toBeNull();
    expect(r.match({ eventName: "logout", actor: { email: "ana" } })).toBeNull();
  });

  it("maps the field a fieldref value names", () => {
    const p = "transformations:\n  - type: field_name_mapping\n    mapping: { ip: srcIP }\n";
    const r = detection(
      "title: t\nid: r\ndetection:\n  sel:\n    remote_ip|fieldref: ip\n  condition: sel\n",
      ["p", p],
    );
    expect(r.match({ remote_ip: "192.0.2.1", srcIP: "192.0.2.1" })).not.toBeNull();
    expect(r.match({ remote_ip: "192.0.2.1", srcIP: "192.0.2.2" })).toBeNull();
  });

  it("maps a correlation's group-by when a rule it counts meets the conditions", () => {
    const text = `${OKTA_LIKE}name: r1n
---
title: c
id: c1
correlation:
  type: event_count
  rules: [r1n]
  group-by: [client.ipAddress]
  timespan: 5m
  condition: { gte: 3 }
`;
    const c = run(text, ["vx", MAP_VENDORX]).find((r) => r.kind === "correlation");
    expect(c).toMatchObject({ groupBy: ["srcIP"], processing: ["vx/fields", "vx/logsource"] });
  });

  it("maps each alias's field by the pipelines of its rule, and never renames an alias name", () => {
    // Two vendors' names for one person; a mapping of "actor" (vendor y's) must not touch the
    // alias named actor, and vendor x's mapping must not touch vendor y's field.
    const MAP_VENDORY = `transformations:
  - id: fields
    type: field_name_mapping
    mapping: { actor: actor.name, action: eventName, ip: srcIP }
    rule_conditions: [{ type: logsource, product: vendory }]
  - id: logsource
    type: change_logsource
    product: turso
    rule_conditions: [{ type: logsource, product: vendory }]
`;
    const MAP_X_PERSON = MAP_VENDORX.replace(
      "      client.ipAddress: srcIP",
      "      client.ipAddress: srcIP\n      actor.alternateId: actor.email",
    );
    const text = `${OKTA_LIKE}name: x_login
---
title: y member
id: y1
name: y_member
logsource: { product: vendory }
detection:
  sel: { action: org.add_member }
  condition: sel
---
title: same person, same address
id: c2
correlation:
  type: temporal
  rules: [x_login, y_member]
  group-by: [actor, client.ipAddress]
  aliases:
    actor:
      x_login: actor.alternateId
      y_member: actor
    client.ipAddress:
      x_login: client.ipAddress
      y_member: ip
  timespan: 1h
`;
    const rules = run(text, ["vx", MAP_X_PERSON], ["vy", MAP_VENDORY]);
    const c = rules.find((r) => r.kind === "correlation");
    expect(c).toMatchObject({
      groupBy: ["actor", "client.ipAddress"],
      aliases: {
        actor: { x_login: "actor.email", y_member: "actor.name" },
        "client.ipAddress": { x_login: "srcIP", y_member: "srcIP" },
      },
    });
    // The two rules' events of one person and address fall into one group.
    const hit = (refs: number[], row: Record<string, unknown>) =>
      hitOf(c as CorrelationRule, refs, (f) => fieldValue(row, f)).group;
    expect(hit([0], { actor: { email: "ana@x.example" }, srcIP: "192.0.2.1" })).toBe(
      hit([1], { actor: { name: "ana@x.example" }, srcIP: "192.0.2.1" }),
    );
    // Without the pipelines the aliases' fields are the rules' own names.
    const raw = run(text);
    expect(raw.find((r) => r.kind === "correlation")).toMatchObject({
      aliases: { actor: { x_login: "actor.alternateId", y_member: "actor" } },
    });
  });
});

describe("pipelines: conditions and order", () => {
  const prefix = (cond: string) => `transformations:
  - id: pre
    type: field_name_prefix
    prefix: "tags."
    ${cond}
`;
  const rule =
    "title: t\nid: r\ndetection:\n  sel:\n    team: a\n    eventName: b\n  condition: sel\n";

  it("field_name_prefix with include_fields / exclude_fields (plain and re)", () => {
    const row = { eventName: "b", tags: { team: "a" } };
    for (const cond of [
      "field_name_conditions: [{ type: include_fields, fields: [team] }]",
      "field_name_conditions: [{ type: exclude_fields, fields: [eventName] }]",
      "field_name_conditions: [{ type: include_fields, mode: re, fields: ['te.m'] }]",
    ])
      expect(detection(rule, ["p", prefix(cond)]).match(row), cond).not.toBeNull();
  });

  it("rule_cond_op or, rule_cond_not", () => {
    const conds = `rule_conditions:
      - { type: logsource, product: circleci }
      - { type: logsource, category: x }`;
    const text = (ls: string) => rule.replace("detection:", `logsource: ${ls}\ndetection:`);
    const p = (extra: string) =>
      prefix(
        `${conds}\n    ${extra}\n    field_name_conditions: [{ type: include_fields, fields: [team] }]`,
      );
    expect(
      detection(text("{ product: circleci }"), ["p", p("rule_cond_op: or")]).processing,
    ).toEqual(["p/pre"]);
    // both conditions must hold: the item does not apply, the name stays unknown
    expect(() => detection(text("{ product: circleci }"), ["p", p("rule_cond_op: and")])).toThrow(
      /unknown field "team"/,
    );
    expect(
      detection(text("{ product: airkit }"), ["p", p("rule_cond_not: true")]).processing,
    ).toEqual(["p/pre"]);
  });

  it("priority: the lower runs first (a later mapping of the same name no longer sees it)", () => {
    const to = (target: string, priority: number) =>
      `priority: ${priority}\ntransformations:\n  - type: field_name_mapping\n    mapping: { team: ${target} }\n`;
    const r1 = detection(rule, ["b", to("tags.b", 20)], ["a", to("tags.a", 10)]);
    expect(r1.processing).toEqual(["a/item-1", "b/item-1"]);
    expect(r1.match({ eventName: "b", tags: { a: "a" } })).not.toBeNull();
    const r2 = detection(rule, ["b", to("tags.b", 5)], ["a", to("tags.a", 10)]);
    expect(r2.match({ eventName: "b", tags: { b: "a" } })).not.toBeNull();
  });
});

describe("pipelines: add_condition and drop_detection_item", () => {
  const rule = `title: t
id: r
logsource: { product: circleci }
detection:
  sel: { eventName: login }
  condition: sel
`;
  it("add_condition ANDs a selection onto every condition (negated, templated)", () => {
    const add = (extra: string) => `transformations:
  - id: scope
    type: add_condition
    conditions: { sourceType: "$product" }
    template: true
    ${extra}
`;
    const r = detection(rule, ["p", add("")]);
    expect(r.match({ eventName: "login", sourceType: "circleci" })).not.toBeNull();
    expect(r.match({ eventName: "login", sourceType: "airkit" })).toBeNull();
    const n = detection(rule, ["p", add("negated: true")]);
    expect(n.match({ eventName: "login", sourceType: "airkit" })).not.toBeNull();
    expect(n.match({ eventName: "login", sourceType: "circleci" })).toBeNull();
  });

  it("drop_detection_item removes the items its field conditions name", () => {
    const text = rule.replace(
      "sel: { eventName: login }",
      "sel: { eventName: login, success: true }",
    );
    const drop = (fields: string) =>
      `transformations:\n  - type: drop_detection_item\n    field_name_conditions: [{ type: include_fields, fields: [${fields}] }]\n`;
    const r = detection(text, ["p", drop("success")]);
    expect(r.match({ eventName: "login", success: false })).not.toBeNull();
    expect(() => run(text, ["p", drop("success, eventName")])).toThrow(
      /line 5: pipeline "p", transformation "item-1": drop_detection_item leaves selection "sel" empty/,
    );
  });
});

describe("pipelines: refusals name the line", () => {
  it("an unknown transformation type, and one of pySigma's not built here", () => {
    const e = pipelineError("name: x\ntransformations:\n  - id: a\n    type: rename_everything\n");
    expect(e.line).toBe(4);
    expect(e.message).toMatch(
      /^line 4: transformation type "rename_everything" is unknown \(supported: field_name_mapping, /,
    );
    expect(pipelineError("transformations:\n  - type: replace_string\n").message).toMatch(
      /^line 2: transformation type "replace_string" is not supported/,
    );
  });

  it("an unknown key, condition type, a duplicate id, too many items", () => {
    expect(
      pipelineError(
        "transformations:\n  - type: field_name_prefix\n    prefix: x\n    mapping: {}\n",
      ).message,
    ).toMatch(/^line 4: a field_name_prefix transformation: unknown key "mapping"/);
    expect(
      pipelineError(
        "transformations:\n  - type: drop_detection_item\n    rule_conditions:\n      - type: tag\n",
      ).message,
    ).toMatch(/^line 4: rule condition type "tag" is not supported/);
    expect(
      pipelineError(
        "transformations:\n  - { id: a, type: drop_detection_item }\n  - { id: a, type: drop_detection_item }\n",
      ).message,
    ).toMatch(/^line 3: transformation id "a" is used twice/);
    const many = Array.from({ length: MAX_ITEMS + 1 }, () => "  - type: drop_detection_item").join(
      "\n",
    );
    expect(pipelineError(`transformations:\n${many}\n`).message).toMatch(
      /at most 200 transformations/,
    );
  });

  it("backend-only keys are accepted with a warning", () => {
    const p = parsePipeline("p", "vars: { a: 1 }\npostprocessing: []\ntransformations: []\n");
    expect(p.warnings).toEqual([
      'line 1: "vars" ignored (it serves query backends; auditflare runs rules without converting them)',
      'line 2: "postprocessing" ignored (it serves query backends; auditflare runs rules without converting them)',
    ]);
  });

  it("a mapping to several names multiplies a selection at most 64 times", () => {
    const p = `transformations:\n  - type: field_name_mapping\n    mapping: { a: [x1, x2, x3, x4], b: [y1, y2, y3, y4], c: [z1, z2, z3, z4, z5] }\n`;
    expect(() =>
      run("title: t\nid: r\ndetection:\n  sel: { a: 1, b: 2, c: 3 }\n  condition: sel\n", ["p", p]),
    ).toThrow(/more than 64 alternatives/);
  });
});
