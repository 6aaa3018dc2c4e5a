import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { present as presentRow } from "../../src/catalog";
import type { ViewDefinition } from "../../src/model/view";
import { prepareRecords } from "../../src/pipeline/prepare";
import { fullMaps, isMarker, textInRawOnly } from "../../src/store/derived";
import { facets } from "../../src/store/explore";
import { commit } from "../../src/store/ingest";
import { getLog, queryLogs } from "../../src/store/query";
import { normalizerFor, VENDORS } from "../../src/vendors";
import { VENDOR_FIXTURES } from "../vendors/manifest-fixtures";

/**
 * The common maps a row stores as a marker and every reader rebuilds from rawLog
 * (src/store/derived.ts): for every fixture event of every vendor, and for variants of each made
 * to trip the construction (escapes, quotes, numbers, empty strings, index keys, nulls, arrays of
 * non-objects), the stored row must read back as the normalizer's text, byte for byte, in JS (the
 * API, detections, the archive) and in SQL (the `logs` view, the vendor's view, the actor filter,
 * free text, the actor facet).
 */
const FIXTURES: Record<string, unknown[]> = VENDOR_FIXTURES;

/** A copy of a JSON value with `f` applied to every string and array and object. */
function mapDeep(v: unknown, f: (x: unknown, depth: number) => unknown, depth = 0): unknown {
  const mapped = f(v, depth);
  if (Array.isArray(mapped)) return mapped.map((x) => mapDeep(x, f, depth + 1));
  if (mapped !== null && typeof mapped === "object")
    return Object.fromEntries(
      Object.entries(mapped).map(([k, x]) => [k, mapDeep(x, f, depth + 1)]),
    );
  return mapped;
}

/** Strings below the top level only (the event's id, time and name stay usable). */
const nested =
  (g: (s: string) => unknown) =>
  (x: unknown, depth: number): unknown =>
    typeof x === "string" && depth > 1 ? g(x) : x;

