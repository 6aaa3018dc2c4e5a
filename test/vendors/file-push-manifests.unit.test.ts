import { describe, expect, it } from "vitest";
import { csvRecords } from "../../src/parse/csv";
import { isVendorTestObject, vendorOf } from "../../src/vendors";
import type { Normalizer } from "../../src/vendors/event";
import type { Vendor } from "../../src/vendors/types";
import { airkit as airkitVendor } from "./legacy/airkit-index";
import { circleci as circleciVendor } from "./legacy/circleci-index";
import { turbopuffer as turbopufferVendor } from "./legacy/turbopuffer-index";

/**
 * Turbopuffer (push and files), CircleCI and Airkit (files) as manifests store exactly what their
 * TypeScript did (a copy of it is kept in test/vendors/legacy/ for this comparison only), by the
 * method of seed-manifests.unit.test.ts: every event of every fixture file (JSON, NDJSON, CSV),
 * and every variant of each with one field missing, null, empty, of another type or an odd
 * string, normalizes to the same result (the same event ids, common columns and sourceFields, in
 * the same key order, or the same refusal in the same words); CSV-export rows (CircleCI's
 * upper-case, flattened columns with JSON cells; Airkit's keys in any case) too; and the
 * vendors' views, transports, configs (what they accept and the words of what they refuse) and
 * skipped test objects are the same.
 */

const FILES = import.meta.glob<string>(
  "../../src/vendors/{turbopuffer,circleci,airkit}/fixtures/*.{json,ndjson,csv}",
  { eager: true, query: "?raw", import: "default" },
);

const LEGACY = {
  turbopuffer: turbopufferVendor,
  circleci: circleciVendor,
  airkit: airkitVendor,
} as const satisfies Record<string, Vendor>;
type Type = keyof typeof LEGACY;
const TYPES = Object.keys(LEGACY) as Type[];

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

async function csvRows(text: string): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for await (const r of csvRecords(text, (async function* () {})(), 0))
    if (r.ok && isObject(r.value)) out.push(r.value);
  return out;
}

/** Every event of a vendor's fixture files, as the bucket reader and push route frame them. */
async function eventsOf(type: Type): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for (const [path, text] of Object.entries(FILES)) {
    if (path.split("/").at(-3) !== type) continue;
    if (path.endsWith(".csv")) out.push(...(await csvRows(text)));
    else if (path.endsWith(".ndjson"))
      for (const line of text.split("\n").filter((l) => l.trim()))
        out.push(JSON.parse(line) as Record<string, unknown>);
    else {
      const v = JSON.parse(text) as unknown;
      for (const e of Array.isArray(v) ? v : [v]) if (isObject(e)) out.push(e);
    }
  }
  return out;
}

/** A CircleCI JSON event as a row of its CSV export: upper-case keys, ACTOR_ID, JSON cells. */
function circleciCsvRow(e: Record<string, unknown>): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e)) {
    const key = k.toUpperCase();
    if (isObject(v) && k !== "payload" && k !== "metadata")
      for (const [f, x] of Object.entries(v))
        row[`${key}_${f.toUpperCase()}`] = typeof x === "string" ? x : JSON.stringify(x);
    else row[key] = typeof v === "string" ? v : JSON.stringify(v);
  }
  return row;
}

/** An Airkit export row with its keys as other writers spell them. */
const airkitSpellings = (e: Record<string, unknown>) => [
  Object.fromEntries(
    Object.entries(e).map(([k, v]) => [
      k.toLowerCase().replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()),
      v,
    ]),
  ),
  Object.fromEntries(Object.entries(e).map(([k, v]) => [` ${k.toLowerCase()} `, v])),
  Object.fromEntries(Object.entries(e).map(([k, v]) => [k.replace(/_/g, "-"), v])),
];

const ODD_VALUES = [null, "", " ", 0, 42.5, -1, true, {}, [], { a: { b: 1 } }, ["x"], "not a time"];
const ODD_STRINGS = [
  "2026-08-21T10:15:02Z",
  "2026-08-21 09:15:42.118",
  "1754006400",
  "12",
  "a@b.example",
  "true",
  '{"id":"x"}',
  "[1,2]",
  "{not json",
  "203.0.113.9",
];

/** Each event as it is, and with each of its fields (and those of the others) replaced. */
function variants(events: Array<Record<string, unknown>>): unknown[] {
  const keys = [...new Set(events.flatMap((e) => Object.keys(e)))];
  const out: unknown[] = [null, 42, "text", [], {}];
  for (const e of events) {
    out.push(e);
    for (const k of keys) {
      const { [k]: _, ...without } = e;
      out.push(without);
      for (const v of [...ODD_VALUES, ...ODD_STRINGS]) out.push({ ...e, [k]: v });
      // one level down: the fields of an object field (actor.id, request.ip_address …)
      const inner = e[k];
      if (isObject(inner))
        for (const f of Object.keys(inner)) {
          const { [f]: __, ...innerWithout } = inner;
          out.push({ ...e, [k]: innerWithout });
          for (const v of [null, "", 5, {}, [], "x@y.example"])
            out.push({ ...e, [k]: { ...inner, [f]: v } });
        }
    }
  }
  return out;
}

/** Variants in the shapes only some vendors read: CSV-export rows, keys spelt otherwise. */
function shapes(type: Type, events: Array<Record<string, unknown>>): unknown[] {
  if (type === "circleci") {
    const rows = events.map(circleciCsvRow);
    return [
      ...variants(rows),
      { ...rows[0], ACTOR_ID: `{"a":${"[".repeat(70)}${"]".repeat(70)}}` },
      { ...rows[0], VERSION: "-3" },
    ];
  }
  if (type === "airkit") return variants(events.flatMap(airkitSpellings));
  return [];
}

