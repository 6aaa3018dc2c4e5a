import { beforeAll, describe, expect, it } from "vitest";
import { type Json, push, query, tpEvent } from "../helpers";

const T0 = Date.UTC(2026, 2, 10, 8); // 2026-03-10T08:00Z

async function json<T = Json>(path: string): Promise<T> {
  const res = await query(path);
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body as T;
}

beforeAll(async () => {
  // 90 events over 3 hours (one per 2 minutes) from 3 actors; every third an api-key action
  const events = Array.from({ length: 90 }, (_, i) => {
    const e = tpEvent(80_000 + i, T0 + i * 120_000);
    e.actor = { type: "user", id: `u${i % 3}`, name: `person${i % 3}@acme.test` };
    if (i % 3 === 0) e.action = "api-key-created";
    if (i === 7) e.metadata = { session_id: "needle_50% off" };
    if (i === 8) e.metadata = { session_id: `long-${"0123456789".repeat(8)}-Needle` };
    return e;
  });
  const res = await push("tp-other", JSON.stringify(events), { token: "other-ingest-token" });
  expect(await res.json()).toMatchObject({ inserted: 90 });
});

const SRC = "sourceID=tp-other";

describe("GET /v1/logs/histogram", () => {
  it("counts per minute, hour or day by the range, every bucket present", async () => {
    type H = {
      interval: string;
      total: number;
      buckets: Array<{ start: string; end: string; count: number }>;
    };
    const hours = await json<H>(
      `/v1/logs/histogram?${SRC}&from=2026-03-10T00:00:00Z&to=2026-03-11T00:00:00Z`,
    );
    expect(hours.interval).toBe("hour");
    expect(hours.buckets).toHaveLength(24);
    expect(hours.buckets.filter((b) => b.count > 0).map((b) => [b.start, b.count])).toEqual([
      ["2026-03-10T08:00:00.000Z", 30],
      ["2026-03-10T09:00:00.000Z", 30],
      ["2026-03-10T10:00:00.000Z", 30],
    ]);
    expect(hours.total).toBe(90);
    const minutes = await json<H>(
      `/v1/logs/histogram?${SRC}&from=2026-03-10T09:00:00Z&to=2026-03-10T09:10:00Z`,
    );
    expect(minutes.interval).toBe("minute");
    expect(minutes.buckets.map((b) => b.count)).toEqual([1, 0, 1, 0, 1, 0, 1, 0, 1, 0]);
    expect(minutes.buckets[0]?.end).toBe("2026-03-10T09:01:00.000Z");
    const days = await json<H>(`/v1/logs/histogram?${SRC}&from=2026-02-01&to=2026-03-20`);
    expect(days.interval).toBe("day");
    expect(days.total).toBe(90);
    const all = await json<H>(`/v1/logs/histogram?${SRC}`);
    expect(all.total).toBe(90);
    expect(all.interval).toBe("minute");
  });

  it("counts every source under a time range alone, split by source (read from the index)", async () => {
    const extra = [0, 1, 2, 3].map((i) => tpEvent(90_000 + i, T0 + 10_000 * (i + 1)));
    const res = await push("turbopuffer", JSON.stringify(extra));
    expect(await res.json()).toMatchObject({ inserted: 4 });
    type H = { total: number; buckets: Array<{ count: number; bySource: Record<string, number> }> };
    const h = await json<H>(
      "/v1/logs/histogram?from=2026-03-10T08:00:00Z&to=2026-03-10T09:00:00Z&by=sourceID",
    );
    expect(h.total).toBe(34);
    expect(h.buckets).toHaveLength(60);
    expect(h.buckets[0]).toMatchObject({ count: 5, bySource: { "tp-other": 1, turbopuffer: 4 } });
    expect(h.buckets[2]).toMatchObject({ count: 1, bySource: { "tp-other": 1 } });
    expect(h.buckets[1]).toMatchObject({ count: 0, bySource: {} });
  });

  it("applies the same filter as the rows: free text, exclusions", async () => {
    type H = { total: number };
    expect((await json<H>(`/v1/logs/histogram?${SRC}&eventName=api-key-created`)).total).toBe(30);
    expect(
      (await json<H>(`/v1/logs/histogram?${SRC}&exclude=eventName:api-key-created`)).total,
    ).toBe(60);
    expect((await json<H>(`/v1/logs/histogram?${SRC}&q=PERSON1%40ACME`)).total).toBe(30);
  });
});

describe("GET /v1/logs/facets", () => {
  type F = { facets: Record<string, Array<{ value: string; count: number }>> };
  it("gives the top values of six fields under the filter", async () => {
    const { facets } = await json<F>(`/v1/logs/facets?${SRC}`);
    expect(Object.keys(facets)).toEqual([
      "sourceType",
      "eventName",
      "actor",
      "srcIP",
      "srcASOrganization",
      "srcASCountryCode",
    ]);
    expect(facets.sourceType).toEqual([{ value: "turbopuffer", count: 90 }]);
    expect(facets.eventName).toEqual([
      { value: "session-created", count: 60 },
      { value: "api-key-created", count: 30 },
    ]);
    expect(facets.actor?.map((a) => a.count)).toEqual([30, 30, 30]);
    expect(facets.actor?.[0]?.value).toMatch(/^person\d@acme\.test$/);
    expect(facets.srcIP).toEqual([{ value: "203.0.113.7", count: 90 }]);
    const excluded = await json<F>(`/v1/logs/facets?${SRC}&exclude=actor:person0%40acme.test`);
    expect(excluded.facets.actor?.map((a) => a.value).sort()).toEqual([
      "person1@acme.test",
      "person2@acme.test",
    ]);
  });
});

describe("free text and exclusions on GET /v1/logs", () => {
  it("finds a substring of rawLog, with LIKE's own characters taken literally", async () => {
    const res = await json<{ data: Json[] }>(
      `/v1/logs?${SRC}&q=${encodeURIComponent("needle_50%")}`,
    );
    expect(res.data).toHaveLength(1);
    const none = await json<{ data: Json[] }>(
      `/v1/logs?${SRC}&q=${encodeURIComponent("needle_5_%")}`,
    );
    expect(none.data).toHaveLength(0);
  });

  it("finds a needle longer than SQLite's LIKE pattern limit (50 bytes), in any case", async () => {
    const long = `LONG-${"0123456789".repeat(8)}-needle`;
    const res = await json<{ data: Json[] }>(`/v1/logs?${SRC}&q=${encodeURIComponent(long)}`);
    expect(res.data).toHaveLength(1);
    const other = `long-${"0123456789".repeat(8)}-needles`;
    const none = await json<{ data: Json[] }>(`/v1/logs?${SRC}&q=${encodeURIComponent(other)}`);
    expect(none.data).toHaveLength(0);
    const h = await json<{ total: number }>(
      `/v1/logs/histogram?${SRC}&q=${encodeURIComponent(long)}`,
    );
    expect(h.total).toBe(1);
    // the longest needles a LIKE takes (48 and 49 characters: a pattern of 50 and 51 bytes)
    for (const n of [48, 49]) {
      const cut = long.slice(0, n).toUpperCase();
      expect((await json<{ data: Json[] }>(`/v1/logs?${SRC}&q=${cut}`)).data).toHaveLength(1);
    }
  });

  it("refuses an exclusion on an unknown field, naming the fields", async () => {
    const res = await query(`/v1/logs?exclude=rawLog:x`);
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toMatch(/exclude.*sourceType, sourceID/);
  });
});
