import { describe, expect, it } from "vitest";
import { compile, expectSplit } from "./helpers";

describe("plain values", () => {
  it("strings compare case-insensitively", () => {
    expectSplit(
      "sel:\n  eventName: User.Login\ncondition: sel",
      { eventName: "user.LOGIN" },
      { eventName: "user.logout" },
    );
  });

  it("* and ? are wildcards", () => {
    expectSplit(
      "sel:\n  eventName: 'user.*'\ncondition: sel",
      { eventName: "USER.delete" },
      { eventName: "org.user" },
    );
    expectSplit(
      "sel:\n  eventName: 'db.?et'\ncondition: sel",
      { eventName: "db.get" },
      { eventName: "db.gets" },
    );
    expectSplit(
      "sel:\n  eventName: 'a*b?c'\ncondition: sel",
      { eventName: "AxxBzC" },
      { eventName: "abc" },
    );
    expectSplit("sel:\n  eventName: '*'\ncondition: sel", { eventName: "" }, { eventName: null });
  });

  it("a backslash escapes a wildcard; before anything else it is itself", () => {
    expectSplit(
      "sel:\n  eventName: 'what\\?'\ncondition: sel",
      { eventName: "what?" },
      { eventName: "whats" },
    );
    expectSplit(
      "sel:\n  eventName: 'a\\*b'\ncondition: sel",
      { eventName: "a*b" },
      { eventName: "axb" },
    );
    expectSplit(
      "sel:\n  eventName: 'C:\\Windows'\ncondition: sel",
      { eventName: "c:\\windows" },
      { eventName: "C:Windows" },
    );
    expectSplit(
      "sel:\n  eventName: 'C:\\\\*'\ncondition: sel",
      { eventName: "C:\\x" },
      { eventName: "C:x" },
    );
  });
});

describe("plain values: lists, numbers, booleans, null", () => {
  it("regex characters in a value are plain", () => {
    expectSplit(
      "sel:\n  eventName: 'a.b*(c)'\ncondition: sel",
      { eventName: "a.bzz(c)" },
      { eventName: "axbzz(c)" },
    );
  });

  it("a list is OR", () => {
    const rule = compile("sel:\n  eventName: [a, b]\ncondition: sel");
    expect(rule.match({ eventName: "B" })).not.toBeNull();
    expect(rule.match({ eventName: "c" })).toBeNull();
  });

  it("numbers compare by value, or with a string holding them", () => {
    const rule = compile("sel:\n  count: 42\ncondition: sel");
    expect(rule.match({ count: 42 })).not.toBeNull();
    expect(rule.match({ count: "42" })).not.toBeNull();
    expect(rule.match({ count: 43 })).toBeNull();
    expect(rule.match({ count: "420" })).toBeNull();
  });

  it("booleans compare by value", () => {
    expectSplit("sel:\n  readOnly: true\ncondition: sel", { readOnly: true }, { readOnly: false });
    expectSplit("sel:\n  readOnly: false\ncondition: sel", { readOnly: false }, { readOnly: null });
    expectSplit("sel:\n  readOnly: true\ncondition: sel", { readOnly: "TRUE" }, { readOnly: 1 });
  });

  it("a string value matches a number or boolean row value by its text", () => {
    expectSplit("sel:\n  count: '4*'\ncondition: sel", { count: 42 }, { count: 24 });
  });

  it("null matches a missing or null field, not an empty one", () => {
    const rule = compile("sel:\n  srcIP: null\ncondition: sel");
    expect(rule.match({ srcIP: null })).not.toBeNull();
    expect(rule.match({})).not.toBeNull();
    expect(rule.match({ srcIP: "" })).toBeNull();
    expect(rule.match({ srcIP: "1.2.3.4" })).toBeNull();
  });

  it("'' matches only the empty string", () => {
    expectSplit("sel:\n  eventName: ''\ncondition: sel", { eventName: "" }, { eventName: null });
  });

  it("a non-ASCII value folds case too", () => {
    expectSplit(
      "sel:\n  eventName: ÉTÉ\ncondition: sel",
      { eventName: "été" },
      { eventName: "ete" },
    );
  });
});

describe("maps and arrays", () => {
  it("dotted fields read map keys", () => {
    expectSplit(
      "sel:\n  actor.email: bob@example.com\ncondition: sel",
      { actor: { email: "BOB@example.com" } },
      { actor: { email: "alice@example.com" } },
    );
    expectSplit("sel:\n  tags.env: prod\ncondition: sel", { tags: { env: "prod" } }, { tags: {} });
  });

  it("an array value matches when any element does", () => {
    expectSplit(
      "sel:\n  resources|startswith: db/\ncondition: sel",
      { resources: ["user/1", "DB/main"] },
      { resources: ["user/1", "xdb/main"] },
    );
    expectSplit(
      "sel:\n  resources: secret\ncondition: sel",
      { resources: ["a", "secret"] },
      { resources: [] },
    );
  });

  it("all over an array: every value matches some element", () => {
    expectSplit(
      "sel:\n  resources|contains|all: [db, prod]\ncondition: sel",
      { resources: ["db/main", "env/prod"] },
      { resources: ["db/main", "env/dev"] },
    );
  });

  it("a selection map is AND of its fields", () => {
    const rule = compile(
      "sel:\n  eventName: login\n  actor.email|endswith: '@evil.com'\ncondition: sel",
    );
    expect(rule.match({ eventName: "login", actor: { email: "x@evil.com" } })).toEqual([
      'sel: eventName: "login", actor.email|endswith: "@evil.com"',
    ]);
    expect(rule.match({ eventName: "login", actor: { email: "x@good.com" } })).toBeNull();
  });

  it("a selection list of maps is OR", () => {
    const rule = compile("sel:\n  - eventName: login\n  - actor.email: root\ncondition: sel");
    expect(rule.match({ eventName: "x", actor: { email: "root" } })).toEqual([
      'sel: actor.email: "root"',
    ]);
    expect(rule.match({ eventName: "x", actor: { email: "bob" } })).toBeNull();
  });
});
