import { describe, expect, it } from "vitest";
import { MAX_NESTING, nestingExceeds } from "../../parse/json";
import { keyRewrite, Nesting, preparer } from "./prepare";
import type { ManifestPrepare } from "./schema";

/**
 * `preparer` copies the rows of one key sequence from a template; its answers are the key-by-key
 * preparer's (below, as it was), key order included, whatever the sequence of rows.
 */
function reference(p: ManifestPrepare) {
  const rename = keyRewrite(p) ?? ((k: string) => k);
  const nest = p.nest.map((prefix) => [prefix, `${prefix}_`] as const);
  const integers = new Set(p.integers);
  const { blank, cells, when } = p;
  const isRecord = (v: unknown): v is Record<string, unknown> =>
    v !== null && typeof v === "object" && !Array.isArray(v);
  return (value: unknown): unknown => {
    if (!isRecord(value)) return value;
    if (when && !when.some((k) => k in value)) return value;
    const out: Record<string, unknown> = {};
    for (const k in value) {
      const v = value[k];
      const key = rename(k);
      let cell: unknown = v;
      if (typeof v === "string") {
        const t = blank || cells ? v.trim() : v;
        if (blank && t === "") {
          if (blank === "drop") continue;
          cell = null;
        } else if (cells) {
          if (t.startsWith("{") || t.startsWith("[")) {
            if (nestingExceeds(t, MAX_NESTING)) return new Nesting(k);
            try {
              cell = JSON.parse(t);
            } catch {
              cell = v;
            }
          } else if (t === "true" || t === "false") cell = t === "true";
        }
      }
      if (integers.has(key) && typeof cell === "string" && /^-?\d+$/.test(cell))
        cell = Number(cell);
      const entity = nest.length > 0 ? nest.find(([, p]) => key.startsWith(p)) : undefined;
      if (entity && !(key in out)) {
        const [name, p] = entity;
        const existing = out[name];
        const target = isRecord(existing) ? existing : {};
        target[key.slice(p.length)] = cell;
        out[name] = target;
      } else out[key] = cell;
    }
    return out;
  };
}

/** What a prepared value is, exactly: its JSON (key order included) and its prototype. */
const exactly = (v: unknown) =>
  v instanceof Nesting
    ? { nesting: v.message }
    : {
        json: JSON.stringify(v),
        proto: v !== null && typeof v === "object" ? Object.getPrototypeOf(v) : null,
      };

const PREPARES: ManifestPrepare[] = [
  // Airkit's
  { keys: "upper_snake", blank: "null", integers: ["EVENT_YEAR", "SAVEPOINT_REVISION"], nest: [] },
  { keys: "lower", blank: "null", cells: "json", integers: ["version"], nest: [] },
  { when: ["EVENT_ID"], keys: "upper_snake", integers: [], nest: [] },
  { integers: [], nest: [] },
  // CircleCI's (nested, blanks dropped: no template)
  {
    when: ["ID", "OCCURRED_AT"],
    keys: "lower",
    blank: "drop",
    cells: "json",
    nest: ["actor", "target"],
    integers: ["version"],
  },
];

