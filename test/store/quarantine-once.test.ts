import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { runDuePollers } from "../../src/transports/poll/scheduler";
import { portsOf } from "../../src/wiring";
import { count, type Json, keptRecords, push, tpEvent } from "../helpers";
import { type FakeApi, fakePlanetScale, psEvent, T0 } from "../poll-helpers";

/**
 * A bad record seen again is kept once and counted once, on every transport: quarantine keys each
 * record by source + hash of its raw text, and a record already kept counts as a duplicate, so
 * received = inserted + duplicates + quarantined holds and `quarantined` counts distinct records.
 */

afterEach(() => vi.restoreAllMocks());

type Stats = { received: number; inserted: number; duplicates: number; quarantined: number };

async function stats(sourceID: string): Promise<Stats> {
  const row = await env.DB.prepare(
    "SELECT received, inserted, duplicates, quarantined FROM source_stats WHERE sourceID = ?",
  )
    .bind(sourceID)
    .first<Stats>();
  return row ?? { received: 0, inserted: 0, duplicates: 0, quarantined: 0 };
}

const delta = (after: Stats, before: Stats): Stats => ({
  received: after.received - before.received,
  inserted: after.inserted - before.inserted,
  duplicates: after.duplicates - before.duplicates,
  quarantined: after.quarantined - before.quarantined,
});

const entries = (sourceID: string) =>
  count("SELECT count(*) AS n FROM quarantine WHERE sourceID = ?", sourceID);

describe("a quarantined record seen again is kept once and counted once", () => {
  it("push: the same unparseable body twice is one entry, the second a duplicate", async () => {
    const before = await stats("tp-other");
    const entriesBefore = await entries("tp-other");
    const body = '{"action": "session-created", "occurred_at": ';
    for (let i = 0; i < 2; i++) {
      const res = await push("tp-other", body, { token: "other-ingest-token" });
      expect(res.status).toBe(400);
    }
    expect(await entries("tp-other")).toBe(entriesBefore + 1);
    expect(delta(await stats("tp-other"), before)).toEqual({
      received: 2,
      inserted: 0,
      duplicates: 1,
      quarantined: 1,
    });
  });

  it("push: the same body with bad records twice keeps them once; a new bad one joins", async () => {
    const before = await stats("tp-other");
    const entriesBefore = await entries("tp-other");
    const bad = (i: number) => JSON.stringify({ ...tpEvent(900_000 + i), occurred_at: "never" });
    const body = [JSON.stringify(tpEvent(900_100)), bad(1), bad(2), bad(3)].join("\n");
    const ndjson = {
      token: "other-ingest-token",
      headers: { "content-type": "application/x-ndjson" },
    };
    expect(await (await push("tp-other", body, ndjson)).json()).toEqual({
      received: 4,
      inserted: 1,
      duplicates: 0,
      quarantined: 3,
    });
    expect(await (await push("tp-other", body, ndjson)).json()).toEqual({
      received: 4,
      inserted: 0,
      duplicates: 4,
      quarantined: 0,
    });
    // Two of the same bad records, one new: only the new one is kept (and counted).
    const mixed = [bad(2), bad(4), bad(1)].join("\n");
    expect(await (await push("tp-other", mixed, ndjson)).json()).toEqual({
      received: 3,
      inserted: 0,
      duplicates: 2,
      quarantined: 1,
    });
    expect(await entries("tp-other")).toBe(entriesBefore + 2);
    const kept = (await keptRecords("sourceID = 'tp-other'")).filter((r) =>
      r.raw.includes("user_90000"),
    );
    expect(kept.map((r) => JSON.parse(r.raw).actor.id).sort()).toEqual([
      "user_900001",
      "user_900002",
      "user_900003",
      "user_900004",
    ]);
    expect(delta(await stats("tp-other"), before)).toEqual({
      received: 11,
      inserted: 1,
      duplicates: 6,
      quarantined: 4,
    });
  });

  it("push: a body of 6,000 bad lines twice: kept once (5,000 keyed one by one, the rest as one block)", async () => {
    const before = await stats("tp-other");
    const entriesBefore = await entries("tp-other");
    const body = [
      JSON.stringify(tpEvent(910_000)),
      ...Array.from({ length: 6000 }, (_, i) => `bad-block-${i}`),
    ].join("\n");
    const ndjson = {
      token: "other-ingest-token",
      headers: { "content-type": "application/x-ndjson" },
    };
    expect(await (await push("tp-other", body, ndjson)).json()).toEqual({
      received: 6001,
      inserted: 1,
      duplicates: 0,
      quarantined: 6000,
    });
    expect(await (await push("tp-other", body, ndjson)).json()).toEqual({
      received: 6001,
      inserted: 0,
      duplicates: 6001,
      quarantined: 0,
    });
    // Two entries from the first push (the keyed records, the block), none from the second.
    expect(await entries("tp-other")).toBe(entriesBefore + 2);
    expect(delta(await stats("tp-other"), before)).toEqual({
      received: 12_002,
      inserted: 1,
      duplicates: 6001,
      quarantined: 6000,
    });
  });

  it("push: a commit retried because another isolate changed the rules keeps its 100 KB of bad records (stored gzipped) and answers 200", async () => {
    await push("turbopuffer", JSON.stringify([tpEvent(9_001)])); // this isolate loads the rules
    // another isolate changes them: this one's cache is stale, so its next commit is retried
    await env.DB.prepare(
      "INSERT INTO rule_states (id, enabled, updatedAt) VALUES ('changed-elsewhere', 1, ?1)",
    )
      .bind(Date.now())
      .run();
    const before = await stats("turbopuffer");
    const bad = Array.from(
      { length: 200 },
      (_, i) => `{"broken": ${i}, "pad": "${"x".repeat(500)}"`,
    );
    const res = await push("turbopuffer", [JSON.stringify(tpEvent(9_002)), ...bad].join("\n"), {
      headers: { "content-type": "application/x-ndjson" },
    });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(delta(await stats("turbopuffer"), before)).toEqual({
      received: 201,
      inserted: 1,
      duplicates: 0,
      quarantined: 200,
    });
    const kept = await keptRecords("sourceID = ? AND rawEncoding = 'records+gzip'", "turbopuffer");
    expect(kept.filter((r) => r.raw.startsWith('{"broken": ')).length).toBe(200);
  });

  it("poll: three PlanetScale records without an id, polled three times, are three records kept once", async () => {
    const before = await stats("ps");
    const entriesBefore = await entries("ps");
    const events = Array.from({ length: 5 }, (_, k) => psEvent(4 - k, T0 + (4 - k) * 1000));
    for (const i of [1, 2, 3]) delete (events[i] as Json).id;
    const api: FakeApi = { requests: [], events };
    fakePlanetScale(api);
    for (let poll = 0; poll < 3; poll++) {
      const now = Date.UTC(2026, 10, 1) + poll * 3_600_000;
      const [report] = (await runDuePollers(env, portsOf(env), now)).filter(
        (r) => r.sourceID === "ps",
      );
      expect(report?.status, `poll ${poll}`).toBe("polled");
    }
    expect(api.requests.length).toBeGreaterThanOrEqual(3);
    const after = delta(await stats("ps"), before);
    expect(after.quarantined).toBe(3);
    expect(after.inserted).toBe(2);
    expect(after.received).toBe(after.inserted + after.duplicates + after.quarantined);
    expect(await entries("ps")).toBe(entriesBefore + 1);
    const kept = await keptRecords("sourceID = 'ps'");
    expect(kept.filter((r) => !("id" in JSON.parse(r.raw)))).toHaveLength(3);
  });
});
