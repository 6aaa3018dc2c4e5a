import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { SourceConfig } from "../../src/config";
import { frameJson } from "../../src/parse/json";
import { prepareRecords } from "../../src/pipeline/prepare";
import { commit, STATEMENT_BYTES } from "../../src/store/ingest";
import { count, type Json, push, query, tpEvent } from "../helpers";

const source: SourceConfig = {
  id: "turbopuffer",
  type: "turbopuffer",
  ingestTokenEnv: "TURBOPUFFER_INGEST_TOKEN",
};

async function prepare(events: unknown[]) {
  const framed = frameJson(JSON.stringify(events), () => true);
  if (!framed.ok) throw new Error(framed.message);
  return prepareRecords(env, source, framed.records, Date.now());
}

afterEach(() => vi.restoreAllMocks());

describe("store", () => {
  it("writes at most 4 D1 rows per stored event, plus one per statement chunk and 3 per batch for the counters", async () => {
    const events = Array.from({ length: 300 }, (_, i) => tpEvent(50_000 + i));
    const prepared = await prepare(events);
    const result = await commit(env, {
      sourceID: "turbopuffer",
      sourceType: "turbopuffer",
      ...prepared,
      received: 300,
      now: Date.now(),
    });
    expect(result.inserted).toBe(300);
    // 300 turbopuffer rows fit in 5 statements of at most 90 KB.
    expect(result.rowsWritten).toBeLessThanOrEqual(4 * 300 + 5 + 3);
  });

  it("counts inserted and duplicates right for a batch whose ids need several statements", async () => {
    const events = Array.from({ length: 4000 }, (_, i) => tpEvent(90_000 + i));
    const first = await push("turbopuffer", JSON.stringify(events.slice(0, 1500)));
    expect(await first.json()).toMatchObject({ inserted: 1500 });
    const before = await env.DB.prepare(
      "SELECT inserted, duplicates FROM source_stats WHERE sourceID = 'turbopuffer'",
    ).first<Json>();
    const res = await push("turbopuffer", JSON.stringify([...events, events[0]]));
    expect(await res.json()).toEqual({
      received: 4001,
      inserted: 2500,
      duplicates: 1501,
      quarantined: 0,
    });
    const after = await env.DB.prepare(
      "SELECT inserted, duplicates FROM source_stats WHERE sourceID = 'turbopuffer'",
    ).first<Json>();
    expect(Number(after?.inserted) - Number(before?.inserted)).toBe(2500);
    expect(Number(after?.duplicates) - Number(before?.duplicates)).toBe(1501);
  });

  it("stores events that share a millisecond and key bits at the next free key, once each", async () => {
    // Key = event time (ms) and the id's first 20 bits: these 20 events all want one key.
    const [a] = (await prepare([tpEvent(80_000)])).rows;
    if (!a) throw new Error("prepare failed");
    const twins = Array.from({ length: 20 }, (_, i) => ({
      ...a,
      id: `${a.id.slice(0, 5)}${i.toString(16).padStart(27, "0")}`,
      eventID: `twin-${i}`,
      rawLog: a.rawLog.replace("{", `{"twin":${i},`),
    }));
    const batch = {
      sourceID: "turbopuffer",
      sourceType: "turbopuffer",
      quarantine: [],
      now: Date.now(),
    };
    // Half in one commit, then all of them (the first ten again, so ten duplicates).
    const first = await commit(env, { ...batch, rows: twins.slice(0, 10), received: 10 });
    expect(first).toMatchObject({ received: 10, inserted: 10, duplicates: 0, quarantined: 0 });
    const second = await commit(env, { ...batch, rows: twins, received: 20 });
    expect(second).toMatchObject({ received: 20, inserted: 6, duplicates: 10, quarantined: 4 });
    // 16 keys (MAX_PROBES) for 20 events: the last four are kept in quarantine, never dropped.
    expect(await count("SELECT count(*) AS n FROM logs WHERE eventID LIKE 'twin-%'")).toBe(16);
    expect(
      await count("SELECT count(*) AS n FROM quarantine WHERE errorCode = 'id_collision'"),
    ).toBe(4);
    const keys = await env.DB.prepare(
      "SELECT CAST(rid AS TEXT) AS k FROM events WHERE eventID LIKE 'twin-%' ORDER BY rid",
    ).all<{ k: string }>();
    const base = BigInt(keys.results[0]?.k ?? "0");
    expect(keys.results.map((r) => BigInt(r.k) - base)).toEqual(
      Array.from({ length: 16 }, (_, i) => BigInt(i)),
    );
    // A redelivery of all twenty: the stored sixteen are duplicates, and so are the four kept
    // before (a record kept in quarantine is kept once).
    const again = await commit(env, { ...batch, rows: twins, received: 20 });
    expect(again).toMatchObject({ inserted: 0, duplicates: 20, quarantined: 0 });
  });

  it("commits new rows in one D1 batch; only a commit that added fewer rows asks D1 which ids are missing", async () => {
    const prepared = await prepare(Array.from({ length: 300 }, (_, i) => tpEvent(85_000 + i)));
    const batch = {
      sourceID: "turbopuffer",
      sourceType: "turbopuffer",
      ...prepared,
      received: 300,
      now: Date.now(),
    };
    const batches = vi.spyOn(env.DB, "batch");
    expect(await commit(env, batch)).toMatchObject({ inserted: 300, duplicates: 0 });
    expect(batches).toHaveBeenCalledTimes(1);
    // The same rows again: every one a duplicate, none lost (their ids are stored).
    batches.mockClear();
    expect(await commit(env, batch)).toMatchObject({ inserted: 0, duplicates: 300 });
    expect(batches).toHaveBeenCalledTimes(2);
    expect(
      await count(
        "SELECT count(*) AS n FROM logs WHERE json_extract(actor, '$.id') LIKE 'user_85%'",
      ),
    ).toBe(300);
  });

  it("moves a rawLog too large for one statement to R2, with a pointer and an explicit marker", async () => {
    const big = {
      ...tpEvent(60_000),
      metadata: { session_id: "s", note: "x".repeat(STATEMENT_BYTES) },
    };
    const res = await push("turbopuffer", JSON.stringify(big));
    expect(await res.json()).toEqual({ received: 1, inserted: 1, duplicates: 0, quarantined: 0 });
    const row = (await (await query("/v1/logs?actor=user_60000")).json()) as { data: Json[] };
    const stored = row.data[0] as Json;
    expect(stored.rawLog).toBe("");
    expect(stored.rawLogRef).toMatch(/^raw\/turbopuffer\//);
    expect(stored.eventName).toBe("session-created");
    expect(stored.tags).toEqual({ _spilled: expect.stringContaining("rawLogRef") });
    const object = await env.ARCHIVE.get(stored.rawLogRef as string);
    expect(JSON.parse((await object?.text()) ?? "null")).toEqual(big);
  });

  it("answers 503 and stores nothing when D1 fails, and the retry stores the events once", async () => {
    const body = JSON.stringify([tpEvent(70_000), tpEvent(70_001)]);
    vi.spyOn(env.DB, "batch").mockRejectedValueOnce(new Error("D1_ERROR: database is locked"));
    const failed = await push("turbopuffer", body);
    expect(failed.status).toBe(503);
    expect(((await failed.json()) as { error: { code: string } }).error.code).toBe(
      "storage_unavailable",
    );
    expect(
      await count(
        "SELECT count(*) AS n FROM logs WHERE json_extract(actor, '$.id') IN ('user_70000', 'user_70001')",
      ),
    ).toBe(0);
    const retried = await push("turbopuffer", body);
    expect(await retried.json()).toEqual({
      received: 2,
      inserted: 2,
      duplicates: 0,
      quarantined: 0,
    });
  });
});
