import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { rebuildArchive, runArchive } from "../../src/archive/job";
import { prepareRecords } from "../../src/pipeline/prepare";
import { enforceRetention, GONE_DAYS, HOT_DAYS } from "../../src/retention";
import { HOUR, type HourState, hourOf, verifyHour } from "../../src/store/archive";
import { commit } from "../../src/store/ingest";
import { ADMIN_TOKEN, call, count, query, tpEvent } from "../helpers";

const DAY = 86_400_000;
const NOW = Date.now();

/** Stores `n` turbopuffer events of `eventTime` for "turbopuffer", as received at `receivedAt`. */
async function store(receivedAt: number, eventTime: number, n: number, from: number) {
  const framed = Array.from({ length: n }, (_, i) => {
    const value = tpEvent(from + i, eventTime + i * 1000);
    return { ok: true as const, value, raw: JSON.stringify(value), location: `[${i}]` };
  });
  const source = { id: "turbopuffer", type: "turbopuffer" as const };
  const prepared = await prepareRecords(env, source, framed, receivedAt);
  await commit(env, {
    sourceID: "turbopuffer",
    sourceType: "turbopuffer",
    ...prepared,
    received: n,
    now: receivedAt,
  });
}

const rows = (where: string) =>
  count(`SELECT count(*) AS n FROM events WHERE sourceID = 'turbopuffer' AND ${where}`);

it("deletes rows past hotDays from D1 only once archived; ttlDays deletes archive objects", async () => {
  const archivedHour = hourOf(NOW) - 3 * HOUR;
  const openHour = hourOf(NOW);
  // 60-day-old events: some received three hours ago (archived below), some in the open hour
  await store(archivedHour + 1000, NOW - 60 * DAY, 20, 100);
  await store(openHour + 1, NOW - 60 * DAY + DAY, 15, 200);
  // recent events, received three hours ago: archived, but within hotDays
  await store(archivedHour + 2000, NOW - DAY, 5, 300);
  expect(await runArchive(env, NOW)).toMatchObject({ status: "done", rows: 25 });

  const report = await enforceRetention(env, NOW);
  expect(report.find((r) => r.sourceID === "turbopuffer")).toMatchObject({ cooled: 20 });
  expect(await rows(`receivedAt >= ${archivedHour} AND receivedAt < ${archivedHour + HOUR}`)).toBe(
    5,
  );
  expect(await rows(`receivedAt >= ${openHour}`), "the open hour is not archived: kept").toBe(15);

  // the archive keeps what D1 let go; past ttlDays (400 by default) the objects go too
  const listed = async () =>
    (await env.ARCHIVE.list({ prefix: "archive/v1/source=turbopuffer/" })).objects.length;
  expect(await listed()).toBe(1);
  const later = await enforceRetention(env, archivedHour + HOUR + 400 * DAY + 1);
  expect(later.find((r) => r.sourceID === "turbopuffer")).toMatchObject({ objectsDeleted: 1 });
  expect(await listed()).toBe(0);
  expect(
    await count("SELECT count(*) AS n FROM archive_manifest WHERE sourceID = 'turbopuffer'"),
  ).toBe(0);
});

it("an hour whose rows the archive does not all hold stays in D1 (a commit that landed late)", async () => {
  const hour = hourOf(NOW) - 9 * HOUR;
  await store(hour + 5000, NOW - 90 * DAY, 10, 400);
  await runArchive(env, NOW);
  // a slow commit lands after the run, with a receivedAt below the hour's watermark
  await store(hour + 1000, NOW - 90 * DAY + 50_000, 1, 500);
  await runArchive(env, NOW);
  const report = await enforceRetention(env, NOW);
  expect(report.find((r) => r.sourceID === "turbopuffer")?.cooled).toBe(0);
  expect(await rows(`receivedAt >= ${hour} AND receivedAt < ${hour + HOUR}`)).toBe(11);
});

