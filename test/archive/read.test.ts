import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { runArchive } from "../../src/archive/job";
import { DEFAULT_BUDGET } from "../../src/archive/read";
import { queryTiers } from "../../src/archive/tiers";
import { prepareRecords } from "../../src/pipeline/prepare";
import { HOUR, hourOf } from "../../src/store/archive";
import { commit } from "../../src/store/ingest";
import type { LogQuery } from "../../src/store/query";
import { type Json, QUERY_TOKEN, query, tpEvent } from "../helpers";
import { bearer, mcpClient, tool } from "../mcp/helpers";

/**
 * GET /v1/logs over both tiers (issue 28): the same rows in the same order whatever hours are
 * cold, page by page, for every tier boundary; nothing skipped or repeated across it.
 */

const DAY = 86_400_000;
const NOW = Date.now();
const HOURS = 4;
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

async function store(receivedAt: number, events: Json[]) {
  const framed = events.map((value, i) => ({
    ok: true as const,
    value,
    raw: JSON.stringify(value),
    location: `[${i}]`,
  }));
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

const ACTIONS = ["session-created", "namespace-deleted", "api-key-created"];

beforeAll(async () => {
  const rand = rng(28);
  let i = 0;
  for (let h = 0; h < HOURS; h++) {
    const events: Json[] = [];
    for (let k = 0; k < 20; k++) {
      // event times overlap across received hours (late events), some share a second
      const t = BASE_T + Math.floor(rand() * HOURS * 1.5) * HOUR + Math.floor(rand() * 40) * 1000;
      const e = tpEvent(1000 + i++, t);
      e.action = ACTIONS[Math.floor(rand() * ACTIONS.length)];
      events.push(e);
    }
    await store(FIRST + h * HOUR + 1000 + h, events);
  }
  expect(await runArchive(env, NOW)).toMatchObject({ status: "done", rows: HOURS * 20 });
  await env.DB.prepare(
    "UPDATE received_hours SET verified = 1 WHERE sourceID = 'turbopuffer'",
  ).run();
  const verified = await env.DB.prepare(
    "SELECT count(*) AS n FROM received_hours WHERE sourceID = 'turbopuffer' AND verified = 1 AND parts > 0",
  ).first<{ n: number }>();
  expect(verified?.n).toBe(HOURS);
});

/** Every row of a query, page by page through the cursor. */
async function all(q: Omit<LogQuery, "limit">, limit: number, budget = {}) {
  const ids: string[] = [];
  let after: LogQuery["after"];
  for (let pages = 0; pages < 500; pages++) {
    const page = await queryTiers(
      env,
      { ...q, limit, after },
      { ...DEFAULT_BUDGET, deadline: Date.now() + 60_000, ...budget },
    );
    ids.push(...page.rows.map((r) => r.id));
    if (!page.next) return ids;
    after = page.next;
  }
  throw new Error("no end");
}

/** Cools the first `k` received hours: marks them cold and deletes some of their rows from D1. */
async function coolFirst(k: number) {
  const upTo = FIRST + k * HOUR;
  await env.DB.batch([
    env.DB.prepare(
      "UPDATE received_hours SET cooled = (hour < ?1) WHERE sourceID = 'turbopuffer'",
    ).bind(upTo),
    // retention deletes some rows of a cold hour (by event time), not necessarily all
    env.DB.prepare(
      "DELETE FROM events WHERE sourceID = 'turbopuffer' AND receivedAt < ?1 AND (rid % 3) <> 0",
    ).bind(upTo),
  ]);
}

const SHAPES: Array<Omit<LogQuery, "limit">> = [
  { sourceID: "turbopuffer", timeField: "eventTime", order: "desc" },
  { sourceID: "turbopuffer", timeField: "eventTime", order: "asc" },
  { sourceID: "turbopuffer", timeField: "receivedAt", order: "desc" },
  { sourceID: "turbopuffer", timeField: "receivedAt", order: "asc" },
  {
    sourceID: "turbopuffer",
    timeField: "eventTime",
    order: "desc",
    eventName: "namespace-deleted",
  },
  {
    sourceType: "turbopuffer",
    timeField: "eventTime",
    order: "asc",
    from: BASE_T + 2 * HOUR,
    to: BASE_T + 5 * HOUR,
    exclude: [{ field: "eventName", value: "session-created" }],
  },
  { timeField: "eventTime", order: "desc", q: "USER_10" },
];

const iso = (t: number) => new Date(t).toISOString();
const ALIGNED = hourOf(BASE_T) - HOUR;
const HISTOGRAMS = [
  // whole hours, hour buckets: the manifest answers, no Parquet
  `/v1/logs/histogram?sourceID=turbopuffer&from=${iso(ALIGNED)}&to=${iso(ALIGNED + 10 * HOUR)}`,
  // unaligned edges, day buckets, all sources
  `/v1/logs/histogram?from=${iso(BASE_T - 20 * DAY + 1234)}&to=${iso(BASE_T + 7 * HOUR + 5678)}`,
  // minute buckets
  `/v1/logs/histogram?sourceID=turbopuffer&from=${iso(BASE_T)}&to=${iso(BASE_T + 5 * HOUR)}`,
  // a filter the manifest cannot answer
  `/v1/logs/histogram?eventName=namespace-deleted&from=${iso(ALIGNED)}&to=${iso(ALIGNED + 10 * HOUR)}`,
  // facets: the archive's objects counted
  `/v1/logs/facets?sourceID=turbopuffer&from=${iso(BASE_T)}&to=${iso(BASE_T + 4 * HOUR)}`,
  `/v1/logs/facets?sourceType=turbopuffer&exclude=eventName:session-created`,
];

async function histogramOf(path: string): Promise<Json> {
  const res = await query(path);
  expect(res.status, path).toBe(200);
  return (await res.json()) as Json;
}

const hotHistograms = new Map<string, Json>();

describe("paging across tiers", () => {
  const expected = new Map<number, string[]>();
  let hotRows: Json[] = [];

  it("all hot: the baseline, every row once", async () => {
    for (const [n, shape] of SHAPES.entries()) {
      const ids = await all(shape, 7);
      expect(new Set(ids).size, `shape ${n}`).toBe(ids.length);
      expected.set(n, ids);
    }
    expect(expected.get(0)?.length).toBe(HOURS * 20);
    const res = await query("/v1/logs?sourceID=turbopuffer&limit=1000");
    hotRows = ((await res.json()) as { data: Json[] }).data;
    expect(hotRows.length).toBe(HOURS * 20);
    for (const path of HISTOGRAMS) hotHistograms.set(path, await histogramOf(path));
  });

  it("gives the same rows in the same order for every tier boundary and page size", async () => {
    for (let k = 1; k <= HOURS; k++) {
      await coolFirst(k);
      for (const [n, shape] of SHAPES.entries()) {
        for (const limit of [1, 9, 1000]) {
          if (limit === 1 && n > 0) continue; // one page per row: the first shape suffices
          expect(await all(shape, limit), `cold hours ${k}, shape ${n}, limit ${limit}`).toEqual(
            expected.get(n),
          );
        }
      }
    }
  });

  it("a budget of one object per page still gives every row once, in order, through its cursors", async () => {
    await coolFirst(HOURS);
    for (const [n, shape] of SHAPES.entries()) {
      expect(await all(shape, 10, { maxObjects: 1 }), `shape ${n}`).toEqual(expected.get(n));
    }
  });

  it("an hour deleted from D1 is still answered; meta says which tiers and what was read", async () => {
    await coolFirst(HOURS);
    await env.DB.prepare("DELETE FROM events WHERE sourceID = 'turbopuffer'").run();
    const res = await query("/v1/logs?sourceID=turbopuffer&limit=50");
    const body = (await res.json()) as {
      data: Array<{ id: string }>;
      nextCursor: string | null;
      meta: { tiers: string[]; rows: { hot: number; archive: number }; archive: Json };
    };
    expect(body.data.map((r) => r.id)).toEqual(expected.get(0)?.slice(0, 50));
    expect(body.meta.tiers).toEqual(["hot", "archive"]);
    expect(body.meta.rows).toEqual({ hot: 0, archive: 50 });
    expect(body.meta.archive.objects).toBeGreaterThan(0);
    expect(body.meta.archive.bytes).toBeGreaterThan(0);
    expect(body.nextCursor).not.toBeNull();

    const cold = await query("/v1/logs?sourceID=turbopuffer&limit=1000");
    expect(((await cold.json()) as { data: Json[] }).data, "every column as D1 gave it").toEqual(
      hotRows,
    );

    const ndjson = await query("/v1/logs?sourceID=turbopuffer", { accept: "application/x-ndjson" });
    const lines = new TextDecoder()
      .decode(await ndjson.arrayBuffer())
      .trim()
      .split("\n");
    expect(lines.map((l) => (JSON.parse(l) as { id: string }).id)).toEqual(expected.get(0));
  });

  it("the MCP tools search_logs and get_event read the archive as GET /v1/logs does", async () => {
    // D1 holds none of these rows now (the test above deleted them)
    const client = await mcpClient(bearer(QUERY_TOKEN));
    const range = { from: new Date(BASE_T - DAY).toISOString(), to: new Date(NOW).toISOString() };
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const page = await tool(client, "search_logs", {
        sourceID: "turbopuffer",
        ...range,
        limit: 30,
        ...(cursor ? { cursor } : {}),
      });
      expect(page.isError).toBe(false);
      expect(page.data.tiers).toContain("archive");
      seen.push(...(page.data.data as Array<{ id: string }>).map((r) => r.id));
      cursor = (page.data.nextCursor as string | null) ?? undefined;
      if (!cursor) break;
    }
    expect(seen, "every row once, in order, across pages").toEqual(expected.get(0));
    const one = await tool(client, "get_event", { id: seen[7] });
    expect(one.isError).toBe(false);
    expect((one.data.event as { id: string }).id).toBe(seen[7]);
  });
});

