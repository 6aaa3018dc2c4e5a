import { describe, expect, it } from "vitest";
import type { ViewDefinition } from "../../src/model/view";
import { storedSourceFields } from "../../src/store/source-fields";

/*
 * storedSourceFields reads each view's paths through readers compiled once per view and field
 * order: the same fields kept as the reference (the reading it had before, path by path), on
 * random fields, records and views, with the fields' order changing between calls.
 */

function atRef(value: unknown, path: string): unknown {
  let v = value;
  for (const key of path.split(".")) {
    if (v === null || typeof v !== "object" || Array.isArray(v)) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}
function sameRef(a: unknown, b: unknown): boolean {
  if (a === null || a === undefined) return b === null || b === undefined;
  if (typeof a !== "object" || typeof b !== "object" || b === null) return a === b;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => sameRef(x, bb[i]) && x !== undefined);
  }
  const ak = Object.keys(a as object);
  const bo = b as Record<string, unknown>;
  if (ak.length !== Object.keys(bo).length) return false;
  return ak.every(
    (k) =>
      k in bo &&
      (a as Record<string, unknown>)[k] !== undefined &&
      sameRef((a as Record<string, unknown>)[k], bo[k]),
  );
}
function reference(view: ViewDefinition, fields: Record<string, unknown>, parsed: unknown) {
  const paths = view.rawPaths;
  if (!paths) return fields;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(fields)) {
    const v = fields[k];
    const path = paths[k];
    if (path === undefined) out[k] = v;
    else {
      const raw = atRef(parsed, path);
      if (v !== raw && !sameRef(v, raw)) out[k] = v;
    }
  }
  return out;
}

let seed = 3;
const rand = (n: number) => {
  seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
  return seed % n;
};
const KEYS = ["a", "b", "c", ""];
const LEAVES = [null, 0, 1, "x", "y", true, [], {}, [1], { a: 1 }];
function randomValue(depth: number): unknown {
  const kind = rand(depth > 2 ? 2 : 4);
  if (kind === 0) return structuredClone(LEAVES[rand(LEAVES.length)]);
  if (kind === 1) return rand(3) - 1;
  if (kind === 2) return Array.from({ length: rand(3) }, () => randomValue(depth + 1));
  const obj: Record<string, unknown> = {};
  for (let i = rand(4); i > 0; i--) obj[KEYS[rand(KEYS.length)] as string] = randomValue(depth + 1);
  return obj;
}
const randomPath = () =>
  Array.from({ length: 1 + rand(3) }, () => KEYS[rand(KEYS.length)]).join(".");
const COLUMNS = ["c1", "c2", "c3", "c4", "c5"];

/** An object with a random value at most of `paths` (a later path may replace an earlier one). */
function recordFor(paths: string[]): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const path of paths) {
    if (rand(5) === 0) continue;
    const keys = path.split(".");
    let node = root;
    for (const key of keys.slice(0, -1)) {
      const next = node[key];
      if (next === null || typeof next !== "object" || Array.isArray(next)) node[key] = {};
      node = node[key] as Record<string, unknown>;
    }
    node[keys.at(-1) as string] = randomValue(1);
  }
  return root;
}

describe("storedSourceFields", () => {
  it("keeps the fields of the reference, whatever the order of the fields", () => {
    const views: ViewDefinition[] = Array.from({ length: 6 }, (_, i) => ({
      name: `v${i}`,
      description: "random",
      common: "all",
      columns: COLUMNS,
      rawPaths: Object.fromEntries(
        COLUMNS.filter(() => rand(4) > 0).map((c) => [c, randomPath()] as const),
      ),
    }));
    for (let i = 0; i < 4000; i++) {
      const view = views[rand(views.length)] as ViewDefinition;
      // A record that holds most of the view's paths (and, rarely, something else there).
      const parsed: unknown =
        rand(10) === 0 ? randomValue(0) : recordFor(Object.values(view.rawPaths ?? {}));
      // A field is often the record's own value at its path, or a copy of it.
      const names = COLUMNS.filter(() => rand(5) > 0);
      if (rand(3) === 0) names.reverse();
      const fields: Record<string, unknown> = {};
      for (const name of names) {
        const path = view.rawPaths?.[name];
        const own = path === undefined ? undefined : atRef(parsed, path);
        const pick = rand(4);
        fields[name] =
          pick === 0 ? own : pick === 1 ? JSON.parse(JSON.stringify(own ?? null)) : randomValue(1);
      }
      const got = storedSourceFields(view, fields, parsed);
      const want = reference(view, fields, parsed);
      expect(Object.keys(got)).toEqual(Object.keys(want));
      expect(got).toStrictEqual(want);
    }
  });

  it("keeps them when the fields repeat the last names, or one more, one fewer, or inherited", () => {
    const view: ViewDefinition = {
      name: "v",
      description: "known names",
      common: "all",
      columns: COLUMNS,
      rawPaths: { c1: "a", c2: "b.c", c4: "a" },
    };
    const parsed = { a: 1, b: { c: "x" } };
    const cases: Record<string, unknown>[] = [
      { c1: 1, c2: "x", c3: 3, c4: 2 },
      { c1: 2, c2: "x", c3: 3, c4: 1 }, // the same names: read by the for-in
      { c1: 1, c2: "y", c3: 3 }, // one fewer
      { c1: 1, c2: "y", c3: 3, c4: 1, c5: 5 }, // one more
      { c1: 1, c2: "x", c3: 3, c4: 1 },
      Object.assign(Object.create({ c5: "inherited" }) as Record<string, unknown>, {
        c1: 1,
        c2: "x",
        c3: 3,
        c4: 1,
      }),
    ];
    for (const fields of [...cases, ...cases]) {
      const got = storedSourceFields(view, fields, parsed);
      const want = reference(view, fields, parsed);
      expect(Object.keys(got)).toEqual(Object.keys(want));
      expect(got).toStrictEqual(want);
    }
  });
});
