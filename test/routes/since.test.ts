import { beforeAll, describe, expect, it } from "vitest";
import { type Json, push, query, tpEvent } from "../helpers";

/** `since=<n><unit>`: a relative range ending now, on GET /v1/logs and the explore endpoints. */

const NOW = Date.now();
const AGO = [30 * 60_000, 3 * 3_600_000, 2 * 86_400_000, 40 * 86_400_000];
const SRC = "sourceID=tp-other&actor=since-test";

beforeAll(async () => {
  const events = AGO.map((ms, i) => {
    const e = tpEvent(91_000 + i, NOW - ms);
    e.actor = { type: "user", id: "since-test", name: `since${i}@acme.test` };
    return e;
  });
  const res = await push("tp-other", JSON.stringify(events), { token: "other-ingest-token" });
  expect(await res.json()).toMatchObject({ inserted: AGO.length });
});

async function json(path: string): Promise<Json> {
  const res = await query(path);
  const body = (await res.json()) as Json;
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body;
}

describe("since= on GET /v1/logs", () => {
  it("keeps the events of the last 1h, 24h, 7d, 30d", async () => {
    const n = async (since: string) =>
      ((await json(`/v1/logs?${SRC}&since=${since}`)).data as unknown[]).length;
    expect(await n("1h")).toBe(1);
    expect(await n("24h")).toBe(2);
    expect(await n("7d")).toBe(3);
    expect(await n("30d")).toBe(3);
    expect(await n("6w")).toBe(4);
    expect(await n("15m")).toBe(0);
  });

  it("streams the same range as NDJSON", async () => {
    const res = await query(`/v1/logs?${SRC}&since=24h`, { accept: "application/x-ndjson" });
    expect(res.status).toBe(200);
    expect((await res.text()).trim().split("\n")).toHaveLength(2);
  });

  it("rejects a malformed or too long range with 400 naming the parameter", async () => {
    for (const bad of ["1y", "h", "-1h", "0m", "400d", "1.5h"]) {
      const res = await query(`/v1/logs?since=${encodeURIComponent(bad)}`);
      expect(res.status, bad).toBe(400);
      expect(JSON.stringify(await res.json())).toContain("since");
    }
  });

  it("rejects since together with from or to", async () => {
    for (const extra of ["from=2026-01-01", "to=2026-01-01"]) {
      const res = await query(`/v1/logs?since=1h&${extra}`);
      expect(res.status, extra).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/since/);
    }
  });
});

describe("since= on the explore endpoints", () => {
  it("sets the histogram's range to now minus since", async () => {
    const h = await json(`/v1/logs/histogram?${SRC}&since=24h`);
    expect(h.total).toBe(2);
    expect(h.interval).toBe("hour");
    const from = Date.parse(h.from as string);
    expect(Math.abs(from - (NOW - 86_400_000))).toBeLessThan(60_000);
  });

  it("counts facets over the range only", async () => {
    const f = (await json(`/v1/logs/facets?${SRC}&since=1h`)) as {
      facets: Record<string, Array<{ value: string; count: number }>>;
    };
    expect(f.facets.actor).toEqual([{ value: "since0@acme.test", count: 1 }]);
  });
});

describe("GET /v1/logs/histogram?by=sourceID", () => {
  it("splits each bucket's count by source, the counts adding up", async () => {
    const e = tpEvent(92_000, NOW - 20 * 60_000);
    e.actor = { type: "user", id: "since-test", name: "split@acme.test" };
    const res = await push("turbopuffer", JSON.stringify([e]));
    expect(await res.json()).toMatchObject({ inserted: 1 });
    type H = {
      total: number;
      buckets: Array<{ count: number; bySource: Record<string, number> }>;
    };
    const h = (await json("/v1/logs/histogram?actor=since-test&since=1h&by=sourceID")) as H;
    expect(h.total).toBe(2);
    const split = h.buckets.filter((b) => b.count > 0);
    for (const b of h.buckets) {
      expect(Object.values(b.bySource).reduce((a, n) => a + n, 0)).toBe(b.count);
    }
    expect(split.flatMap((b) => Object.keys(b.bySource)).sort()).toEqual([
      "tp-other",
      "turbopuffer",
    ]);
    const plain = (await json("/v1/logs/histogram?actor=since-test&since=1h")) as H;
    expect(plain.buckets.every((b) => b.bySource === undefined)).toBe(true);
    expect((await query("/v1/logs/histogram?by=actor")).status).toBe(400);
  });
});