it("a row gone from D1 and a late row of the same hour do not pass for each other: the hour stays unverified and keeps the late row", async () => {
  const hour = hourOf(NOW) - 17 * HOUR;
  const inHour = `receivedAt >= ${hour} AND receivedAt < ${hour + HOUR}`;
  await store(hour + 5000, NOW - 90 * DAY, 10, 800);
  await runArchive(env, NOW);
  // A row leaves D1 by a deletion the archive did not make, and a slow commit lands below the
  // hour's watermark: D1 holds 10 of the hour's rows again, as the manifest lists, but one of
  // them is in no archive object.
  await env.DB.prepare(
    `DELETE FROM events WHERE rid = (SELECT min(rid) FROM events WHERE sourceID = 'turbopuffer' AND ${inHour})`,
  ).run();
  await store(hour + 1000, NOW - 90 * DAY + 50_000, 1, 900);
  expect(await rows(inHour)).toBe(10);
  await runArchive(env, NOW);
  const verified = await env.DB.prepare(
    "SELECT verified FROM received_hours WHERE sourceID = 'turbopuffer' AND hour = ?1",
  )
    .bind(hour)
    .first<{ verified: number }>();
  expect(verified?.verified, "equal counts, other rows").toBe(0);
  // retention deletes none of it: the late row stays readable
  await enforceRetention(env, NOW);
  expect(await rows(inHour)).toBe(10);
  expect(await rows(`receivedAt = ${hour + 1000}`)).toBe(1);
});

it("a part's ridSum is the sum of its rows' keys' low 32 bits; parts written without one verify by count", async () => {
  const hour = hourOf(NOW) - 18 * HOUR;
  const inHour = `receivedAt >= ${hour} AND receivedAt < ${hour + HOUR}`;
  await store(hour + 5000, NOW - 2 * DAY, 4, 1000);
  await runArchive(env, NOW);
  const manifest = await env.DB.prepare(
    "SELECT sum(ridSum) AS s FROM archive_manifest WHERE sourceID = 'turbopuffer' AND hour = ?1",
  )
    .bind(hour)
    .first<{ s: number }>();
  const d1 = await env.DB.prepare(
    `SELECT sum(rid & 4294967295) AS s FROM events WHERE sourceID = 'turbopuffer' AND ${inHour}`,
  ).first<{ s: number }>();
  expect(manifest?.s).toBeGreaterThan(0);
  expect(manifest?.s).toBe(d1?.s);
  // a part from before the column: the hour verifies by its count, as it did
  await env.DB.batch([
    env.DB.prepare(
      "UPDATE archive_manifest SET ridSum = NULL WHERE sourceID = 'turbopuffer' AND hour = ?1",
    ).bind(hour),
    env.DB.prepare(
      "UPDATE received_hours SET verified = 0 WHERE sourceID = 'turbopuffer' AND hour = ?1",
    ).bind(hour),
  ]);
  const state = await env.DB.prepare(
    "SELECT * FROM received_hours WHERE sourceID = 'turbopuffer' AND hour = ?1",
  )
    .bind(hour)
    .first<HourState>();
  expect(await verifyHour(env.DB, state as HourState)).toBe(true);
});

