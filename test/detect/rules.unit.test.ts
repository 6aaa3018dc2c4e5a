import { describe, expect, it } from "vitest";
import { fieldValue, parseRules } from "../../src/detect/sigma";
import { correlation, detection, knownFields, parse } from "./helpers";

const FULL = `title: Admin login from outside
id: 929a690e-bef0-4204-a928-ef5e620d6fcc
name: admin_login
status: experimental
author: someone
date: 2026-01-02
modified: 2026-01-03
tags: [attack.initial_access]
references: [https://example.com]
falsepositives: [VPN]
description: An admin logs in
level: critical
logsource:
  product: planetscale
  service: ps
dedup: [actor.email, remote_ip]
dedup-minutes: 15
destinations: [slack-sec]
detection:
  sel:
    action: login
  condition: sel
`;

describe("detection rule metadata", () => {
  it("reads every field", () => {
    const rule = detection(FULL);
    expect(rule).toMatchObject({
      kind: "detection",
      id: "929a690e-bef0-4204-a928-ef5e620d6fcc",
      name: "admin_login",
      title: "Admin login from outside",
      description: "An admin logs in",
      level: "critical",
      product: "planetscale",
      service: "ps",
      generate: true,
      dedup: ["actor.email", "remote_ip"],
      dedupMinutes: 15,
      destinations: ["slack-sec"],
      yaml: FULL,
    });
    expect(rule.match({ action: "LOGIN" })).toEqual(['sel: action: "login"']);
    expect(rule.match({ action: "logout" })).toBeNull();
  });

  it("defaults: no product or service, dedup by id for 60 minutes, every destination", () => {
    const rule = detection(
      "title: t\nid: r1\nlevel: low\ndetection:\n  s:\n    eventName: x\n  condition: s\n",
    );
    expect(rule).toMatchObject({
      product: null,
      service: null,
      generate: true,
      dedup: [],
      dedupMinutes: 60,
      destinations: null,
    });
    expect(rule.description).toBeUndefined();
    expect(rule.name).toBeUndefined();
  });

  it("a vendor's fields are known only under its product", () => {
    expect(() => parse(FULL.replace("product: planetscale", "product: circleci"))).toThrow(
      /line 21: unknown field "action"/,
    );
  });

  it("dedupMinutes is accepted as a spelling of dedup-minutes; a single dedup field too", () => {
    const rule = detection(
      FULL.replace("dedup-minutes: 15", "dedupMinutes: 0").replace(
        "dedup: [actor.email, remote_ip]",
        "dedup: remote_ip",
      ),
    );
    expect(rule.dedupMinutes).toBe(0);
    expect(rule.dedup).toEqual(["remote_ip"]);
  });

  it("products default to auditflare's source types", () => {
    const rules = parseRules(FULL, knownFields);
    expect(rules[0]?.kind).toBe("detection");
  });
});

const CORRELATED = `title: Many failed logins
id: corr-1
level: high
dedup-minutes: 30
correlation:
  type: event_count
  rules: [failed_login, 0a1b2c3d-0000-4000-8000-000000000000]
  group-by: [actor.email]
  timespan: 15m
  condition:
    gte: 10
---
title: Failed login
id: failed-1
name: failed_login
level: low
logsource:
  product: planetscale
detection:
  sel:
    action: login_failed
  condition: sel
---
title: Something else
id: other-1
level: low
detection:
  sel:
    eventName: x
  condition: sel
`;

describe("correlation rules", () => {
  it("event_count: rules, group-by, timespan, condition", () => {
    const rules = parse(CORRELATED);
    expect(rules.map((r) => r.id)).toEqual(["corr-1", "failed-1", "other-1"]);
    expect(correlation(rules, "corr-1")).toEqual({
      kind: "correlation",
      id: "corr-1",
      title: "Many failed logins",
      level: "high",
      type: "event_count",
      rules: ["failed_login", "0a1b2c3d-0000-4000-8000-000000000000"],
      groupBy: ["actor.email"],
      aliases: {},
      timespanSeconds: 900,
      condition: { gte: 10 },
      generate: true,
      dedupMinutes: 30,
      destinations: null,
      yaml: CORRELATED.slice(0, CORRELATED.indexOf("---")),
      warnings: [],
      processing: [],
    });
  });

  it("each document keeps its own text", () => {
    const rule = parse(CORRELATED)[1];
    expect(rule?.yaml).toBe(`${CORRELATED.split("---\n")[1]?.trimEnd()}\n`);
  });

  it("a rule referenced by a correlation in the text does not alert alone; others do", () => {
    const rules = parse(CORRELATED);
    expect(rules[1]).toMatchObject({ id: "failed-1", generate: false });
    expect(rules[2]).toMatchObject({ id: "other-1", generate: true });
  });

  it("generate: true on the correlation, or on the rule itself, makes it alert alone", () => {
    const onCorrelation = parse(CORRELATED.replace("dedup-minutes: 30", "generate: true"));
    expect(onCorrelation[1]).toMatchObject({ generate: true });
    const onRule = parse(
      CORRELATED.replace("name: failed_login", "name: failed_login\ngenerate: true"),
    );
    expect(onRule[1]).toMatchObject({ generate: true });
  });

  it("references by id work too, and ids not in the text are kept for the caller", () => {
    const rules = parse(CORRELATED.replace("[failed_login,", "[failed-1,"));
    expect(rules[1]).toMatchObject({ generate: false });
    expect(correlation(rules, "corr-1").rules).toContain("0a1b2c3d-0000-4000-8000-000000000000");
  });
});

describe("correlation rules: value_count; fieldValue", () => {
  it("value_count with field; gt; timespans in s, m, h, d", () => {
    const text = `title: Many users from one IP
id: vc-1
level: medium
correlation:
  type: value_count
  rules: [failed-1]
  group-by:
    - remote_ip
  timespan: 1d
  condition:
    field: actor.email
    gt: 5
`;
    const [rule] = parse(text);
    expect(rule).toMatchObject({
      type: "value_count",
      groupBy: ["remote_ip"],
      timespanSeconds: 86400,
      condition: { field: "actor.email", gt: 5 },
    });
    for (const [span, seconds] of [
      ["30s", 30],
      ["1h", 3600],
      ["90m", 5400],
    ] as const) {
      expect(parse(text.replace("1d", span))[0]).toMatchObject({ timespanSeconds: seconds });
    }
  });

  it("fieldValue reads maps by dotted name and arrays whole", () => {
    const row = { actor: { email: "a@b.c" }, tags: { "team.name": "sec" }, resources: ["x"] };
    expect(fieldValue(row, "actor.email")).toBe("a@b.c");
    expect(fieldValue(row, "tags.team.name")).toBe("sec");
    expect(fieldValue(row, "resources")).toEqual(["x"]);
    expect(fieldValue(row, "actor.missing")).toBeUndefined();
    expect(fieldValue(row, "resources.length")).toBeUndefined();
    expect(fieldValue(row, "actor.constructor")).toBeUndefined();
  });

  it("parses nothing from an empty text", () => {
    expect(parse("")).toEqual([]);
    expect(parse("# only a comment\n")).toEqual([]);
  });
});
