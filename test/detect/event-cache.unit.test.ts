import { describe, expect, it } from "vitest";
import { indexCorrelations } from "../../src/detect/correlate";
import { matchRows } from "../../src/detect/evaluate";
import { cachedFieldCount, fieldReader, MAX_CACHED_FIELDS } from "../../src/detect/event-cache";
import { compileFolded, compileString, fold, type StringMode } from "../../src/detect/strings";
import type { DetectionRule } from "../../src/detect/types";
import { detection } from "./helpers";

/**
 * matchRows reads each field once per event for every rule and folds its text once
 * (src/detect/event-cache.ts). These are the ways such a shared cache goes wrong: a cased rule
 * given the folded text, a value kept from the previous event, a field of one name read for
 * another, a row changed between two batches.
 */

const rule = (id: string, selection: string): DetectionRule =>
  detection(
    `title: ${id}\nid: ${id}\nlevel: low\nlogsource:\n  product: turbopuffer\ndetection:\n  sel:\n${selection
      .trim()
      .split("\n")
      .map((l) => `    ${l}`)
      .join("\n")}\n  condition: sel\n`,
  );

const SOURCE = { id: "tp", type: "turbopuffer" };

/** The ids of the rules each row matched, in row order (`-` for none). */
function matched(rules: DetectionRule[], rows: Record<string, unknown>[]): string[] {
  const active = { detections: rules, correlations: indexCorrelations([]) };
  const stored = rows.map((r, i) => ({ ...r, id: `e${i}`, eventTime: i }));
  const ms = matchRows(active, SOURCE, stored, (r) => r);
  return stored.map(
    (s) =>
      ms
        .filter((m) => m.eventId === s.id)
        .map((m) => m.ruleId)
        .join(",") || "-",
  );
}