const ROWS: unknown[] = [
  { EVENT_ID: "a", EVENT_TIME: "2026-08-21 09:15:42", EVENT_YEAR: "2026", USER_ID: " " },
  { EVENT_ID: "b", EVENT_TIME: "2026-08-21 09:15:43", EVENT_YEAR: 2026, USER_ID: "u" },
  { EVENT_ID: "c", EVENT_TIME: "x", EVENT_YEAR: "20x6", USER_ID: "" },
  // the same keys in another order, and another case (the same rewritten keys)
  { EVENT_TIME: "t", EVENT_ID: "d", USER_ID: null, EVENT_YEAR: "1" },
  { eventId: "e", eventTime: "t", eventYear: "-12", userId: "u" },
  // two keys that rewrite to one: the first's place, the last's value
  { EVENT_ID: "f", eventId: "g", EVENT_TIME: "t" },
  { EVENT_ID: "f", eventId: "g", EVENT_TIME: "t" },
  // white space at either end, ASCII or not (trimmed), twice running (the row's own keys)
  { EVENT_ID: " a\t", EVENT_TIME: "\u00a0t", EVENT_YEAR: "7\u2028", USER_ID: "\ufeffu" },
  { EVENT_ID: " a\t", EVENT_TIME: "\u00a0t", EVENT_YEAR: "7\u2028", USER_ID: "\ufeffu" },
  { EVENT_ID: " a", EVENT_TIME: "t\n", EVENT_YEAR: "\t7", USER_ID: "u\u3000" },
  { EVENT_ID: "n", OK: " true", PAYLOAD: ' {"a":1}', FLAG: "false\t", BLANK: "\u00a0" },
  // JSON cells, booleans, numbers
  { ID: "h", OCCURRED_AT: "t", ACTOR_ID: "1", ACTOR_NAME: " ", payload: '{"a":[1]}', ok: "true" },
  { ID: "i", OCCURRED_AT: "t", ACTOR_ID: "2", ACTOR_NAME: "n", payload: "[", ok: "false" },
  { ID: "j", OCCURRED_AT: "t", VERSION: "3", nested: `${"[".repeat(MAX_NESTING + 2)}` },
  // integer-like keys, and a key that is a prototype when set
  { "2": "b", "1": "a", EVENT_ID: "k" },
  { "2": "b", "1": "a", EVENT_ID: "k" },
  JSON.parse('{"__proto__": {"x": 1}, "EVENT_ID": "l"}'),
  JSON.parse('{"__proto__": {"x": 1}, "EVENT_ID": "l"}'),
  JSON.parse('{"__PROTO__": null, "EVENT_ID": "m"}'),
  {},
  {},
  null,
  ["EVENT_ID"],
  "text",
];

describe("preparer", () => {
  it("prepares every row as the key-by-key preparer did, whatever came before it", () => {
    for (const p of PREPARES) {
      const want = reference(p);
      const got = preparer(p);
      if (!got) throw new Error("a preparer");
      // every row after every row (each pair, both orders), and each row three times running
      let seed = 5;
      for (let i = 0; i < 2000; i++) {
        seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
        const row = ROWS[seed % ROWS.length];
        expect(exactly(got(row)), JSON.stringify(row)).toEqual(exactly(want(row)));
      }
      for (const row of ROWS)
        for (let i = 0; i < 3; i++)
          expect(exactly(got(row)), JSON.stringify(row)).toEqual(exactly(want(row)));
    }
  });

  it("leaves the row it is given as it was", () => {
    const p = preparer(PREPARES[0]);
    const row = { EVENT_ID: " a ", EVENT_YEAR: "2026", USER_ID: "" };
    for (let i = 0; i < 3; i++) p?.(row);
    expect(row).toEqual({ EVENT_ID: " a ", EVENT_YEAR: "2026", USER_ID: "" });
  });

  it("gives each row its own object", () => {
    const p = preparer(PREPARES[0]);
    const a = p?.({ EVENT_ID: "a" }) as Record<string, unknown>;
    const b = p?.({ EVENT_ID: "b" }) as Record<string, unknown>;
    expect(a).not.toBe(b);
    expect([a.EVENT_ID, b.EVENT_ID]).toEqual(["a", "b"]);
  });

  it("gives back a row of a known key sequence it leaves as it was, and copies one it changes", () => {
    const p = preparer(PREPARES[0]);
    const row = () => ({ EVENT_ID: "a", EVENT_YEAR: 2026, USER_ID: null });
    p?.(row()); // the first of its key sequence: prepared key by key
    const same = row();
    expect(p?.(same)).toBe(same);
    const changed = { EVENT_ID: "a", EVENT_YEAR: "2026", USER_ID: null };
    const out = p?.(changed);
    expect(out).not.toBe(changed);
    expect(out).toEqual({ EVENT_ID: "a", EVENT_YEAR: 2026, USER_ID: null });
    // a key too many, or one fewer: prepared key by key, never the row itself
    const more = { ...row(), EXTRA: "x" };
    expect(p?.(more)).not.toBe(more);
    const fewer = { EVENT_ID: "a", EVENT_YEAR: 2026 };
    expect(p?.(fewer)).toEqual(fewer);
  });
});
