import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { runArchive } from "../../src/archive/job";
import { prepareRecords } from "../../src/pipeline/prepare";
import { HOUR, hourOf } from "../../src/store/archive";
import { commit } from "../../src/store/ingest";
import { type Json, query, tpEvent } from "../helpers";

/**
 * The histogram and facets of a cooled hour that is no longer verified (a rebuild's first step:
 * src/store/archive-manifest.ts unverifyForRebuild, with D1 still holding every row): each row
 * counted once, though both tiers hold it (the D1 rows at or before the hour's archive watermark
 * are the archive's).
 */

const NOW = Date.now();
const RECEIVED = hourOf(NOW) - 5 * HOUR + 1000;
const T = NOW - 30 * 86_400_000;
const iso = (t: number) => new Date(t).toISOString();
const RANGE = `from=${iso(hourOf(T) - HOUR)}&to=${iso(hourOf(T) + 3 * HOUR)}`;

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

async function get(path: string): Promise<Json> {
  const res = await query(path);
  expect(res.status, path).toBe(200);
  const { meta: _meta, ...body } = (await res.json()) as Json;
  return body;
}

it("a cooled hour no longer verified is counted once in the histogram and facets", async () => {
  await store(
    RECEIVED,
    Array.from({ length: 30 }, (_, i) => {
      const e = tpEvent(5000 + i, T + i * 60_000);
      e.action = i % 3 === 0 ? "namespace-deleted" : "session-created";
      return e;
    }),
  );
  expect(await runArchive(env, NOW)).toMatchObject({ status: "done", rows: 30 });
  const histogram = `/v1/logs/histogram?sourceID=turbopuffer&${RANGE}`;
  // a short unaligned range: minute buckets, counted from the Parquet objects
  const minutes = `/v1/logs/histogram?sourceID=turbopuffer&from=${iso(T - 30_000)}&to=${iso(T + 20 * 60_000)}`;
  const filtered = `/v1/logs/histogram?eventName=namespace-deleted&${RANGE}`;
  const facets = `/v1/logs/facets?sourceID=turbopuffer&${RANGE}`;
  const paths = [histogram, minutes, filtered, facets];
  const hot = new Map<string, Json>();
  for (const p of paths) hot.set(p, await get(p));
  expect(hot.get(histogram)?.total).toBe(30);
  expect(hot.get(filtered)?.total).toBe(10);

  // retention cooled the hour (none of its rows deleted yet), then a rebuild unverified it
  await env.DB.prepare(
    "UPDATE received_hours SET cooled = 1, verified = 0 WHERE sourceID = 'turbopuffer'",
  ).run();
  for (const p of paths) expect(await get(p), p).toEqual(hot.get(p));

  // and once retention had deleted some of its rows before (the archive is their only copy)
  await env.DB.prepare("DELETE FROM events WHERE sourceID = 'turbopuffer' AND (rid % 2) = 0").run();
  for (const p of paths) expect(await get(p), p).toEqual(hot.get(p));
});
