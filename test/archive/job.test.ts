import { env } from "cloudflare:workers";
import { parquetReadObjects } from "hyparquet";
import { beforeAll, describe, expect, it } from "vitest";
import { archiveKey, runArchive } from "../../src/archive/job";
import { prepareRecords } from "../../src/pipeline/prepare";
import { HOUR, hourOf } from "../../src/store/archive";
import { commit } from "../../src/store/ingest";
import type { LogRow } from "../../src/store/schema";
import { ADMIN_TOKEN, call, query, tpEvent } from "../helpers";

const NOW = Date.now();
const H0 = hourOf(NOW) - 5 * HOUR; // three closed hours: H0, H0+1h, H0+2h

/** Stores `n` turbopuffer events for `sourceID` as received at `receivedAt`. */
async function store(sourceID: string, receivedAt: number, n: number, from: number) {
  const framed = Array.from({ length: n }, (_, i) => {
    const value = tpEvent(from + i, receivedAt - 60_000 * (i % 30));
    return { ok: true as const, value, raw: JSON.stringify(value), location: `[${i}]` };
  });
  const source = { id: sourceID, type: "turbopuffer" as const };
  const prepared = await prepareRecords(env, source, framed, receivedAt);
  const r = await commit(env, {
    sourceID,
    sourceType: "turbopuffer",
    ...prepared,
    received: n,
    now: receivedAt,
  });
  expect(r.inserted).toBe(n);
}

async function manifest() {
  const { results } = await env.DB.prepare(
    "SELECT sourceID, hour, part, key, rows, sha256 FROM archive_manifest ORDER BY sourceID, hour, part",
  ).all<{
    sourceID: string;
    hour: number;
    part: number;
    key: string;
    rows: number;
    sha256: string;
  }>();
  return results;
}

async function objectRows(key: string): Promise<Record<string, unknown>[]> {
  const object = await env.ARCHIVE.get(key);
  if (!object) throw new Error(`no object ${key}`);
  return (await parquetReadObjects({ file: await object.arrayBuffer() })) as Record<
    string,
    unknown
  >[];
}

beforeAll(async () => {
  await store("turbopuffer", H0 + 10 * 60_000, 40, 1000);
  await store("turbopuffer", H0 + HOUR + 5_000, 30, 2000);
  await store("tp-other", H0 + 2 * HOUR + 59 * 60_000, 25, 3000);
  await store("tp-other", H0 + 2 * HOUR + 1000, 5, 4000);
});

