import { describe, expect, it } from "vitest";
import { parseRules, RuleError } from "../../src/detect/sigma";
import { bindWindow } from "../../src/sql/window-params";
import { knownFields } from "./helpers";

const rule = (extra: string) => `title: Sched\nid: sched\nlevel: high\n${extra}`;
const parse = (text: string) => parseRules(text, knownFields);

describe("scheduled rules: parse", () => {
  it("reads query, schedule, group-by and dedup-minutes", () => {
    const [r] = parse(
      rule(
        "kind: scheduled\nschedule: { every: 2h, lookback: 1d }\nquery: SELECT 1 AS a FROM logs WHERE eventTime >= :from\ngroup-by: [a]\ndedup-minutes: 5\n",
      ),
    );
    expect(r).toMatchObject({
      kind: "scheduled",
      id: "sched",
      level: "high",
      everyMinutes: 120,
      lookbackMinutes: 1440,
      groupBy: ["a"],
      dedupMinutes: 5,
      generate: true,
      warnings: [],
    });
  });

  it("lookback defaults to every; a query without :from is accepted with a warning", () => {
    const [r] = parse(rule("schedule: { every: 10m }\nquery: SELECT 1\n"));
    expect(r).toMatchObject({ everyMinutes: 10, lookbackMinutes: 10, groupBy: [] });
    expect(r?.warnings).toEqual([expect.stringMatching(/does not use :from/)]);
  });

  it.each([
    ["schedule: { every: 4m }\nquery: SELECT 1\n", /schedule.every must be from 5m/],
    ["schedule: { every: 25h }\nquery: SELECT 1\n", /schedule.every must be from 5m/],
    ["schedule: { every: 5 }\nquery: SELECT 1\n", /duration like 15m/],
    ["schedule: { every: 1h, lookback: 8d }\nquery: SELECT 1\n", /lookback must be/],
    ["schedule: { every: 1h, at: 3 }\nquery: SELECT 1\n", /unknown key "at"/],
    ["query: SELECT 1\n", /needs "schedule/],
    ["schedule: { every: 1h }\nquery: SELECT ?1\n", /does not parse/],
    ["schedule: { every: 1h }\nquery: SELECT :since\n", /":since" is not allowed/],
    ["kind: rule\nschedule: { every: 1h }\nquery: SELECT 1\n", /kind must be "scheduled"/],
    [
      "schedule: { every: 1h }\nquery: SELECT 1\ndetection: { s: { a: 1 }, condition: s }\n",
      /one of "detection", "correlation" and "query" \(a scheduled rule\), not both/,
    ],
  ])("refuses %j", (extra, message) => {
    expect(() => parse(rule(extra))).toThrow(RuleError);
    expect(() => parse(rule(extra))).toThrow(message);
  });
});

describe("scheduled rules: :from and :to", () => {
  it("binds the parameters as ISO literals, never inside a string or comment", () => {
    const from = Date.UTC(2026, 10, 1);
    const sql =
      "SELECT ':from' AS s FROM logs -- :to\nWHERE eventTime >= :from AND eventTime < :to";
    expect(bindWindow(sql, from, from + 3_600_000)).toBe(
      "SELECT ':from' AS s FROM logs -- :to\nWHERE eventTime >= '2026-11-01T00:00:00.000Z' AND eventTime < '2026-11-01T01:00:00.000Z'",
    );
  });
});
