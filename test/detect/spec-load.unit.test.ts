import { describe, expect, it } from "vitest";
import { compile, detection, expectSplit, parse } from "./helpers";

/** What the Sigma specification allows loads (issue 25, part 1). */

const BODY = "detection:\n  sel:\n    eventName: x\n  condition: sel\n";

describe("rule metadata the specification allows", () => {
  it("custom top-level keys are kept and ignored; a near-miss of ours warns", () => {
    const rule = detection(
      `title: t\nid: r1\nregression_tests_path: a/b.yml\nsimulation: {x: 1}\n${BODY}`,
    );
    expect(rule.yaml).toContain("regression_tests_path");
    expect(rule.warnings).toEqual([]);
    const typo = detection(`title: t\nid: r1\ndedup_minutes: 5\n${BODY}`);
    expect(typo.warnings).toEqual([
      'line 3: custom key "dedup_minutes" ignored (did you mean "dedup-minutes"?)',
    ]);
    expect(typo.dedupMinutes).toBe(60);
  });

  it("level and id are optional: medium; the name, else an id from the title (warned)", () => {
    const named = detection(`title: t\nname: my_rule\n${BODY}`);
    expect([named.id, named.level, named.warnings]).toEqual(["my_rule", "medium", []]);
    const bare = detection(`title: Odd Login!\n${BODY}`);
    expect(bare.id).toBe("odd-login");
    expect(bare.warnings).toEqual(['line 1: no id or name: the rule\'s id is "odd-login"']);
  });

  it("an unknown product or a category: accepted with a warning, never matches, fields unchecked", () => {
    const win = detection(
      `title: t\nid: r1\nlogsource:\n  product: windows\n  service: security\ndetection:\n  sel:\n    EventID: 4625\n  condition: sel\n`,
    );
    expect(win.reachable).toBe(false);
    expect(win.warnings[0]).toMatch(/^line 4: no source has logsource.product "windows" \(known: /);
    expect(win.match({ EventID: 4625 })).not.toBeNull(); // the rule itself works…
    const cat = detection(`title: t\nid: r1\nlogsource:\n  category: process_creation\n${BODY}`);
    expect(cat).toMatchObject({ category: "process_creation", reachable: false });
    expect(cat.warnings[0]).toContain('logsource.category "process_creation" is not produced');
    const ours = detection(`title: t\nid: r1\nlogsource:\n  product: planetscale\n${BODY}`);
    expect([ours.reachable, ours.warnings]).toEqual([true, []]);
  });
});

describe("keyword searches over the event's text", () => {
  it("a list of plain values: any of them anywhere (contains, case-insensitive)", () => {
    expectSplit(
      "keywords:\n  - 'evil'\n  - 'worse'\ncondition: keywords",
      { eventName: "x", actor: { email: "EVIL@example.com" } },
      { eventName: "good", resources: ["fine"] },
    );
    expectSplit("kw: 'drop table'\ncondition: kw", { sql: ["select 1", "DROP TABLE x"] }, {});
  });

  it("'|all': every value somewhere; numbers are text", () => {
    expectSplit(
      "kw:\n  '|all': [sudo, 4625]\ncondition: kw",
      { a: "sudo su", b: { id: 4625 } },
      { a: "sudo su" },
    );
  });
});

describe("modifiers of the specification", () => {
  it("windash: -, /, en dash, em dash, horizontal bar at a word start", () => {
    const rule = compile("sel:\n  eventName|windash|contains: ' -exec '\ncondition: sel");
    for (const d of ["-", "/", "\u2013", "\u2014", "\u2015"])
      expect(rule.match({ eventName: `x ${d}exec y` })).not.toBeNull();
    expect(rule.match({ eventName: "x +exec y" })).toBeNull();
  });

  it("base64 and base64offset (the specification's examples)", () => {
    expectSplit("sel:\n  eventName|base64: 'cmd'\ncondition: sel", { eventName: "Y21k" }, {});
    // "/bin/sh" at each offset of a base64 text, as SigmaHQ rules use it.
    const rule = compile("sel:\n  eventName|base64offset|contains: '/bin/sh'\ncondition: sel");
    for (const prefix of ["", "a", "ab"])
      expect(rule.match({ eventName: btoa(`${prefix}/bin/sh -c x`) })).not.toBeNull();
    expect(rule.match({ eventName: btoa("/bin/bash") })).toBeNull();
  });

  it("wide / utf16le / utf16be / utf16 then base64", () => {
    // pySigma: 'cmd' UTF-16LE base64 = YwBtAGQA; with a BOM //5jAG0AZAA=; BE AGMAbQBk
    expectSplit(
      "sel:\n  eventName|wide|base64: cmd\ncondition: sel",
      { eventName: "YwBtAGQA" },
      {},
    );
    expectSplit(
      "sel:\n  eventName|utf16le|base64: cmd\ncondition: sel",
      { eventName: "YwBtAGQA" },
      {},
    );
    expectSplit(
      "sel:\n  eventName|utf16|base64: cmd\ncondition: sel",
      { eventName: "//5jAG0AZAA=" },
      {},
    );
    expectSplit(
      "sel:\n  eventName|utf16be|base64: cmd\ncondition: sel",
      { eventName: "AGMAbQBk" },
      {},
    );
  });

  it("fieldref (and with neq): compares two fields of the event", () => {
    expectSplit(
      "sel:\n  actor.email|fieldref: tags.owner\ncondition: sel",
      { actor: { email: "A@x.io" }, tags: { owner: "a@x.io" } },
      { actor: { email: "a@x.io" }, tags: { owner: "b@x.io" } },
    );
    expectSplit(
      "sel:\n  actor.email|fieldref|neq: tags.owner\ncondition: sel",
      { actor: { email: "a@x.io" }, tags: { owner: "b@x.io" } },
      { actor: { email: "a@x.io" }, tags: { owner: "a@x.io" } },
    );
  });

  it("neq: differs from every value", () => {
    expectSplit(
      "sel:\n  eventName|neq: [a, b]\ncondition: sel",
      { eventName: "c" },
      { eventName: "B" },
    );
  });

  it("time parts: hour, day, week, month, year (UTC), alone or compared", () => {
    const at = "2026-01-01T22:30:00Z"; // a Thursday: ISO week 1
    expectSplit(
      "sel:\n  tags.when|hour: 22\ncondition: sel",
      { tags: { when: at } },
      { tags: { when: "2026-01-01T08:00:00Z" } },
    );
    expectSplit(
      "sel:\n  tags.when|hour|gte: 20\ncondition: sel",
      { tags: { when: at } },
      { tags: { when: "bad" } },
    );
    expectSplit(
      "sel:\n  tags.when|week: 1\ncondition: sel",
      { tags: { when: at } },
      { tags: { when: "2026-01-08T00:00:00Z" } },
    );
    expectSplit(
      "sel:\n  tags.when|month: 1\ncondition: sel",
      { tags: { when: Date.parse(at) } },
      { tags: { when: "2026-02-01" } },
    );
  });

  it("inline regex flags (?i) (?s) (?m) run on RE2", () => {
    expectSplit(
      "sel:\n  eventName|re: '(?i)^drop'\ncondition: sel",
      { eventName: "DROP x" },
      { eventName: "x drop" },
    );
    expectSplit(
      "sel:\n  eventName|re: '(?s)a.b'\ncondition: sel",
      { eventName: "a\nb" },
      { eventName: "ab" },
    );
    expectSplit(
      "sel:\n  eventName|re: '(?m)^b$'\ncondition: sel",
      { eventName: "a\nb" },
      { eventName: "ab" },
    );
  });

  it("case folding is the same for plain and wildcard values (non-ASCII)", () => {
    const cases: [string, string][] = [
      ["ÄRGER", "ärger"],
      ["ΣΊΣΥΦΟΣ", "σίσυφοσ"],
      ["straße", "STRAßE"],
    ];
    for (const [value, event] of cases) {
      const plain = compile(`sel:\n  eventName: '${value}'\ncondition: sel`);
      const wild = compile(
        `sel:\n  eventName: '${value.slice(0, 2)}*${value.slice(3)}'\ncondition: sel`,
      );
      expect([
        plain.match({ eventName: event }) !== null,
        wild.match({ eventName: event }) !== null,
      ]).toEqual([true, true]);
    }
  });

  it("unsupported: expand, 400-style errors naming the line (never a crash)", () => {
    expect(() =>
      parse(`title: t\nid: r\ndetection:\n  sel:\n    eventName|expand: '%x%'\n  condition: sel\n`),
    ).toThrow(/line 5: modifier "expand" is not supported/);
  });
});

describe("YAML depth: brackets in quoted values do not count", () => {
  it("SigmaHQ's log4j values (many `${` in quotes) load; unquoted deep brackets are refused", () => {
    const values = Array.from({ length: 70 }, () => "    - '$" + "{$" + "{lower:j}ndi:'").join(
      "\n",
    );
    expect(() =>
      parse(`title: t\nid: r\ndetection:\n  kw:\n${values}\n  condition: kw\n`),
    ).not.toThrow();
    expect(() => parse(`title: t\nid: r\nx: ${"[".repeat(70)}\n`)).toThrow(/nested more than 64/);
  });
});