it("the histogram and facets of archived hours equal D1's; whole hours read no Parquet", async () => {
  await coolFirst(HOURS);
  await env.DB.prepare("DELETE FROM events WHERE sourceID = 'turbopuffer'").run();
  for (const path of HISTOGRAMS) {
    const { meta, ...cold } = (await histogramOf(path)) as Json & {
      meta: { tiers: string[]; archive: { objects: number; manifestHours: number } };
    };
    expect(cold, path).toEqual(hotHistograms.get(path));
    expect(meta.tiers).toEqual(["hot", "archive"]);
    if (path === HISTOGRAMS[0]) {
      expect(meta.archive.objects, "no Parquet").toBe(0);
      expect(meta.archive.manifestHours).toBeGreaterThan(0);
    }
  }
  expect((hotHistograms.get(HISTOGRAMS[0] as string) as { total: number }).total).toBe(HOURS * 20);
});

it("GET /v1/logs/:id finds an archived event, with or without its eventTime", async () => {
  await coolFirst(HOURS);
  const target = (await (
    await query("/v1/logs?sourceID=turbopuffer&order=asc&limit=5")
  ).json()) as {
    data: Json[];
  };
  const row = target.data[3] as Json;
  await env.DB.prepare("DELETE FROM events WHERE sourceID = 'turbopuffer'").run();
  const plain = await query(`/v1/logs/${row.id}`);
  expect(plain.status).toBe(200);
  expect(plain.headers.get("x-auditflare-tier")).toBe("archive");
  expect(await plain.json()).toEqual(row);
  const timed = await query(`/v1/logs/${row.id}?eventTime=${row.eventTime}`);
  expect(await timed.json()).toEqual(row);
  expect(Number(timed.headers.get("x-auditflare-archive-objects"))).toBeLessThanOrEqual(
    Number(plain.headers.get("x-auditflare-archive-objects")),
  );
  const missing = await query(`/v1/logs/${"0".repeat(64)}`);
  expect(missing.status).toBe(404);
});