describe("one read of a field per event, shared by every rule", () => {
  it("a cased rule and an uncased one on the same field each compare as written", () => {
    const rules = [
      rule("cased", "eventName|cased: Login"),
      rule("uncased", "eventName: login"),
      rule("cased-contains", "eventName|contains|cased: OG"),
      rule("uncased-contains", "eventName|contains: og"),
    ];
    expect(
      matched(rules, [
        { eventName: "login" },
        { eventName: "Login" },
        { eventName: "LOGIN" },
        { eventName: "lOGin" },
      ]),
    ).toEqual([
      "uncased,uncased-contains",
      "cased,uncased,uncased-contains",
      "uncased,cased-contains,uncased-contains",
      "uncased,cased-contains,uncased-contains",
    ]);
    // The same with the uncased rules first: the folded text is read before the cased tests.
    expect(matched([...rules].reverse(), [{ eventName: "login" }, { eventName: "Login" }])).toEqual(
      ["uncased-contains,uncased", "uncased-contains,uncased,cased"],
    );
  });

  it("a field missing in one event and present in the next is read for each", () => {
    const rules = [
      rule("suffix", "actor.email|endswith: '@x.io'"),
      rule("missing", "actor.email: null"),
      rule("exists", "actor.email|exists: true"),
      rule("name", "eventName|startswith: key"),
    ];
    expect(
      matched(rules, [
        { eventName: "key.created", actor: { email: "a@x.io" } },
        { eventName: "session", actor: {} },
        { eventName: "KEY.deleted", actor: { email: "B@X.IO" } },
        { actor: { email: null } },
        { eventName: "key", actor: { email: "c@y.io" } },
      ]),
    ).toEqual([
      "suffix,exists,name",
      "missing",
      "suffix,exists,name",
      "missing,exists",
      "exists,name",
    ]);
  });

  it("two fields, one a prefix of the other's path, and a key holding the dotted name", () => {
    const rules = [
      rule("dotted", "actor.email: a@x.io"),
      rule("flat", "eventName: a@x.io"),
      rule("tag", "tags.team.name: red"),
    ];
    expect(
      matched(rules, [
        { eventName: "a@x.io", actor: { email: "b@x.io" } },
        { eventName: "x", actor: { email: "A@X.io" }, tags: { "team.name": "RED" } },
        { eventName: "x", actor: { email: "b@x.io" }, tags: { team: { name: "red" } } },
      ]),
    ).toEqual(["flat", "dotted,tag", "tag"]);
  });

  it("numbers, booleans and arrays as text, an `all` list and a negation on one field", () => {
    const rules = [
      rule("num", "eventName|startswith: '20'"),
      rule("bool", "eventName: 'TRUE'"),
      rule("all", "eventName|contains|all: [ab, cd]"),
      rule("neq", "eventName|neq: abcd"),
    ];
    expect(
      matched(rules, [
        { eventName: 204 },
        { eventName: true },
        { eventName: "xxABxxCD" },
        { eventName: ["ab", "cd"] },
        { eventName: "ABCD" },
      ]),
    ).toEqual(["num,neq", "bool,neq", "all,neq", "all,neq", "all"]);
  });

  it("the same row object changed between two batches is read again", () => {
    const rules = [rule("a", "eventName: a"), rule("b", "eventName|cased: b")];
    const row: Record<string, unknown> = { eventName: "A" };
    expect(matched(rules, [row])).toEqual(["a"]);
    row.eventName = "b";
    expect(matched(rules, [row])).toEqual(["b"]);
    // And a rule matched on its own (no shared read) sees the row as it is now.
    expect((rules[0] as DetectionRule).match(row)).toBeNull();
    expect((rules[1] as DetectionRule).match(row)).not.toBeNull();
  });

  // Last in this file: it fills the slot table for the rest of the worker's life.
  it("fields named after the slot table is full are read uncached, with the same answers", () => {
    for (let i = 0; cachedFieldCount() < MAX_CACHED_FIELDS; i++) fieldReader(`filler.f${i}`);
    // Fields no earlier test named, so neither holds a slot: both are read uncached.
    const rules = [rule("a", "actor.username|contains: ADMIN"), rule("b", "tags.env: Prod")];
    const rows = [
      { actor: { username: "SuperAdmin" }, tags: { env: "prod" } },
      { actor: { username: "bob" }, tags: { env: "dev" } },
      { actor: {}, tags: { env: "PROD" } },
    ];
    expect(matched(rules, rows)).toEqual(["a,b", "-", "b"]);
    expect(cachedFieldCount()).toBe(MAX_CACHED_FIELDS);
  });
});

describe("folding once per event answers as folding per comparison", () => {
  it("every UTF-16 unit folds to one unit, folds no further, and stays a surrogate or not", () => {
    const bad: string[] = [];
    const surrogate = (c: number) => c >= 0xd800 && c <= 0xdfff;
    for (let c = 0; c < 0x10000; c++) {
      const f = fold(String.fromCharCode(c));
      if (f.length !== 1 || fold(f) !== f || surrogate(f.charCodeAt(0)) !== surrogate(c))
        bad.push(c.toString(16));
    }
    expect(bad).toEqual([]);
  });

  it("compileFolded on folded text = compileString uncased, for literals and wildcards", () => {
    const values = [
      "abc",
      "ÄRGER",
      "straße",
      "\u212a",
      "k",
      "i",
      "İ",
      "a*c",
      "?b",
      "x\\*y",
      "",
      "*",
      "😀?",
    ];
    const texts = [
      "ABC",
      "xabcx",
      "ärger",
      "STRASSE",
      "straße",
      "K",
      "\u212a",
      "k",
      "İ",
      "i",
      "aXc",
      "ab",
      "x*y",
      "xzy",
      "",
      "😀a",
      "😀😀",
      "ı",
    ];
    const modes: StringMode[] = ["equals", "contains", "startswith", "endswith"];
    const differ: string[] = [];
    for (const v of values)
      for (const m of modes) {
        const plain = compileString(v, m, false);
        const folded = compileFolded(v, m);
        for (const t of texts)
          if (plain(t) !== folded(fold(t)))
            differ.push(`${m} ${JSON.stringify(v)} on ${JSON.stringify(t)}`);
      }
    expect(differ).toEqual([]);
  });
});