/** Each variant: the event, and its raw text (JSON of the same value, escaped its own way). */
const VARIANTS: Record<string, (e: unknown) => { value: unknown; raw: string }> = {
  fixture: (e) => ({ value: e, raw: JSON.stringify(e) }),
  "non-ASCII, escaped in the raw text": (e) => {
    const value = mapDeep(
      e,
      nested((s) => `${s}é€`),
    );
    return {
      value,
      raw: JSON.stringify(value).replace(
        /[é€]/g,
        (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
      ),
    };
  },
  "astral and slash": (e) => {
    const value = mapDeep(
      e,
      nested((s) => `${s}/😀`),
    );
    return { value, raw: JSON.stringify(value).replace(/\//g, "\\/") };
  },
  "quotes, backslashes and controls": (e) => {
    const value = mapDeep(
      e,
      nested((s) => `${s}"\\\t\u0001\u007f\u2028`),
    );
    return { value, raw: JSON.stringify(value) };
  },
  "pretty-printed raw text": (e) => ({ value: e, raw: JSON.stringify(e, null, 2) }),
  "arrays of ten": (e) => {
    const value = mapDeep(e, (x) =>
      Array.isArray(x) && x.length > 0 ? Array.from({ length: 10 }, (_, i) => x[i % x.length]) : x,
    );
    return { value, raw: JSON.stringify(value) };
  },
  "numbers and booleans for strings": (e) => {
    let i = 0;
    const value = mapDeep(
      e,
      nested(() => (i++ % 2 ? 42.5 : true)),
    );
    return { value, raw: JSON.stringify(value) };
  },
  "empty strings": (e) => {
    const value = mapDeep(
      e,
      nested(() => ""),
    );
    return { value, raw: JSON.stringify(value) };
  },
  "index keys, nulls, non-objects in arrays, objects for strings": (e) => {
    let i = 0;
    const value = mapDeep(e, (x, depth) => {
      if (Array.isArray(x)) return [...x, "loose", 7, null];
      if (x !== null && typeof x === "object" && depth > 0) return { ...x, "10": "ten", zz: null };
      if (typeof x === "string" && depth > 1 && i++ % 3 === 0) return { nested: x };
      return x;
    });
    return { value, raw: JSON.stringify(value) };
  },
};

/** LIKE's case folding: ASCII letters only. */
const foldAscii = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

const vendors = VENDORS.map((v) => ({
  type: v.type,
  view: v.view as ViewDefinition,
  events: FIXTURES[v.type] ?? [],
}));

describe.each(vendors)("maps rebuilt from rawLog: $type", ({ type, view, events }) => {
  it.each(Object.keys(VARIANTS))("read back exactly as stored today: %s", async (variant) => {
    const make = VARIANTS[variant] as (e: unknown) => { value: unknown; raw: string };
    const normalizer = normalizerFor(type);
    const source = { id: `derived-${type}-${Object.keys(VARIANTS).indexOf(variant)}`, type };
    const framed: Array<{ ok: true; value: unknown; raw: string; location: string }> = [];
    const expected = new Map<string, { actor: string; tags: string; resources: string }>();
    for (const [i, e] of events.entries()) {
      const { value, raw } = make(e);
      const n = normalizer.normalize({ value, raw });
      if (!n.ok || expected.has(n.event.eventID)) continue;
      framed.push({ ok: true, value, raw, location: `[${i}]` });
      expected.set(n.event.eventID, {
        actor: JSON.stringify(n.event.actor),
        tags: JSON.stringify(n.event.tags),
        resources: JSON.stringify(n.event.resources),
      });
    }
    if (variant === "fixture") expect(framed.length).toBeGreaterThan(1);
    const prepared = await prepareRecords(env, source, framed, Date.now());
    await commit(env, {
      sourceID: source.id,
      sourceType: type,
      ...prepared,
      received: framed.length,
      now: Date.now(),
    });
    let markers = 0;
    for (const row of prepared.rows) {
      const want = expected.get(row.eventID);
      if (!want) throw new Error(`${type}: ${row.eventID} was not expected`);
      const stored = await getLog(env.DB, row.id);
      if (!stored) throw new Error(`${type}: ${row.eventID} not stored`);
      markers += [stored.actor, stored.tags, stored.resources].filter(
        (t) => isMarker(t) || t === "",
      ).length;
      const where = `${type} ${variant} ${row.eventID}`;
      // JS: the API, detections, the archive
      expect(fullMaps(view, stored), where).toEqual(want);
      const shown = presentRow(stored);
      expect(JSON.stringify([shown.actor, shown.tags, shown.resources]), where).toBe(
        `[${want.actor},${want.tags},${want.resources}]`,
      );
      // SQL: the `logs` view and the vendor's own
      const all = await env.DB.prepare("SELECT actor, tags, resources FROM logs WHERE id = ?1")
        .bind(row.id)
        .first<Record<string, string>>();
      expect(all, `logs ${where}`).toEqual(want);
      const common = view.common === "all" ? ["actor", "tags", "resources"] : view.common;
      const own = ["actor", "tags", "resources"].filter((c) => common.includes(c));
      if (own.length > 0) {
        const viewed = await env.DB.prepare(
          `SELECT ${own.join(", ")} FROM ${view.name} WHERE id = ?1`,
        )
          .bind(row.id)
          .first<Record<string, string>>();
        expect(viewed, `${view.name} ${where}`).toEqual(
          Object.fromEntries(own.map((c) => [c, want[c as keyof typeof want]])),
        );
      }
      // the actor filter finds the row by each of its values, and free text by its maps' text
      const actor = JSON.parse(want.actor) as Record<string, string>;
      for (const value of new Set(Object.values(actor))) {
        const found = await queryLogs(env.DB, {
          sourceID: source.id,
          actor: value,
          timeField: "eventTime",
          order: "desc",
          limit: 1000,
        });
        expect(
          found.map((r) => r.id),
          `actor=${value} ${where}`,
        ).toContain(row.id);
      }
      for (const text of [want.actor, want.resources]) {
        if (text.length < 4) continue;
        const q = Array.from(text).slice(1, 24).join("");
        const found = await queryLogs(env.DB, {
          sourceID: source.id,
          q,
          timeField: "eventTime",
          order: "desc",
          limit: 1000,
        });
        expect(
          found.map((r) => r.id),
          `q=${q} ${where}`,
        ).toContain(row.id);
      }
    }
    // free text gives main's answer (a LIKE of the stored texts) for needles on both sides of
    // every condition of the shortcut (textInRawOnly): with and without JSON punctuation, inside
    // a key or literal of the view or not, in other case, and raw texts with and without escapes
    const needles = new Set<string>(["no-such-text", "%", "_"]);
    for (const want of expected.values()) {
      const strings = [
        ...Object.entries(JSON.parse(want.actor) as Record<string, string>).flat(),
        ...(JSON.parse(want.resources) as string[]).flatMap((r) => [r, ...r.split(":")]),
      ];
      for (const x of strings) {
        const chars = Array.from(x);
        // (D1 refuses a LIKE pattern of more than 50 bytes)
        for (const n of [
          chars.slice(0, 10).join(""),
          chars.slice(1, 7).join(""),
          chars.slice(-5).join("").toUpperCase(),
          `":"${chars.slice(0, 4).join("")}`,
          `${chars.slice(-3).join("")}",`,
        ])
          if (n !== "" && needles.size < 80) needles.add(n);
      }
    }
    const rowsOf = prepared.rows.filter((r) => expected.has(r.eventID));
    const shortcut = { taken: 0, not: 0 };
    for (const q of needles) {
      const n = foldAscii(q);
      const want = rowsOf
        .filter((r) => {
          const w = expected.get(r.eventID) as { actor: string; resources: string };
          return [r.eventName, w.actor, r.srcIP, w.resources, r.rawLog].some(
            (t) => t !== null && foldAscii(t).includes(n),
          );
        })
        .map((r) => r.id)
        .sort();
      const found = await queryLogs(env.DB, {
        sourceID: source.id,
        q,
        timeField: "eventTime",
        order: "desc",
        limit: 1000,
      });
      expect(found.map((r) => r.id).sort(), `q=${q} ${type} ${variant}`).toEqual(want);
      for (const m of ["actor", "resources"] as const)
        shortcut[textInRawOnly(view, m, q) ? "taken" : "not"]++;
    }
    if (variant === "fixture" && view.derived?.actor) {
      expect(shortcut.taken, `${type}: needles that skip the maps`).toBeGreaterThan(0);
      expect(shortcut.not, `${type}: needles that build them`).toBeGreaterThan(0);
    }
    // excluding an actor value leaves exactly the rows whose map has it not
    const values = [...expected.values()].map((w) => Object.values(JSON.parse(w.actor)));
    for (const value of new Set([...values.flat(), "no-such-actor"]) as Set<string>) {
      const left = await queryLogs(env.DB, {
        sourceID: source.id,
        exclude: [{ field: "actor", value }],
        timeField: "eventTime",
        order: "desc",
        limit: 1000,
      });
      expect(left.length, `exclude actor=${value}`).toBe(
        prepared.rows.filter(
          (r) => !values[[...expected.keys()].indexOf(r.eventID)]?.includes(value),
        ).length,
      );
    }
    // the actor facet counts the values the stored maps give
    const counts = new Map<string, number>();
    for (const want of expected.values()) {
      const a = JSON.parse(want.actor) as Record<string, string>;
      const who = a.email ?? a.name ?? a.id;
      if (who) counts.set(who, (counts.get(who) ?? 0) + 1);
    }
    const got = await facets(env.DB, { sourceID: source.id }, 1000);
    expect(Object.fromEntries(got.actor.map((f) => [f.value, f.count]))).toEqual(
      Object.fromEntries(counts),
    );
    // old rows (the maps stored whole) read the same: the markers written out, nothing rewritten
    await env.DB.prepare(
      "UPDATE events SET actor = '{\"old\":\"row\"}' WHERE sourceID = ?1 AND actor IN ('', '@')",
    )
      .bind(source.id)
      .run();
    const old = await env.DB.prepare(
      'SELECT count(*) AS n FROM logs WHERE sourceID = ?1 AND actor = \'{"old":"row"}\'',
    )
      .bind(source.id)
      .first<{ n: number }>();
    expect(old?.n).toBe(prepared.rows.filter((r) => isMarker(r.actor)).length);
    if (variant === "fixture" && view.derived && Object.keys(view.derived).length > 0)
      expect(markers, `${type}: maps stored as markers`).toBeGreaterThan(0);
  });
});

describe("free text skips a marker row's maps only where a match of them is a match of rawLog", () => {
  const view = {
    name: "v",
    description: "",
    common: "all",
    columns: [],
    derived: {
      actor: {
        pairs: [
          ["id", "user.id"],
          ["name", "user.login"],
        ],
        email: true,
      },
      resources: [{ path: "repo", type: "Repository" }, { path: "team" }],
    },
  } as unknown as ViewDefinition;
  it.each([
    ["alice", true, true],
    ["user_1 x@y.z '%", true, true],
    ["émile", true, true],
    ...[...'"\\{}[]:,'].map((c) => [`al${c}ice`, false, false]),
    ["", false, false],
    ["id", false, true],
    ["NAM", false, true],
    ["mail", false, true],
    ["EMAIL", false, true],
    ["reposit", true, false],
    ["TEAM", true, false],
  ] as Array<[string, boolean, boolean]>)(
    "%j: actor %s, resources %s",
    (needle, actor, resources) => {
      expect(textInRawOnly(view, "actor", needle)).toBe(actor);
      expect(textInRawOnly(view, "resources", needle)).toBe(resources);
      expect(textInRawOnly({ ...view, derived: {} }, "actor", needle)).toBe(false);
    },
  );
});