describe("the archive job", () => {
  it("writes each closed hour of each source as Parquet that reads back to the stored rows", async () => {
    const run = await runArchive(env, NOW);
    expect(run).toMatchObject({ status: "done", parts: 3, rows: 100 });
    const entries = await manifest();
    expect(entries.map((e) => [e.sourceID, e.hour, e.part, e.rows])).toEqual([
      ["tp-other", H0 + 2 * HOUR, 0, 30],
      ["turbopuffer", H0, 0, 40],
      ["turbopuffer", H0 + HOUR, 0, 30],
    ]);
    for (const e of entries) {
      expect(e.key).toBe(archiveKey(e.sourceID, e.hour, 0));
      expect(e.key).toMatch(
        /^archive\/v1\/source=[\w-]+\/date=\d{4}-\d{2}-\d{2}\/hour=\d{2}\/[\w-]+-\d{10}-0\.parquet$/,
      );
      const back = await objectRows(e.key);
      const { results: stored } = await env.DB.prepare(
        "SELECT * FROM events WHERE sourceID = ?1 AND receivedAt >= ?2 AND receivedAt < ?3",
      )
        .bind(e.sourceID, e.hour, e.hour + HOUR)
        .all<LogRow>();
      expect(back).toHaveLength(stored.length);
      const byId = new Map(stored.map((r) => [r.id, r]));
      for (const b of back) {
        const row = byId.get(b.id as string);
        expect(row, String(b.id)).toBeDefined();
        expect(b.rawLog).toBe(row?.rawLog);
        expect((b.eventTime as Date).getTime()).toBe(row?.eventTime);
        expect((b.receivedAt as Date).getTime()).toBe(row?.receivedAt);
      }
    }
    // nothing left: a second run writes nothing and rewrites nothing
    const keys = (await env.ARCHIVE.list({ prefix: "archive/v1/" })).objects.map((o) => o.etag);
    expect(await runArchive(env, NOW)).toMatchObject({ status: "done", parts: 0 });
    expect((await env.ARCHIVE.list({ prefix: "archive/v1/" })).objects.map((o) => o.etag)).toEqual(
      keys,
    );
  });

  it("lists the manifest with totals (GET /v1/archive)", async () => {
    const res = await query(`/v1/archive?source=turbopuffer`);
    const body = (await res.json()) as { data: Array<Record<string, unknown>>; totals: unknown };
    expect(res.status).toBe(200);
    expect(body.totals).toMatchObject({ objects: 2, rows: 70 });
    expect(body.data[0]).toMatchObject({
      source: "turbopuffer",
      hour: new Date(H0 + HOUR).toISOString(),
      part: 0,
      rows: 30,
    });
    expect(body.data[0]?.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it("archives the open hour with ?through=now, and its later events in a further part", async () => {
    const open = hourOf(Date.now());
    await store("turbopuffer", open + 1, 7, 5000);
    const run = (r: Response) => r.json() as Promise<{ status: string; rows: number }>;
    const post = () =>
      call("/v1/archive/run?through=now", {
        method: "POST",
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
    // (the self-audit events of these requests are archived too: count turbopuffer's parts)
    expect(await run(await post())).toMatchObject({ status: "done" });
    await store("turbopuffer", open + 2, 4, 6000);
    expect(await run(await post())).toMatchObject({ status: "done" });
    const parts = (await manifest()).filter((e) => e.hour === open && e.sourceID === "turbopuffer");
    expect(parts.map((p) => [p.part, p.rows])).toEqual([
      [0, 7],
      [1, 4],
    ]);
    const ids = new Set<unknown>();
    for (const p of parts) for (const r of await objectRows(p.key)) ids.add(r.id);
    expect(ids.size).toBe(11);
    const denied = await call("/v1/archive/run", {
      method: "POST",
      headers: { authorization: "Bearer test-query-token" },
    });
    expect(denied.status).toBe(403);
  });
});

describe("exactly once", () => {
  it("a crash after writing an object but before the manifest: the rerun writes the same key once", async () => {
    const hour = H0 - 3 * HOUR;
    await store("tp-other", hour + 1000, 12, 7000);
    // the manifest batch fails once, as a crash between the R2 put and D1 would
    let failed = false;
    const crashing = {
      ...env,
      DB: new Proxy(env.DB, {
        get(target, prop) {
          if (prop === "batch")
            return async (statements: D1PreparedStatement[]) => {
              if (!failed) {
                failed = true;
                throw new Error("crash before the manifest");
              }
              return target.batch(statements);
            };
          const v = Reflect.get(target, prop);
          return typeof v === "function" ? v.bind(target) : v;
        },
      }),
    } as Env;
    // the run reports the hour and goes on with the others
    expect((await runArchive(crashing, NOW)).failed).toEqual([
      { sourceID: "tp-other", hour, error: expect.stringContaining("crash before the manifest") },
    ]);
    const key = archiveKey("tp-other", hour, 0);
    expect(await env.ARCHIVE.head(key)).not.toBeNull();
    expect((await manifest()).filter((e) => e.hour === hour)).toHaveLength(0);
    expect(await runArchive(env, NOW)).toMatchObject({ status: "done", parts: 1, rows: 12 });
    const entries = (await manifest()).filter((e) => e.hour === hour);
    expect(entries.map((e) => [e.key, e.rows])).toEqual([[key, 12]]);
    expect((await env.ARCHIVE.list({ prefix: key })).objects).toHaveLength(1);
  });

  it("two concurrent runs give one result", async () => {
    const hour = H0 - 6 * HOUR;
    await store("turbopuffer", hour + 1000, 9, 8000);
    const runs = await Promise.all([runArchive(env, NOW), runArchive(env, NOW)]);
    expect(runs.map((r) => r.rows).sort()).toEqual([0, 9]);
    const entries = (await manifest()).filter((e) => e.hour === hour);
    expect(entries.map((e) => [e.part, e.rows])).toEqual([[0, 9]]);
  });
});

describe("bounded work, and one hour failing holds no other", () => {
  it("an hour that cannot be archived (its spilled rawLog gone from R2) is reported; the other hours are archived", async () => {
    const hour = hourOf(NOW) - 30 * HOUR;
    // a record over a D1 row's budget: its rawLog goes to R2 (src/store/ingest.ts spill)
    const big = { ...tpEvent(9_100, hour + 500), pad: "x".repeat(200_000) };
    const prepared = await prepareRecords(
      env,
      { id: "tp-small", type: "turbopuffer" },
      [{ ok: true as const, value: big, raw: JSON.stringify(big), location: "[0]" }],
      hour + 1000,
    );
    await commit(env, {
      sourceID: "tp-small",
      sourceType: "turbopuffer",
      ...prepared,
      received: 1,
      now: hour + 1000,
    });
    const ref = await env.DB.prepare(
      "SELECT rawLogRef FROM events WHERE sourceID = 'tp-small' AND rawLogRef IS NOT NULL",
    ).first<{ rawLogRef: string }>();
    if (!ref) throw new Error("not spilled");
    await env.ARCHIVE.delete(ref.rawLogRef);
    await store("tp-ttl", hour + HOUR + 1000, 3, 9_200); // a later hour of another source
    const run = await runArchive(env, NOW);
    expect(run.failed).toEqual([
      expect.objectContaining({ sourceID: "tp-small", hour, error: expect.any(String) }),
    ]);
    const later = await env.DB.prepare(
      "SELECT verified FROM received_hours WHERE sourceID = 'tp-ttl' AND hour = ?1",
    )
      .bind(hour + HOUR)
      .first<{ verified: number }>();
    expect(later?.verified).toBe(1);
  });

  it("a run archives 14 sources' hours, not 12", async () => {
    const hour = hourOf(NOW) - 40 * HOUR;
    const ids = ["turbopuffer", "tp-other", "tp-allowlist", "tp-files", "tp-ttl"];
    // 14 (source, hour) pairs: 5 sources × 3 hours, less one
    const pairs = ids.flatMap((id, s) =>
      [0, 1, 2].map((k) => ({ id, at: hour + k * HOUR + 1000 + s })),
    );
    for (const [i, p] of pairs.slice(0, 14).entries()) await store(p.id, p.at, 1, 9_300 + i);
    const run = await runArchive(env, NOW);
    expect(run.status).toBe("done");
    const pending = await env.DB.prepare(
      "SELECT count(*) AS n FROM received_hours WHERE hour >= ?1 AND hour < ?2 AND verified = 0",
    )
      .bind(hour, hour + 3 * HOUR)
      .first<{ n: number }>();
    expect(pending?.n).toBe(0);
  });
});

describe("a part's bytes are bounded", () => {
  it("rows whose rawLogs are in R2 (200 KB each) are split into parts within the budget; every row archived once", async () => {
    const hour = hourOf(NOW) - 50 * HOUR;
    const framed = Array.from({ length: 5 }, (_, i) => {
      const value = { ...tpEvent(9_500 + i, hour + 500 + i), pad: "y".repeat(200_000) };
      return { ok: true as const, value, raw: JSON.stringify(value), location: `[${i}]` };
    });
    const prepared = await prepareRecords(
      env,
      { id: "tp-small", type: "turbopuffer" },
      framed,
      hour + 1000,
    );
    await commit(env, {
      sourceID: "tp-small",
      sourceType: "turbopuffer",
      ...prepared,
      received: 5,
      now: hour + 1000,
    });
    const run = await runArchive(env, NOW, { partBytes: 450_000 });
    // (the hour an earlier test left without its rawLog still fails, alone)
    expect(run.failed?.filter((f) => f.hour === hour)).toBeOneOf([undefined, []]);
    const parts = (await manifest()).filter((e) => e.sourceID === "tp-small" && e.hour === hour);
    // two 200 KB rawLogs fit in 450 KB, a third does not: 2 + 2 + 1
    expect(parts.map((p) => p.rows)).toEqual([2, 2, 1]);
    const verified = await env.DB.prepare(
      "SELECT verified FROM received_hours WHERE sourceID = 'tp-small' AND hour = ?1",
    )
      .bind(hour)
      .first<{ verified: number }>();
    expect(verified?.verified).toBe(1);
  });
});