/** Where a result differs, in the order of its keys too (the stored JSON text). */
const text = (v: unknown) => JSON.stringify(v);

type Result = Awaited<ReturnType<Normalizer["normalize"]>>;

/**
 * Where the engine's rules differ from the TypeScript, met only by odd variants (every fixture
 * event and every realistic shape is stored exactly as before), the rules already applied to
 * PlanetScale and Turso: an empty string is no value (a "" CircleCI target type is the default
 * type "target" where the TypeScript wrote ":<id>"), a number is text like a string (a numeric
 * turbopuffer `metadata.impersonator` is the actor's impersonator), and an object or a list is
 * no text (Airkit's TypeScript wrote String(value), "[object Object]" or "x", into the actor,
 * tags and resources); and a negative CSV version is a number like a positive one.
 */
function engineRules(type: Type, value: unknown, before: Result): Result {
  if (!before.ok || !isObject(value)) return before;
  const e = before.event;
  if (type === "airkit") {
    const odd = new Set(
      Object.values(value)
        .filter((v) => v !== null && typeof v === "object")
        .map((v) => String(v)),
    );
    const strip = (m: Record<string, string>) =>
      Object.fromEntries(Object.entries(m).filter(([, v]) => !odd.has(v)));
    return {
      ...before,
      event: {
        ...e,
        actor: strip(e.actor),
        tags: strip(e.tags),
        resources: e.resources.filter((r) => !odd.has(r.slice(r.indexOf(":") + 1))),
      },
    };
  }
  if (type === "circleci") {
    const target = value.target;
    const resources =
      isObject(target) && target.type === "" ? e.resources.map((r) => `target${r}`) : e.resources;
    const version = value.VERSION === "-3" ? { version: -3 } : {};
    return {
      ...before,
      event: { ...e, resources, sourceFields: { ...e.sourceFields, ...version } },
    };
  }
  const impersonator = isObject(value.metadata) ? value.metadata.impersonator : undefined;
  if (typeof impersonator === "number" || typeof impersonator === "boolean") {
    const { email, ...rest } = e.actor;
    const actor = { ...rest, impersonator: String(impersonator), ...(email && { email }) };
    return { ...before, event: { ...e, actor } };
  }
  return before;
}

describe.each(TYPES)("%s as a manifest stores what its TypeScript stored", (type) => {
  const vendor = vendorOf(type);
  const legacy = LEGACY[type];

  it("normalizes every fixture event and each variant of it to the same result", async () => {
    const events = await eventsOf(type);
    expect(events.length).toBeGreaterThanOrEqual(type === "turbopuffer" ? 8 : 4);
    const all = [...variants(events), ...shapes(type, events)];
    let accepted = 0;
    let refused = 0;
    for (const value of all) {
      const raw = JSON.stringify(value);
      const before = legacy.normalizer.normalize({ value, raw });
      const after = vendor.normalizer.normalize({ value, raw });
      const expected = engineRules(type, value, before);
      expect(after, raw).toEqual(expected);
      expect(text(after), raw).toBe(text(expected));
      if (before.ok) accepted++;
      else refused++;
      if (isObject(value))
        expect(vendor.normalizer.isEvent(value), raw).toBe(legacy.normalizer.isEvent(value));
    }
    expect(accepted).toBeGreaterThan(events.length);
    expect(refused).toBeGreaterThan(10);
  });

  it("has the same view, transports and push auth", () => {
    // `derived` (how the maps a row may leave to rawLog are built, src/store/derived.ts) is new
    // with manifests: the TypeScript vendors stored every map
    const { derived: _derived, ...view } = vendor.view;
    expect(view).toEqual(legacy.view);
    expect(text(view)).toBe(text(legacy.view));
    expect(vendor.transports).toEqual(legacy.transports);
    expect(vendor.push).toEqual((legacy as Vendor).push);
    expect(vendor.poll).toBeUndefined();
  });

  it("takes the same SOURCES entries and refuses the others in the same words", () => {
    const base = { id: "s1", type };
    const entries = [
      base,
      { ...base, ingestTokenEnv: "TP_TOKEN" },
      { ...base, prefix: `${type}/` },
      { ...base, ingestTokenEnv: "TP_TOKEN", prefix: `${type}/` },
      { ...base, ingestTokenEnv: "bad name" },
      { ...base, prefix: "x/", s3: { bucket: "b" } },
      { ...base, prefix: "x/", ttlDays: 3, hotDays: 1, maxBodyBytes: 2048 },
      { ...base, prefix: "x/", tokenEnv: "T" },
      { ...base, prefix: "x/", allowedIPs: ["10.0.0.0/8"] },
      { ...base, id: "Bad Id", prefix: "x/" },
    ];
    for (const entry of entries) {
      const a = vendor.config.safeParse(entry);
      const b = legacy.config.safeParse(entry);
      expect(a.success, text(entry)).toBe(b.success);
      if (a.success && b.success) expect(text(a.data)).toBe(text(b.data));
      else expect(text(a.error?.issues)).toBe(text(b.error?.issues));
    }
  });

  it("skips the same test objects", () => {
    expect(vendor.testObjectPrefixes ?? []).toEqual((legacy as Vendor).testObjectPrefixes ?? []);
    for (const p of (legacy as Vendor).testObjectPrefixes ?? []) {
      expect(isVendorTestObject(`${type}/2026/${p}1787310000`)).toBe(true);
      expect(isVendorTestObject(`${type}/2026/x-${p}1787310000`)).toBe(false);
    }
  });
});