it("rebuild forgets hours whose rows are all in D1 and refuses those partly cooled; the next run writes the same keys", async () => {
  const hour = hourOf(NOW) - 20 * HOUR;
  await store(hour + 1000, NOW - DAY, 8, 600);
  await runArchive(env, NOW);
  const key = (
    await env.DB.prepare(
      "SELECT key FROM archive_manifest WHERE sourceID = 'turbopuffer' AND hour = ?1",
    )
      .bind(hour)
      .first<{ key: string }>()
  )?.key;
  expect(key).toBeDefined();
  const post = (qs: string) =>
    call(`/v1/archive/rebuild?${qs}`, {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
  const from = new Date(hour).toISOString();
  const to = new Date(hour + HOUR).toISOString();
  const res = await post(`source=turbopuffer&from=${from}&to=${to}`);
  expect(await res.json()).toMatchObject({
    status: "done",
    hours: 1,
    objectsDeleted: 1,
    refused: [],
  });
  expect(await env.ARCHIVE.head(key as string)).toBeNull();
  expect(await runArchive(env, NOW)).toMatchObject({ rows: 8 });
  expect(await env.ARCHIVE.head(key as string)).not.toBeNull();

  // an hour whose rows left D1 for the archive: rebuilding it would lose them
  const cold = hourOf(NOW) - 30 * HOUR;
  await store(cold + 1000, NOW - 70 * DAY, 6, 700);
  await runArchive(env, NOW);
  await enforceRetention(env, NOW);
  const refused = await post(`source=turbopuffer&from=${new Date(cold).toISOString()}&to=${from}`);
  expect(await refused.json()).toMatchObject({
    hours: 0,
    refused: [{ source: "turbopuffer", hour: new Date(cold).toISOString() }],
  });
  expect((await post("")).status).toBe(200);
  expect((await call("/v1/archive/rebuild", { method: "POST" })).status).toBe(401);
});

it("rebuild refuses a cooled hour whose deleted row a late one stands in for in the count: the deleted row's only copy stays in the archive", async () => {
  const hour = hourOf(NOW) - 19 * HOUR;
  const inHour = `receivedAt >= ${hour} AND receivedAt < ${hour + HOUR}`;
  // one backfilled event past hotDays and four recent ones, received in the same hour
  await store(hour + 5000, NOW - 60 * DAY, 1, 1100);
  await store(hour + 6000, NOW - DAY, 4, 1110);
  await runArchive(env, NOW);
  await enforceRetention(env, NOW);
  // cooled: the old row left D1, the archive holds its only copy
  expect(await rows(inHour)).toBe(4);
  // two rows land late, below the hour's watermark: D1 holds 6 rows, the manifest lists 5
  await store(hour + 1000, NOW - DAY + 50_000, 2, 1120);
  expect(await rows(inHour)).toBe(6);
  const keys = async () =>
    (
      await env.DB.prepare(
        "SELECT key FROM archive_manifest WHERE sourceID = 'turbopuffer' AND hour = ?1",
      )
        .bind(hour)
        .all<{ key: string }>()
    ).results.map((r) => r.key);
  const [key] = await keys();
  const res = await call(
    `/v1/archive/rebuild?source=turbopuffer&from=${new Date(hour).toISOString()}&to=${new Date(hour + HOUR).toISOString()}`,
    { method: "POST", headers: { authorization: `Bearer ${ADMIN_TOKEN}` } },
  );
  expect(await res.json()).toMatchObject({
    hours: 0,
    objectsDeleted: 0,
    refused: [{ source: "turbopuffer", hour: new Date(hour).toISOString() }],
  });
  expect(await keys()).toEqual([key]);
  expect(await env.ARCHIVE.head(key as string)).not.toBeNull();
});

it("rebuild of a cooled hour: refused when a late row stands in for a deleted one by count (their sums differ); done when D1 holds exactly the manifest's rows", async () => {
  const rebuild = (hour: number) =>
    call(
      `/v1/archive/rebuild?source=turbopuffer&from=${new Date(hour).toISOString()}&to=${new Date(hour + HOUR).toISOString()}`,
      { method: "POST", headers: { authorization: `Bearer ${ADMIN_TOKEN}` } },
    ).then((r) => r.json());
  // one backfilled event past hotDays and four recent ones: cooled, the old row deleted, then
  // one late row: 5 rows in D1 as in the manifest, but not the same 5
  const swapped = hourOf(NOW) - 21 * HOUR;
  await store(swapped + 5000, NOW - 60 * DAY, 1, 1200);
  await store(swapped + 6000, NOW - DAY, 4, 1210);
  await runArchive(env, NOW);
  await enforceRetention(env, NOW);
  await store(swapped + 1000, NOW - DAY + 50_000, 1, 1220);
  expect(await rows(`receivedAt >= ${swapped} AND receivedAt < ${swapped + HOUR}`)).toBe(5);
  expect(await rebuild(swapped)).toMatchObject({
    hours: 0,
    refused: [{ hour: new Date(swapped).toISOString() }],
  });
  // a cooled hour none of whose rows has left yet (marked cooled here; retention had not run)
  const intact = hourOf(NOW) - 22 * HOUR;
  await store(intact + 5000, NOW - DAY, 3, 1230);
  await runArchive(env, NOW);
  await env.DB.prepare(
    "UPDATE received_hours SET cooled = 1 WHERE sourceID = 'turbopuffer' AND hour = ?1",
  )
    .bind(intact)
    .run();
  expect(await rebuild(intact)).toMatchObject({ hours: 1, objectsDeleted: 1, refused: [] });
});

it("GET /v1/archive lists no ridSum (verification's own figure)", async () => {
  const res = await call("/v1/archive?limit=5", {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  });
  const body = (await res.json()) as { data: Record<string, unknown>[] };
  expect(body.data.length).toBeGreaterThan(0);
  for (const e of body.data) expect(e).not.toHaveProperty("ridSum");
});

it("paging GET /v1/logs gives the same rows in the same order while retention itself moves the hot boundary across the hours", async () => {
  // Another source than the tests above, so only retention's own decisions move its rows.
  const SOURCE = "tp-other";
  const HOURS = 5;
  const first = hourOf(NOW) - 40 * HOUR;
  const base = NOW - 70 * DAY;
  const span = 1.5 * HOURS * HOUR;
  let seed = 27;
  const rand = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  const source = { id: SOURCE, type: "turbopuffer" as const };
  for (let h = 0; h < HOURS; h++) {
    // event times overlap across received hours (late events), and some share a second
    const framed = Array.from({ length: 20 }, (_, i) => {
      const value = tpEvent(5000 + h * 20 + i, base + Math.floor((rand() * span) / 1000) * 1000);
      return { ok: true as const, value, raw: JSON.stringify(value), location: `[${i}]` };
    });
    const receivedAt = first + h * HOUR + 1000;
    const prepared = await prepareRecords(env, source, framed, receivedAt);
    await commit(env, {
      sourceID: SOURCE,
      sourceType: "turbopuffer",
      ...prepared,
      received: 20,
      now: receivedAt,
    });
  }
  for (let r = 0; r < 5; r++) await runArchive(env, NOW);
  expect(
    await count(
      "SELECT count(*) AS n FROM received_hours WHERE sourceID = ?1 AND verified = 1 AND parts > 0",
      SOURCE,
    ),
  ).toBe(HOURS);

  const range = `sourceID=${SOURCE}&from=${new Date(base - DAY).toISOString()}&to=${new Date(NOW).toISOString()}`;
  async function ids(order: string, limit: number): Promise<string[]> {
    const out: string[] = [];
    let cursor = "";
    for (let pages = 0; pages < 200; pages++) {
      const res = await query(`/v1/logs?${range}&order=${order}&limit=${limit}${cursor}`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { data: Array<{ id: string }>; nextCursor: string | null };
      out.push(...body.data.map((r) => r.id));
      if (!body.nextCursor) return out;
      cursor = `&cursor=${encodeURIComponent(body.nextCursor)}`;
    }
    throw new Error("no last page");
  }
  const shapes = [
    ["desc", 7],
    ["asc", 7],
    ["desc", 1000],
  ] as const;
  const expected = new Map<string, string[]>();
  for (const [order, limit] of shapes) expected.set(`${order} ${limit}`, await ids(order, limit));
  expect(expected.get("desc 1000")).toHaveLength(HOURS * 20);
  expect(expected.get("asc 7")).toEqual([...(expected.get("desc 7") ?? [])].reverse());

  const hot = () => count("SELECT count(*) AS n FROM events WHERE sourceID = ?1", SOURCE);
  let before = await hot();
  // retention's cutoff (now − hotDays) steps across the event times: hours go cold one by one
  for (let k = 0; k <= 6; k++) {
    const cutoff = base + Math.round((k * span) / 6) + (k === 6 ? 1000 : 0);
    await enforceRetention(env, cutoff + 30 * DAY);
    const left = await hot();
    expect(left, `step ${k}: retention only ever removes rows`).toBeLessThanOrEqual(before);
    before = left;
    for (const [order, limit] of shapes)
      expect(
        await ids(order, limit),
        `step ${k}, ${order}, pages of ${limit}, ${left} rows hot`,
      ).toEqual(expected.get(`${order} ${limit}`));
  }
  expect(before, "at the end every row is read from the archive alone").toBe(0);
});

/** The archive bucket with `before` run once, before the first call of `method` goes through. */
function onFirst(method: "put" | "delete", before: () => Promise<unknown>): R2Bucket {
  let fired = false;
  return new Proxy(env.ARCHIVE, {
    get(target, p) {
      const v = Reflect.get(target, p);
      if (p !== method) return typeof v === "function" ? v.bind(target) : v;
      return async (...args: unknown[]) => {
        if (!fired) {
          fired = true;
          await before();
        }
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

it("a commit landing in an hour while the run writes it, older than the hour's events, leaves the hour unverified: retention deletes none of its rows", async () => {
  const hour = hourOf(NOW) - HOUR; // the hour that just ended, archived at once (through=now)
  await store(hour + 1000, NOW - 60 * DAY, 10, 7_000);
  // in flight since hh:59:59: received in the hour, its event older than every other
  const late = () => store(hour + HOUR - 1000, NOW - 70 * DAY, 1, 7_900);
  const e = { ...env, ARCHIVE: onFirst("put", late) } as Env;
  await runArchive(e, hour + HOUR + 30_000, { throughNow: true });
  const h = await env.DB.prepare(
    "SELECT verified FROM received_hours WHERE sourceID = 'turbopuffer' AND hour = ?1",
  )
    .bind(hour)
    .first<{ verified: number }>();
  expect(h?.verified).toBe(0);
  await enforceRetention(env, NOW);
  const archived = await count(
    "SELECT coalesce(sum(rows), 0) AS n FROM archive_manifest WHERE sourceID = 'turbopuffer' AND hour = ?1",
    hour,
  );
  const inD1 = await rows(`receivedAt >= ${hour} AND receivedAt < ${hour + HOUR}`);
  expect({ archived, inD1 }).toEqual({ archived: 10, inD1: 11 });
});

it("retention running while a rebuild deletes an hour's objects deletes none of its rows", async () => {
  const hour = hourOf(NOW) - 5 * HOUR;
  await store(hour + 1000, NOW - 60 * DAY, 10, 8_000);
  await runArchive(env, NOW);
  // the :17 cron's retention, between the rebuild's start and its deleting the objects
  const archive = onFirst("delete", () => enforceRetention(env, NOW));
  const r = await rebuildArchive({ DB: env.DB, ARCHIVE: archive }, NOW, {
    sourceID: "turbopuffer",
    from: hour,
    to: hour + HOUR,
  });
  expect(r).toMatchObject({ hours: 1, objectsDeleted: 1, refused: [] });
  expect(await rows(`receivedAt >= ${hour} AND receivedAt < ${hour + HOUR}`)).toBe(10);
  // the next run writes the hour again
  await runArchive(env, NOW);
  expect(
    await count(
      "SELECT coalesce(sum(rows), 0) AS n FROM archive_manifest WHERE sourceID = 'turbopuffer' AND hour = ?1",
      hour,
    ),
  ).toBe(10);
});

it("an event the archive holds twice (delivered again after its row left D1) is listed once, and paging reaches every event", async () => {
  const t = NOW - 95 * DAY;
  const h1 = hourOf(NOW) - 10 * HOUR;
  const h2 = hourOf(NOW) - 7 * HOUR;
  await store(h1 + 1000, t, 150, 20_000);
  await runArchive(env, h2 - HOUR + 20 * 60_000);
  await enforceRetention(env, h2 - HOUR + 20 * 60_000);
  // rows that left D1 before it remembered them (gone_ids, migration 0029): the same 150
  // events again (an overlapping export) are stored and archived a second time
  await env.DB.prepare("DELETE FROM gone_ids").run();
  await store(h2 + 1000, t, 150, 20_000);
  await runArchive(env, NOW);
  await enforceRetention(env, NOW);
  const range = `from=${new Date(t).toISOString()}&to=${new Date(t + 200_000).toISOString()}`;
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 5; page++) {
    const after = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
    const res = await query(`/v1/logs?sourceID=turbopuffer&limit=100&${range}${after}`);
    const body = (await res.json()) as { data: Array<{ id: string }>; nextCursor: string | null };
    if (page === 0) expect(body.data).toHaveLength(100);
    ids.push(...body.data.map((r) => r.id));
    cursor = body.nextCursor;
    if (!cursor) break;
  }
  expect(ids).toHaveLength(150);
  expect(new Set(ids).size).toBe(150);
});

it("an event delivered again after its row left D1 is a duplicate: stored and archived once, remembered GONE_DAYS past hotDays", async () => {
  const t = NOW - 61 * DAY - 4567;
  const h1 = hourOf(NOW) - 15 * HOUR;
  const h2 = hourOf(NOW) - 13 * HOUR;
  await store(h1 + 1000, t, 40, 30_000);
  await runArchive(env, h2 - HOUR + 20 * 60_000);
  await enforceRetention(env, h2 - HOUR + 20 * 60_000);
  expect(await rows(`eventTime >= ${t} AND eventTime < ${t + 40_000}`), "left D1").toBe(0);
  const gone = () =>
    count(
      "SELECT count(*) AS n FROM gone_ids WHERE eventTime >= ?1 AND eventTime < ?2",
      t,
      t + 40_000,
    );
  expect(await gone()).toBe(40);

  // the same 40 events again (an overlapping export), with 2 new ones of the same time
  const framed = Array.from({ length: 42 }, (_, i) => {
    const value = tpEvent(30_000 + i, t + i * 1000);
    return { ok: true as const, value, raw: JSON.stringify(value), location: `[${i}]` };
  });
  const source = { id: "turbopuffer", type: "turbopuffer" as const };
  const prepared = await prepareRecords(env, source, framed, h2 + 1000);
  const result = await commit(env, {
    sourceID: "turbopuffer",
    sourceType: "turbopuffer",
    ...prepared,
    received: 42,
    now: h2 + 1000,
  });
  expect(result).toMatchObject({ received: 42, inserted: 2, duplicates: 40, quarantined: 0 });
  expect(await rows(`eventTime >= ${t} AND eventTime < ${t + 42_000}`)).toBe(2);
  await runArchive(env, NOW);
  const archived = await count(
    "SELECT coalesce(sum(rows), 0) AS n FROM archive_manifest WHERE sourceID = 'turbopuffer' AND minEventTime <= ?1 AND maxEventTime >= ?2",
    t + 41_000,
    t,
  );
  expect(archived, "each event archived once").toBe(42);

  // remembered GONE_DAYS past hotDays: still there a day before, forgotten after
  await enforceRetention(env, t + (HOT_DAYS + GONE_DAYS - 1) * DAY);
  expect(await gone()).toBe(40);
  await enforceRetention(env, t + (HOT_DAYS + GONE_DAYS + 1) * DAY);
  expect(await gone()).toBe(0);
});

it("ttlDays: an archived object whose events are all past it goes with their rows, though received lately", async () => {
  const hour = hourOf(NOW) - 2 * HOUR;
  // a backfill of 45-day-old events, received two hours ago, for a source keeping 30 days
  const framed = Array.from({ length: 5 }, (_, i) => {
    const value = tpEvent(30_000 + i, NOW - 45 * DAY + i);
    return { ok: true as const, value, raw: JSON.stringify(value), location: `[${i}]` };
  });
  const source = { id: "tp-ttl", type: "turbopuffer" as const };
  const prepared = await prepareRecords(env, source, framed, hour + 30 * 60_000);
  await commit(env, {
    sourceID: "tp-ttl",
    sourceType: "turbopuffer",
    ...prepared,
    received: 5,
    now: hour + 30 * 60_000,
  });
  await runArchive(env, NOW);
  await enforceRetention(env, NOW);
  expect(
    await count(
      "SELECT count(*) AS n FROM archive_manifest WHERE sourceID = 'tp-ttl' AND hour = ?1",
      hour,
    ),
  ).toBe(0);
  const res = await query("/v1/logs?sourceID=tp-ttl&limit=100");
  expect(((await res.json()) as { data: unknown[] }).data).toEqual([]);
});
