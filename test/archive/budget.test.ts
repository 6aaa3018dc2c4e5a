import { env } from "cloudflare:workers";
import { beforeAll, expect, it } from "vitest";
import { coldFacets, coldHistogram } from "../../src/archive/explore";
import { runArchive } from "../../src/archive/job";
import { DEFAULT_BUDGET, READ_ON } from "../../src/archive/read";
import { queryTiers } from "../../src/archive/tiers";
import { prepareRecords } from "../../src/pipeline/prepare";
import { HOUR, hourOf } from "../../src/store/archive";
import { commit } from "../../src/store/ingest";
import type { LogQuery } from "../../src/store/query";
import { type Json, tpEvent } from "../helpers";

/**
 * The archive's byte bound is a real bound (docs/archive.md "Bounds per page"): each ranged R2
 * read is checked before it is made, so the bytes a page, histogram or facets take from R2 stay
 * within `maxBytes` (a page that could not move past its cursor otherwise: READ_ON times it), and
 * paging under a small bound still gives every row once, in order.
 */

const DAY = 86_400_000;
const NOW = Date.now();
const HOURS = 4;
const PER_HOUR = 30;
const FIRST = hourOf(NOW) - (HOURS + 2) * HOUR;
const BASE_T = NOW - 90 * DAY;

