import { describe, expect, it } from "vitest";
import { compile, expectSplit } from "./helpers";

describe("modifiers", () => {
  it("contains", () => {
    expectSplit(
      "sel:\n  eventName|contains: DELETE\ncondition: sel",
      { eventName: "org.delete.user" },
      { eventName: "org.create" },
    );
  });

  it("startswith", () => {
    expectSplit(
      "sel:\n  eventName|startswith: org.\ncondition: sel",
      { eventName: "ORG.x" },
      { eventName: "x.org." },
    );
  });

  it("endswith", () => {
    expectSplit(
      "sel:\n  eventName|endswith: .delete\ncondition: sel",
      { eventName: "db.DELETE" },
      { eventName: "delete.db" },
    );
  });

  it("contains keeps inner wildcards", () => {
    expectSplit(
      "sel:\n  eventName|contains: 'a*z'\ncondition: sel",
      { eventName: "--abcz--" },
      { eventName: "--za--" },
    );
  });

  it("all: every listed value must match", () => {
    const rule = compile("sel:\n  eventName|contains|all: [user, delete]\ncondition: sel");
    expect(rule.match({ eventName: "user.delete" })).toEqual([
      'sel: eventName|contains|all: ["user", "delete"]',
    ]);
    expect(rule.match({ eventName: "user.create" })).toBeNull();
  });
});

describe("modifiers: cased, re", () => {
  it("cased", () => {
    expectSplit(
      "sel:\n  eventName|cased: Login\ncondition: sel",
      { eventName: "Login" },
      { eventName: "login" },
    );
    expectSplit(
      "sel:\n  eventName|contains|cased: In\ncondition: sel",
      { eventName: "LogIn" },
      { eventName: "login" },
    );
  });

  it("re: a JavaScript RegExp, case-sensitive; i, m, s flags", () => {
    expectSplit(
      "sel:\n  eventName|re: '^user\\.(create|delete)$'\ncondition: sel",
      { eventName: "user.delete" },
      { eventName: "User.delete" },
    );
    expectSplit(
      "sel:\n  eventName|re|i: '^user\\.'\ncondition: sel",
      { eventName: "USER.x" },
      { eventName: "xuser.x" },
    );
    expectSplit(
      "sel:\n  eventName|re|s: '^a.b$'\ncondition: sel",
      { eventName: "a\nb" },
      { eventName: "a\n\nb" },
    );
    expectSplit(
      "sel:\n  eventName|re|m: '^b$'\ncondition: sel",
      { eventName: "a\nb" },
      { eventName: "a b" },
    );
  });
});

describe("modifiers: cidr", () => {
  it("cidr: IPv4", () => {
    expectSplit(
      "sel:\n  srcIP|cidr: 10.0.0.0/8\ncondition: sel",
      { srcIP: "10.1.2.3" },
      { srcIP: "11.1.2.3" },
    );
    expectSplit(
      "sel:\n  srcIP|cidr: 192.168.1.7/32\ncondition: sel",
      { srcIP: "192.168.1.7" },
      { srcIP: "192.168.1.8" },
    );
  });

  it("cidr: IPv6, and a list is OR", () => {
    expectSplit(
      "sel:\n  srcIP|cidr: '2001:db8::/32'\ncondition: sel",
      { srcIP: "2001:DB8:1::5" },
      { srcIP: "2001:db9::1" },
    );
    expectSplit(
      "sel:\n  srcIP|cidr: ['10.0.0.0/8', 'fd00::/8']\ncondition: sel",
      { srcIP: "fd12::1" },
      { srcIP: "not an ip" },
    );
  });

  it("cidr: an IPv4-mapped IPv6 address is its IPv4 address", () => {
    expectSplit(
      "sel:\n  srcIP|cidr: 10.0.0.0/8\ncondition: sel",
      { srcIP: "::ffff:10.0.0.1" },
      { srcIP: "::ffff:11.0.0.1" },
    );
  });
});

describe("modifiers: exists, comparisons", () => {
  it("exists: true (present, even empty or null: the spec checks presence) / false", () => {
    expectSplit(
      "sel:\n  actor.email|exists: true\ncondition: sel",
      { actor: { email: "" } },
      { actor: {} },
    );
    expectSplit("sel:\n  srcIP|exists: true\ncondition: sel", { srcIP: null }, {});
    expectSplit("sel:\n  srcIP|exists: false\ncondition: sel", { eventName: "x" }, { srcIP: null });
  });

  it("lt, lte, gt, gte compare numbers (and numeric strings)", () => {
    expectSplit("sel:\n  count|gt: 10\ncondition: sel", { count: 11 }, { count: 10 });
    expectSplit("sel:\n  count|gte: 10\ncondition: sel", { count: "10" }, { count: 9 });
    expectSplit("sel:\n  count|lt: 10\ncondition: sel", { count: 9 }, { count: "" });
    expectSplit("sel:\n  count|lte: 10\ncondition: sel", { count: 10 }, { count: "eleven" });
  });

  it("the explanation names field, modifiers and the value that matched", () => {
    const rule = compile("sel:\n  srcIP|cidr: [10.0.0.0/8, 192.168.0.0/16]\ncondition: sel");
    expect(rule.match({ srcIP: "192.168.3.4" })).toEqual(["sel: srcIP|cidr: 192.168.0.0/16"]);
  });
});
