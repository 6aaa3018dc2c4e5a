import { describe, expect, it } from "vitest";
import { vendorOf } from "../../src/vendors";
import type { Normalizer } from "../../src/vendors/event";
import type { PageTarget, PollClient } from "../../src/vendors/types";
import { planetscale as psNormalizer } from "./legacy/planetscale-normalize";
import { planetscalePages } from "./legacy/planetscale-poll";
import { turso as tursoNormalizer } from "./legacy/turso-normalize";
import { tursoPages } from "./legacy/turso-poll";
import { LEGACY_VIEWS } from "./legacy/views";

/**
 * PlanetScale and Turso as manifests store exactly what their TypeScript did (a copy of it is
 * kept in test/vendors/legacy/ for this comparison only): every event of every fixture file, and
 * every variant of each with one field missing, null or of another type, normalizes to the same
 * result (the same rows, event ids, common columns and sourceFields, in the same key order, or
 * the same refusal); the views are the same; the page clients send the same requests and read
 * the same pages.
 */

const FILES = import.meta.glob<unknown>("../../src/vendors/{planetscale,turso}/fixtures/*.json", {
  eager: true,
  import: "default",
});

const LEGACY = {
  planetscale: { normalizer: psNormalizer, poll: planetscalePages },
  turso: { normalizer: tursoNormalizer, poll: tursoPages },
} as const satisfies Record<string, { normalizer: Normalizer; poll: PollClient }>;
type Seed = keyof typeof LEGACY;
const SEEDS = Object.keys(LEGACY) as Seed[];

/**
 * Page tokens as each client makes them: PlanetScale's cursors (event ids), Turso's page numbers.
 * (A cursor with a space or a ~ is written `+` / `%7E` where the TypeScript wrote `%20` / `~`:
 * URLSearchParams against encodeURIComponent, the same to a server.)
 */
const TOKENS = {
  planetscale: [null, "ev0000000150", "h7c3w9n2tq5e", "a-b_c.d"],
  turso: [null, "2", "3", "17"],
} as const;

/** A vendor's fixture files (API answers, scenarios and negative examples alike). */
const pagesOf = (type: Seed) =>
  Object.entries(FILES)
    .filter(([path]) => path.split("/").at(-3) === type)
    .map(([, body]) => body);

/** Every object in a list of a fixture file: the events, and the odd shapes beside them. */
const eventsOf = (type: Seed) =>
  pagesOf(type).flatMap((body) =>
    Object.values(body as Record<string, unknown>).flatMap((v) => (Array.isArray(v) ? v : [])),
  ) as Array<Record<string, unknown>>;

const ODD_VALUES = [null, "", " ", 0, 42.5, -1, true, {}, [], { a: { b: 1 } }, ["x"], "not a time"];
const ODD_STRINGS = ["2026-08-21T10:15:02Z", "1754006400", "a@b.example", "38.7", "NaN", "Lisbon"];

/** Each event as it is, and with each of its fields (and those of the other events) replaced. */
function variants(events: Array<Record<string, unknown>>): unknown[] {
  const keys = [...new Set(events.flatMap((e) => Object.keys(e)))];
  const out: unknown[] = [null, 42, "text", [], {}];
  // Turso's resources are keys of `data`: each of them, as text, and of other types.
  for (const k of ["database", "db", "name", "group", "organization", "token", "member"])
    for (const v of ["tenant-1", "", null, 5, { x: 1 }])
      out.push({ ...events[0], data: { [k]: v, role: "member" } });
  for (const e of events) {
    out.push(e);
    for (const k of keys) {
      const { [k]: _, ...without } = e;
      out.push(without);
      for (const v of [...ODD_VALUES, ...ODD_STRINGS]) out.push({ ...e, [k]: v });
    }
  }
  return out;
}

/** Where a result differs, in the order of its keys too (the stored JSON text). */
const text = (v: unknown) => JSON.stringify(v);

const TURSO_RESOURCE_KEYS = ["database", "db", "name", "group", "organization", "token"];

type Result = Awaited<ReturnType<Normalizer["normalize"]>>;

/**
 * The two rules the manifest engine applies where the TypeScript did not, met only by the odd
 * variants below (every fixture event is stored exactly as before): an empty string is no value
 * (a "" location or country is a null srcCity / srcASCountryCode where the TypeScript stored "";
 * a "" resource type is the default type where PlanetScale's wrote ":<id>"; a "" key of Turso's
 * `data` names no resource where Turso's wrote "name:"), and a number is an id like a string
 * (Turso's TypeScript skipped `data: {name: 5}`; the engine writes "name:5").
 */
