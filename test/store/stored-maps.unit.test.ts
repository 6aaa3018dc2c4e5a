import { describe, expect, it } from "vitest";
import type { ViewDefinition } from "../../src/model/view";
import { storedMaps, storedMapTexts } from "../../src/store/derived";
import { normalizerFor, VENDORS } from "../../src/vendors";
import { VENDOR_FIXTURES } from "../vendors/manifest-fixtures";

/*
 * toRow decides the map markers on the normalizer's maps themselves where it is sure
 * (storedMapTexts), and writes and compares their JSON text otherwise (storedMaps, the text
 * path). Both must store the same texts: checked on every fixture event of every vendor, as
 * normalized and with its maps changed the ways the fast check must not take for the
 * construction's (an undefined member, another key, keys in another order, a string that is not
 * the raw one or not plain, an email that is not the name, items in another order or one more).
 */

type Maps = { actor: Record<string, unknown>; tags: Record<string, unknown>; resources: unknown[] };

const text = (m: Maps) => ({
  actor: JSON.stringify(m.actor),
  tags: JSON.stringify(m.tags),
  resources: JSON.stringify(m.resources),
});

const reversed = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).reverse());
const firstKey = (o: Record<string, unknown>) => Object.keys(o)[0];

/** The normalized maps, and the same changed one way each. */
function variants(m: Maps): [string, Maps][] {
  const k = firstKey(m.actor);
  const t = firstKey(m.tags);
  const out: [string, Maps][] = [
    ["as normalized", m],
    ["actor: undefined member", { ...m, actor: { ...m.actor, extra: undefined } }],
    ["actor: undefined member first", { ...m, actor: { before: undefined, ...m.actor } }],
    ["actor: another key", { ...m, actor: { ...m.actor, extra: "x" } }],
    ["actor: reversed", { ...m, actor: reversed(m.actor) }],
    ["actor: email of its own", { ...m, actor: { ...m.actor, email: "someone@example.com" } }],
    ["actor: email = name", { ...m, actor: { ...m.actor, email: m.actor.name } }],
    ["tags: undefined member", { ...m, tags: { ...m.tags, extra: undefined } }],
    ["tags: another key", { ...m, tags: { ...m.tags, extra: "x" } }],
    ["tags: reversed", { ...m, tags: reversed(m.tags) }],
    ["tags: a number member first", { ...m, tags: { before: 7, ...m.tags } }],
    ["tags: a string with U+2028 first", { ...m, tags: { before: "a\u2028b", ...m.tags } }],
    ["actor: a number member first", { ...m, actor: { before: 7, ...m.actor } }],
    ["resources: a number first", { ...m, resources: [7, ...m.resources] }],
    ["resources: a string with U+2028 first", { ...m, resources: ["a:\u2028", ...m.resources] }],
    ["resources: one more", { ...m, resources: [...m.resources, "x:y"] }],
    ["resources: reversed", { ...m, resources: [...m.resources].reverse() }],
    ["resources: a hole", { ...m, resources: [...m.resources, undefined] }],
    ["empty", { actor: {}, tags: {}, resources: [] }],
    ["not objects", { actor: null, tags: [], resources: "x" } as unknown as Maps],
  ];
  if (k !== undefined) {
    const v = m.actor[k];
    out.push(
      ["actor: first string changed", { ...m, actor: { ...m.actor, [k]: `${v}x` } }],
      ["actor: first string quoted", { ...m, actor: { ...m.actor, [k]: `${v}"` } }],
      ["actor: first a number", { ...m, actor: { ...m.actor, [k]: 7 } }],
      ["actor: first dropped", { ...m, actor: { ...m.actor, [k]: undefined } }],
    );
  }
  if (t !== undefined)
    out.push(["tags: first string changed", { ...m, tags: { ...m.tags, [t]: `${m.tags[t]}\n` } }]);
  if (m.resources.length > 0)
    out.push(
      [
        "resources: first changed",
        { ...m, resources: [`${m.resources[0]}x`, ...m.resources.slice(1)] },
      ],
      ["resources: first an object", { ...m, resources: [{}, ...m.resources.slice(1)] }],
    );
  return out;
}

/** The raw record with its strings written otherwise (escapes the plain test must catch). */
function rawVariants(value: unknown): [string, unknown][] {
  const escaped = JSON.parse(
    JSON.stringify(value, (_k, v) => (typeof v === "string" && v !== "" ? `${v}\u2028` : v)),
  ) as unknown;
  const quoted = JSON.parse(
    JSON.stringify(value, (_k, v) => (typeof v === "string" && v !== "" ? `"${v}\\` : v)),
  ) as unknown;
  return [
    ["raw as it is", value],
    ["raw strings + U+2028", escaped],
    ["raw strings quoted", quoted],
  ];
}

const cases = VENDORS.filter((v) => (v.view as ViewDefinition).derived).map((v) => ({
  type: v.type,
  view: v.view as ViewDefinition,
  events: VENDOR_FIXTURES[v.type] ?? [],
}));

/**
 * Maps a view builds that no fixture event of the vendor stores as a marker (the normalizer's map
 * is not the construction's for them, e.g. Slack's tags hold a number as a string).
 */
const NEVER_MARKED = new Set(["circleci resources", "slack tags"]);

describe.each(cases)(
  "storedMapTexts = storedMaps of the JSON texts: $type",
  ({ type, view, events }) => {
    it("every fixture event, as normalized and with its maps changed", async () => {
      expect(events.length).toBeGreaterThan(0);
      const markers = { actor: 0, tags: 0, resources: 0 };
      let whole = 0;
      for (const value of events) {
        for (const [rawName, parsed] of rawVariants(value)) {
          const raw = JSON.stringify(parsed);
          const out = normalizerFor(type).normalize({ value: parsed, raw });
          if (!out.ok) continue;
          const m: Maps = out.event;
          for (const [name, maps] of variants(m)) {
            // the same record, and its text with a backslash (the tags of `from` keep the text)
            for (const rawLog of [out.event.rawLog, `${out.event.rawLog}\\`]) {
              const want = storedMaps(view, parsed, rawLog, text(maps));
              const got = storedMapTexts(view, parsed, rawLog, maps);
              expect(got, `${type} ${rawName} ${name}`).toEqual(want);
              for (const [map, t] of Object.entries(got) as [keyof typeof markers, string][])
                if (t === "" || t === "@") markers[map]++;
              for (const t of Object.values(got)) if (t !== "" && t !== "@") whole++;
            }
          }
        }
      }
      // both decisions are taken, for each map the view builds (a check that only ever stores
      // whole texts proves nothing: both sides could agree on storing everything whole)
      for (const map of ["actor", "tags", "resources"] as const)
        if (view?.derived?.[map] && !NEVER_MARKED.has(`${type} ${map}`))
          expect(markers[map], `${type} ${map} markers`).toBeGreaterThan(0);
      expect(whole).toBeGreaterThan(0);
    });
  },
);
