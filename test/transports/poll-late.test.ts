import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { runDuePollers } from "../../src/transports/poll/scheduler";
import { portsOf } from "../../src/wiring";
import { query } from "../helpers";
import { type FakeApi, fakePlanetScale, type Json, psEvent, psRows } from "../poll-helpers";

/**
 * Late events (issue 22 item 1): a vendor may list an event after the walk that should have read
 * it, or date it before the high-water mark. Every poller re-reads an overlap window behind its
 * high-water mark (`overlapSeconds`, default 600), so neither is lost; dedup makes it free.
 */

afterEach(() => vi.restoreAllMocks());
beforeEach(async () => {
  await env.DB.batch(
    ["events", "cursors", "source_stats"].flatMap((t) => [
      env.DB.prepare(`DELETE FROM ${t} WHERE sourceID IN ('ps', 'turso')`),
    ]),
  );
});

let clock = Date.UTC(2026, 10, 1);
const report = async (sourceID: string) => {
  clock += 3_600_000;
  return (await runDuePollers(env, portsOf(env), clock)).find(
    (r) => r.sourceID === sourceID,
  ) as Json;
};

describe("PlanetScale: late and backdated events inside the overlap window", () => {
  const t = Date.UTC(2026, 7, 1, 12);
  const ev = (name: string, at: number) => ({ ...psEvent(0, at), id: `ev${name}` });

  it("stores C, committed late behind the high-water event, and E, backdated ahead of it", async () => {
    const [A, B, C] = [ev("a", t - 10_000), ev("b", t - 20_000), ev("c", t - 15_000)];
    const api: FakeApi = { requests: [], events: [A, B] };
    fakePlanetScale(api);
    expect(await report("ps")).toMatchObject({ status: "polled", inserted: 2 });

    api.events = [A, C, B];
    expect(await report("ps")).toMatchObject({
      status: "polled",
      inserted: 1,
      duplicates: 2,
      complete: true,
    });
    expect(await psRows()).toEqual(["eva", "evb", "evc"]);

    const [D, E] = [ev("d", t + 5_000), ev("e", t - 30_000)];
    api.events = [D, E, A, C, B];
    expect(await report("ps")).toMatchObject({ status: "polled", inserted: 2, complete: true });
    expect(await psRows()).toEqual(["eva", "evb", "evc", "evd", "eve"]);
    // Read again is counted, never stored twice: 2 + 3 + 5 received = 5 inserted + 5 duplicates.
    const res = await query("/v1/sources");
    const ps = ((await res.json()) as { data: Json[] }).data.find((s) => s.id === "ps") as Json;
    expect(ps.counts).toMatchObject({ received: 10, inserted: 5, duplicates: 5, quarantined: 0 });
  });

  it("cuts at the first event older than the window: one request, the older ones not re-read", async () => {
    const old = Array.from({ length: 60 }, (_, i) => ev(`o${i}`, t - i * 60_000));
    const api: FakeApi = { requests: [], events: old };
    fakePlanetScale(api);
    await report("ps");
    api.requests = [];
    api.events = [ev("n", t + 1000), ...old];
    // The window is t − 600 s .. t: o0 … o10 (11 events) are re-read, o11 and older are cut.
    expect(await report("ps")).toMatchObject({ inserted: 1, duplicates: 11, requests: 1 });
    expect(api.requests).toHaveLength(1);
  });
});

/** Turso entries, newest first, one every `gapMs`, named by their position. */
function tursoEntries(n: number, newest: number, gapMs: number): Json[] {
  return Array.from({ length: n }, (_, i) => ({
    code: "db-create",
    message: "",
    origin: "cli",
    author: "marta-k",
    created_at: new Date(newest - i * gapMs).toISOString().replace(".000Z", "Z"),
    data: { name: `db-${i}` },
  }));
}

function fakeTurso(all: () => Json[]) {
  const requests: number[] = [];
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.hostname !== "turso.test") return new Response("not this vendor", { status: 404 });
    const page = Number(url.searchParams.get("page"));
    requests.push(page);
    const list = all();
    return Response.json({
      audit_logs: list.slice((page - 1) * 100, page * 100),
      pagination: { page, page_size: 100, total_pages: Math.ceil(list.length / 100) },
    });
  });
  return requests;
}

describe("Turso: a late entry deeper than the first pages", () => {
  it("stores an entry committed late that lands on page 3, within the window", async () => {
    const newest = Date.UTC(2026, 8, 2);
    let all = tursoEntries(300, newest, 1000);
    fakeTurso(() => all);
    expect(await report("turso")).toMatchObject({ inserted: 300, complete: true });
    const late = {
      ...tursoEntries(1, newest - 250_500, 1000)[0],
      code: "db-delete",
      data: { name: "late" },
    };
    all = [...all.slice(0, 251), late, ...all.slice(251)];
    expect(await report("turso")).toMatchObject({ status: "polled", inserted: 1, complete: true });
    const n = await env.DB.prepare(
      "SELECT count(*) AS n FROM logs WHERE sourceID = 'turso' AND eventName = 'db-delete'",
    ).first("n");
    expect(n).toBe(1);
  });

  it("ends at the page that reaches past the window (entries a minute apart: page 1 only)", async () => {
    const newest = Date.UTC(2026, 8, 3);
    let all = tursoEntries(300, newest, 60_000);
    let requests = fakeTurso(() => all);
    await report("turso");
    expect(requests).toEqual([1, 2, 3]);
    vi.restoreAllMocks();
    all = [{ ...tursoEntries(1, newest + 5000, 1)[0], data: { name: "new" } } as Json, ...all];
    requests = fakeTurso(() => all);
    expect(await report("turso")).toMatchObject({ inserted: 1, duplicates: 11, complete: true });
    expect(requests).toEqual([1]);
  });
});