function blankIsNoValue(type: Seed, value: unknown, before: Result): Result {
  if (!before.ok || value === null || typeof value !== "object") return before;
  const e = value as Record<string, unknown>;
  const src = { ...before.event.src };
  for (const [k, field] of [
    ["city", type === "planetscale" ? "location" : "city"],
    ["asCountryCode", "country_code"],
  ] as const)
    if (e[field] === "" && src[k] === "") src[k] = null;
  const data = (e.data ?? {}) as Record<string, unknown>;
  const resources =
    type === "turso"
      ? TURSO_RESOURCE_KEYS.flatMap((k) =>
          (typeof data[k] === "string" && data[k] !== "") || typeof data[k] === "number"
            ? [`${k}:${data[k]}`]
            : [],
        )
      : before.event.resources.map((r) => {
          for (const kind of ["auditable", "target"])
            if (e[`${kind}_type`] === "" && r === `:${e[`${kind}_id`]}`) return `${kind}${r}`;
          return r;
        });
  return { ...before, event: { ...before.event, src, resources } };
}

describe.each(SEEDS)("%s as a manifest stores what its TypeScript stored", (type) => {
  const vendor = vendorOf(type);
  const legacy = LEGACY[type];
  const events = eventsOf(type);

  it("normalizes every fixture event and each variant of it to the same result", async () => {
    const all = variants(events);
    expect(events.length).toBeGreaterThan(4);
    let accepted = 0;
    for (const value of all) {
      const raw = JSON.stringify(value);
      const before = legacy.normalizer.normalize({ value, raw });
      const after = vendor.normalizer.normalize({ value, raw });
      const expected = blankIsNoValue(type, value, before);
      expect(after, raw).toEqual(expected);
      expect(text(after), raw).toBe(text(expected));
      if (before.ok) accepted++;
      if (value !== null && typeof value === "object" && !Array.isArray(value)) {
        const v = value as Record<string, unknown>;
        expect(vendor.normalizer.isEvent(v), raw).toBe(legacy.normalizer.isEvent(v));
      }
    }
    expect(accepted).toBeGreaterThan(events.length);
  });

  it("has the same view: name, description, columns and the paths read from rawLog", () => {
    // `derived` (how the maps a row may leave to rawLog are built, src/store/derived.ts) is new
    // with manifests: the TypeScript vendors stored every map
    const { derived: _derived, ...view } = vendor.view;
    expect(view).toEqual(LEGACY_VIEWS[type]);
  });

  const poll = vendor.poll as PollClient;
  const target = (organization: string, baseUrl: string): PageTarget => ({
    source: {
      id: type,
      type,
      organization,
      tokenEnv: "THE_TOKEN",
      intervalSeconds: 60,
      overlapSeconds: 600,
    },
    token: "id:s3cret",
    baseUrl,
    floor: Date.UTC(2026, 7, 1),
  });

  it("sends the same requests and explains auth statuses in the same words", () => {
    expect([poll.name, poll.defaultBaseUrl]).toEqual([
      legacy.poll.name,
      legacy.poll.defaultBaseUrl,
    ]);
    expect(poll.order ?? "newest_first").toBe(legacy.poll.order ?? "newest_first");
    for (const at of [target("acme", "https://x.test/v1"), target("my org", "https://x.test/v1//")])
      for (const next of TOKENS[type]) {
        const a = poll.request(at, next);
        const b = legacy.poll.request(at, next);
        expect({ ...a, explainAuth: null }).toEqual({ ...b, explainAuth: null });
        for (const status of [401, 402, 403, 404])
          expect(a.explainAuth(status)).toBe(b.explainAuth(status));
      }
  });

  it("reads every fixture page and odd page alike: items, next token, malformed or not", () => {
    const odd = [null, [], {}, { data: "nope" }, { audit_logs: [] }, { items: [] }];
    const pages = [...pagesOf(type), ...odd];
    const withPagination = pagesOf(type).map((p) => ({
      ...(p as object),
      pagination: { total_pages: 3 },
    }));
    for (const body of [...pages, ...withPagination])
      for (const next of TOKENS[type]) {
        const a = poll.parse(body, next);
        const b = legacy.poll.parse(body, next);
        if (a.ok || b.ok) expect(a, text(body)).toEqual(b);
        // the same check failed, said as "not a <vendor> page: <zod's message>"
        else
          expect(a.error.replace(/^not an? [\w -]*page: /, "")).toBe(
            b.error.replace(/^not an? [\w -]*page: /, ""),
          );
      }
  });

  it("labels pages and reads event ids and times alike", () => {
    for (const next of TOKENS[type]) {
      expect(poll.pageLabel(next)).toBe(legacy.poll.pageLabel(next));
      if (next !== null) expect(poll.tokenLabel(next)).toBe(legacy.poll.tokenLabel(next));
    }
    for (const e of events) {
      expect(poll.idOf(e)).toBe(legacy.poll.idOf(e));
      expect(poll.timeOf(e)).toBe(legacy.poll.timeOf(e));
    }
  });
});
