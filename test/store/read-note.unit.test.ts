import { describe, expect, it } from "vitest";
import type { NormalizedEvent } from "../../src/model/event";
import { readNote } from "../../src/model/read-note";
import type { ViewDefinition } from "../../src/model/view";
import { toRow } from "../../src/store/rows";
import { normalizerFor, VENDORS } from "../../src/vendors";
import { VENDOR_FIXTURES } from "../vendors/manifest-fixtures";

/*
 * A manifest normalizer notes what it found of an event's fields and maps as it read them
 * (src/model/read-note.ts), and toRow takes those answers instead of reading the record again.
 * The row must be the one toRow makes without the note (a copy of the event: the note is not
 * copied), byte for byte: checked on every fixture event of every vendor and on variants of each
 * with a value anywhere in it replaced by one the construction reads otherwise (a number or a
 * boolean for a string, a string that is not plain, an object for a list, a list too long, keys
 * V8 or an object take otherwise), and with a map replaced after normalizing (a pipeline's tags).
 */

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const ODD: Json[] = [
  null,
  "",
  0,
  7.5,
  true,
  {},
  [],
  ["x"],
  'a"b',
  "a\\b",
  "a\u2028b",
  "\ud800",
  "plain",
];

/** An object with an own key that an object literal would take otherwise (`__proto__`). */
const withKey = (o: { [k: string]: Json }, k: string, v: Json): { [k: string]: Json } => {
  const out = { ...o };
  Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  return out;
};

/** `value` with the value at `path` replaced by each of `f`'s. */
function replacedAt(
  value: Json,
  path: readonly (string | number)[],
  f: (v: Json) => Json[],
): Json[] {
  if (path.length === 0) return f(value);
  const [head, ...rest] = path as [string | number, ...(string | number)[]];
  if (Array.isArray(value))
    return replacedAt(value[head as number] as Json, rest, f).map((x) =>
      value.map((y, i) => (i === head ? x : y)),
    );
  if (value === null || typeof value !== "object") return [];
  const o = value as { [k: string]: Json };
  return replacedAt(o[head as string] as Json, rest, f).map((x) => withKey(o, head as string, x));
}

/** Every path of `value` (objects and lists, up to 4 deep, 3 items of a list). */
function pathsOf(value: Json, depth = 0): (string | number)[][] {
  const out: (string | number)[][] = [[]];
  if (depth >= 4 || value === null || typeof value !== "object") return out;
  const children: [string | number, Json][] = Array.isArray(value)
    ? value.slice(0, 3).map((v, i) => [i, v])
    : Object.entries(value);
  for (const [k, v] of children) for (const p of pathsOf(v, depth + 1)) out.push([k, ...p]);
  return out;
}

/** The ways a value is replaced at a path. */
function oddOf(v: Json): Json[] {
  const out = [...ODD];
  if (Array.isArray(v)) {
    out.push(
      v[0] ?? {},
      Array.from({ length: 9 }, (_, i) => v[i % Math.max(v.length, 1)] ?? {}),
    );
  } else if (v !== null && typeof v === "object") {
    out.push(
      withKey(v, "__proto__", "x"),
      withKey(v, "toJSON", "x"),
      { "0": "x", ...v },
      { ...v, extra: 7 },
      [v],
      Array.from({ length: 9 }, () => v),
    );
  }
  return out;
}

/** The event as it is and every variant of it (each as the text a vendor would send). */
function variants(event: Json): string[] {
  const out = new Set<string>([JSON.stringify(event)]);
  for (const path of pathsOf(event))
    for (const v of replacedAt(event, path, oddOf)) out.add(JSON.stringify(v));
  return [...out];
}

const RECEIVED_AT = Date.UTC(2026, 7, 22);

/** Maps no fixture event stores as a marker (test/store/stored-maps.unit.test.ts). */
const NEVER_NOTED = new Set(["circleci resources", "slack tags"]);

const rowOf = (type: string, view: ViewDefinition, event: NormalizedEvent, parsed: unknown) =>
  toRow({ id: type, type }, event, RECEIVED_AT, { view, parsed });

describe.each(VENDORS.map((v) => ({ type: v.type, view: v.view as ViewDefinition })))(
  "toRow with the normalizer's note = toRow without: $type",
  ({ type, view }) => {
    it("every fixture event and its variants", async () => {
      const events = (VENDOR_FIXTURES[type] ?? []) as Json[];
      expect(events.length).toBeGreaterThan(0);
      const normalizer = normalizerFor(type);
      const noted = { actor: 0, tags: 0, resources: 0, fields: 0 };
      let rows = 0;
      for (const event of events)
        for (const raw of variants(event)) {
          const parsed = JSON.parse(raw) as unknown;
          const out = normalizer.normalize({ value: parsed, raw });
          if (!out.ok) continue;
          rows++;
          const note = readNote(out.event);
          for (const part of ["actor", "tags", "resources", "fields"] as const)
            if (note?.[part]) noted[part]++;
          // a copy of the event has no note: the row toRow makes by reading the record
          const want = await rowOf(type, view, { ...out.event }, parsed);
          expect(await rowOf(type, view, out.event, parsed), `${type} ${raw}`).toEqual(want);
          // a map replaced after normalizing (a pipeline's extra tags, the others alike)
          const changed = {
            tags: { ...out.event.tags, auditflareOrigin: "upload" },
            actor: { ...out.event.actor },
            resources: [...out.event.resources],
          };
          const again = normalizer.normalize({ value: parsed, raw });
          if (!again.ok) throw new Error("not deterministic");
          Object.assign(again.event, changed);
          expect(await rowOf(type, view, again.event, parsed), `${type} changed ${raw}`).toEqual(
            await rowOf(type, view, { ...out.event, ...changed }, parsed),
          );
        }
      expect(rows).toBeGreaterThan(events.length);
      console.log(type, rows, JSON.stringify(noted));
      // the notes are taken (a test where no event has one proves nothing): by the manifest
      // normalizers (not auditflare's), of records read as received (not Airkit's prepared rows)
      if (type === "auditflare" || type === "airkit") return;
      expect(noted.fields, `${type} fields noted`).toBeGreaterThan(0);
      for (const part of ["actor", "tags", "resources"] as const)
        if (view.derived?.[part] && !NEVER_NOTED.has(`${type} ${part}`))
          expect(noted[part], `${type} ${part} noted`).toBeGreaterThan(0);
    }, 120_000);
  },
);