/** A small deterministic PRNG (mulberry32). */
function rng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The archive bucket, every ranged read's length recorded (what R2 actually served). */
function spied() {
  const reads: number[] = [];
  const bucket = new Proxy(env.ARCHIVE, {
    get(target, prop) {
      if (prop === "get") {
        return (key: string, opts?: R2GetOptions) => {
          const range = opts?.range as { offset: number; length: number } | undefined;
          expect(range, "no object is read whole").toBeDefined();
          reads.push(range?.length ?? Number.POSITIVE_INFINITY);
          return target.get(key, opts);
        };
      }
      const v = Reflect.get(target, prop);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
  const taken = () => reads.splice(0).reduce((a, b) => a + b, 0);
  return { bucket, taken };
}

let objectBytes: number[] = [];

beforeAll(async () => {
  const rand = rng(77);
  const pad = () =>
    Array.from({ length: 600 }, () => Math.floor(rand() * 16).toString(16)).join("");
  let i = 0;
  for (let h = 0; h < HOURS; h++) {
    const events: Json[] = [];
    for (let k = 0; k < PER_HOUR; k++) {
      // event times overlap across received hours (late events), so objects' spans overlap
      const t = BASE_T + Math.floor(rand() * HOURS * 1.5) * HOUR + Math.floor(rand() * 40) * 1000;
      const e = tpEvent(5000 + i++, t);
      e.metadata = { session_id: `s${i}`, note: pad() };
      events.push(e);
    }
    const framed = events.map((value, n) => ({
      ok: true as const,
      value,
      raw: JSON.stringify(value),
      location: `[${n}]`,
    }));
    const receivedAt = FIRST + h * HOUR + 1000 + h;
    const source = { id: "turbopuffer", type: "turbopuffer" as const };
    const prepared = await prepareRecords(env, source, framed, receivedAt);
    await commit(env, {
      sourceID: "turbopuffer",
      sourceType: "turbopuffer",
      ...prepared,
      received: events.length,
      now: receivedAt,
    });
  }
  expect(await runArchive(env, NOW)).toMatchObject({ status: "done", rows: HOURS * PER_HOUR });
  // every hour cold, its rows gone from D1: the archive answers alone
  await env.DB.batch([
    env.DB.prepare(
      "UPDATE received_hours SET verified = 1, cooled = 1 WHERE sourceID = 'turbopuffer'",
    ),
    env.DB.prepare("DELETE FROM events WHERE sourceID = 'turbopuffer'"),
  ]);
  const listed = await env.ARCHIVE.list({ prefix: "archive/v1/source=turbopuffer/" });
  objectBytes = listed.objects.map((o) => o.size);
  expect(objectBytes.length).toBe(HOURS);
});

const SHAPES: Array<Omit<LogQuery, "limit">> = [
  { sourceID: "turbopuffer", timeField: "eventTime", order: "desc" },
  { sourceID: "turbopuffer", timeField: "eventTime", order: "asc" },
  { sourceID: "turbopuffer", timeField: "receivedAt", order: "desc" },
  {
    sourceType: "turbopuffer",
    timeField: "eventTime",
    order: "asc",
    from: BASE_T + HOUR,
    eventName: "session-created",
  },
];

interface Paged {
  ids: string[];
  pages: Array<{ fetched: number; counted: number; cut?: string; first: boolean }>;
}

/** Every row of a query, page by page through the cursor, with what each page took from R2. */
async function all(q: Omit<LogQuery, "limit">, limit: number, maxBytes: number): Promise<Paged> {
  const { bucket, taken } = spied();
  const out: Paged = { ids: [], pages: [] };
  let after: LogQuery["after"];
  for (let n = 0; n < 2000; n++) {
    const page = await queryTiers(
      { ...env, ARCHIVE: bucket } as Env,
      { ...q, limit, after },
      { ...DEFAULT_BUDGET, maxBytes, deadline: Date.now() + 60_000 },
    );
    out.ids.push(...page.rows.map((r) => r.id));
    out.pages.push({
      fetched: taken(),
      counted: page.meta.archive?.bytes ?? 0,
      cut: page.meta.archive?.cut,
      first: after === undefined,
    });
    if (!page.next) return out;
    after = page.next;
  }
  throw new Error("no end");
}

const UNBOUNDED = Number.MAX_SAFE_INTEGER;

it("a page never takes more than its byte bound from R2 when each object fits it; paging still gives every row once, in order", async () => {
  const biggest = Math.max(...objectBytes);
  // (footers are cached per isolate after the first read) every object's filter columns and
  // one object's rows fit; the rows of all do not
  const maxBytes = 2 * biggest + 40_000;
  let cuts = 0;
  for (const [n, shape] of SHAPES.entries()) {
    for (const limit of [7, 1000]) {
      const expected = await all(shape, limit, UNBOUNDED);
      expect(expected.ids.length, `shape ${n}`).toBeGreaterThan(0);
      const bounded = await all(shape, limit, maxBytes);
      expect(bounded.ids, `shape ${n}, limit ${limit}`).toEqual(expected.ids);
      for (const p of bounded.pages) {
        expect(p.fetched, "meta counts what R2 served").toBe(p.counted);
        expect(p.fetched, `shape ${n}, limit ${limit}`).toBeLessThanOrEqual(maxBytes);
        if (p.cut === "bytes") cuts++;
      }
    }
  }
  expect(cuts, "the bound cut pages").toBeGreaterThan(0);
});

it("an object larger than the byte bound is read within READ_ON times the bound, by a page that could not progress otherwise; paging still gives every row once, in order", async () => {
  const biggest = Math.max(...objectBytes);
  const maxBytes = Math.floor(biggest * 0.6);
  let over = 0;
  for (const [n, shape] of SHAPES.entries()) {
    const expected = await all(shape, 10, UNBOUNDED);
    const bounded = await all(shape, 10, maxBytes);
    expect(bounded.ids, `shape ${n}`).toEqual(expected.ids);
    for (const p of bounded.pages) {
      expect(p.fetched).toBe(p.counted);
      expect(p.fetched, `shape ${n}`).toBeLessThanOrEqual(READ_ON * maxBytes);
      if (p.fetched > maxBytes) over++;
    }
  }
  expect(over, "pages had to read on").toBeGreaterThan(0);
});

it("a page that cannot move past its cursor within READ_ON times the byte bound answers 400", async () => {
  const biggest = Math.max(...objectBytes);
  const q: LogQuery = { sourceID: "turbopuffer", timeField: "eventTime", order: "desc", limit: 5 };
  const budget = { ...DEFAULT_BUDGET, maxBytes: Math.floor(biggest / 50), deadline: NOW + DAY };
  const first = await queryTiers(env, q, budget);
  expect(first.rows).toEqual([]);
  expect(first.meta.archive?.cut).toBe("bytes");
  await expect(queryTiers(env, { ...q, after: first.next ?? undefined }, budget)).rejects.toThrow(
    /narrow the range/,
  );
});

it("the histogram and facets take no more than the byte bound from R2, and say cut: bytes", async () => {
  const range = { from: BASE_T - DAY, to: BASE_T + 10 * HOUR };
  const filter = { eventName: "session-created", ...range };
  const histogramOf = async (maxBytes: number) => {
    const { bucket, taken } = spied();
    const budget = { ...DEFAULT_BUDGET, maxBytes };
    const r = await coldHistogram(
      { DB: env.DB, ARCHIVE: bucket },
      filter,
      ["turbopuffer"],
      range,
      range.from,
      HOUR,
      budget,
    );
    return { ...r, fetched: taken(), total: [...r.counts.values()].reduce((a, b) => a + b, 0) };
  };
  const whole = await histogramOf(UNBOUNDED);
  expect(whole.stats.cut).toBeUndefined();
  expect(whole.total).toBe(HOURS * PER_HOUR);
  // about one and a half objects' filter columns
  const maxBytes = Math.floor(whole.fetched * 0.4);
  const cut = await histogramOf(maxBytes);
  expect(cut.stats.cut).toBe("bytes");
  expect(cut.fetched).toBe(cut.stats.bytes);
  expect(cut.fetched).toBeLessThanOrEqual(maxBytes);
  expect(cut.total).toBeGreaterThan(0);
  expect(cut.total).toBeLessThan(HOURS * PER_HOUR);

  const facetsOf = async (maxBytes: number) => {
    const { bucket, taken } = spied();
    const budget = { ...DEFAULT_BUDGET, maxBytes };
    const r = await coldFacets({ DB: env.DB, ARCHIVE: bucket }, filter, ["turbopuffer"], budget);
    return { ...r, fetched: taken() };
  };
  const facets = await facetsOf(UNBOUNDED);
  expect(facets.stats.cut).toBeUndefined();
  const bounded = await facetsOf(Math.floor(facets.fetched * 0.4));
  expect(bounded.stats.cut).toBe("bytes");
  expect(bounded.fetched).toBe(bounded.stats.bytes);
  expect(bounded.fetched).toBeLessThanOrEqual(Math.floor(facets.fetched * 0.4));
});
