import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { runDuePollers } from "../../src/transports/poll/scheduler";
import { portsOf } from "../../src/wiring";
import { keptRecords, query } from "../helpers";
import {
  cursorOf,
  type FakeApi,
  fakePlanetScale,
  type Json,
  psEvent,
  psRows,
  T0,
} from "../poll-helpers";

afterEach(() => vi.restoreAllMocks());

/** `n` events newest first, numbered from `from`, one every `gapMs`. */
const events = (n: number, from = 0, gapMs = 1000) =>
  Array.from({ length: n }, (_, k) => psEvent(from + n - 1 - k, T0 + (from + n - 1 - k) * gapMs));
let clock = Date.UTC(2026, 10, 1);
const tick = (minutes = 2) => (clock += minutes * 60_000);

async function reset() {
  await env.DB.batch([
    env.DB.prepare("DELETE FROM events WHERE sourceID = 'ps'"),
    env.DB.prepare("DELETE FROM cursors WHERE sourceID = 'ps'"),
    env.DB.prepare("DELETE FROM source_stats WHERE sourceID = 'ps'"),
  ]);
}
beforeEach(reset);

const run = (maxPages?: number) => runDuePollers(env, portsOf(env), tick(), { maxPages });
const psReport = (reports: Awaited<ReturnType<typeof runDuePollers>>) =>
  reports.find((r) => r.sourceID === "ps") as Json;

describe("PlanetScale poller", () => {
  it("backfills 250 events across 3 pages: 250 rows, requests = pages needed + 1", async () => {
    const api: FakeApi = { requests: [], events: events(250) };
    fakePlanetScale(api);
    const report = psReport(await run());
    expect(report).toMatchObject({ status: "polled", inserted: 250, complete: true });
    expect(await psRows()).toHaveLength(250);
    expect(api.requests).toEqual([
      "/v1/organizations/acme/audit-log?limit=100",
      "/v1/organizations/acme/audit-log?limit=100&starting_after=ev0000000150",
      "/v1/organizations/acme/audit-log?limit=100&starting_after=ev0000000050",
      "/v1/organizations/acme/audit-log?limit=100&starting_after=ev0000000000",
    ]);
    expect(await cursorOf("ps")).toMatchObject({
      highWaterId: "ev0000000249",
      windowNext: null,
      requests: 4,
      failures: 0,
    });
  });

  it("an event nested deeper than 64 levels is quarantined alone; the walk completes", async () => {
    const api: FakeApi = { requests: [], events: events(5) };
    let deep: unknown = {};
    for (let i = 0; i < 2000; i++) deep = { d: deep };
    (api.events[2] as Record<string, unknown>).metadata = deep;
    fakePlanetScale(api);
    const report = psReport(await run());
    expect(report).toMatchObject({ status: "polled", inserted: 4, quarantined: 1, complete: true });
    const kept = await keptRecords("sourceID = 'ps'");
    expect(kept.map((r) => r.errorCode)).toEqual(["nesting_too_deep"]);
  });

  it("maps every field of an event", async () => {
    const api: FakeApi = { requests: [], events: events(1) };
    fakePlanetScale(api);
    await run();
    const res = await query("/v1/logs?sourceID=ps");
    const [row] = ((await res.json()) as { data: Json[] }).data;
    expect(row).toMatchObject({
      eventID: "ev0000000000",
      eventName: "database.branch.created",
      eventTime: new Date(T0).toISOString(),
      srcIP: "192.0.2.140",
      srcCity: "Chicago, IL",
      serviceName: "planetscale",
      actor: { id: "f2h6n0c4xv7m", type: "User", name: "Tomás Alvarez" },
      resources: ["Database:d4t4b4s3x1y2", "DatabaseBranch:br0"],
      tags: { from: "main" },
    });
    expect(Object.keys((row as Json).sourceFields as Json)).toHaveLength(16);
    const view = await env.DB.prepare(
      "SELECT * FROM planetscale_logs WHERE psId = 'ev0000000000'",
    ).first<Json>();
    expect(Object.keys(view ?? {})).toHaveLength(52);
  });

  it("fetches one page and stores exactly the 7 new events on the next run", async () => {
    // A minute apart: the 10-minute overlap re-reads 11 stored events (counted as duplicates).
    const api: FakeApi = { requests: [], events: events(250, 0, 60_000) };
    fakePlanetScale(api);
    await run();
    api.events = [...events(7, 250, 60_000), ...api.events];
    api.requests = [];
    const report = psReport(await run());
    expect(report).toMatchObject({
      status: "polled",
      inserted: 7,
      duplicates: 11,
      complete: true,
      requests: 1,
    });
    expect(api.requests).toHaveLength(1);
    expect(await psRows()).toHaveLength(257);
    expect(await cursorOf("ps")).toMatchObject({ highWaterId: "ev0000000256" });
  });

  it("resumes a backfill that crashed after page 2 and ends with every event once", async () => {
    const api: FakeApi = { requests: [], events: events(500) };
    fakePlanetScale(api, (n) => (n === 3 ? new Error("connection reset") : undefined));
    const first = psReport(await run());
    expect(first).toMatchObject({ status: "error", kind: "network" });
    expect(await psRows()).toHaveLength(200);
    expect(await cursorOf("ps")).toMatchObject({
      windowNext: "ev0000000300",
      highWaterId: null,
      failures: 1,
    });
    vi.restoreAllMocks();
    fakePlanetScale(api);
    api.requests = [];
    const second = psReport(await runDuePollers(env, portsOf(env), tick(60)));
    expect(second).toMatchObject({
      status: "polled",
      inserted: 300,
      duplicates: 0,
      complete: true,
    });
    expect(api.requests[0]).toContain("starting_after=ev0000000300");
    expect(new Set(await psRows()).size).toBe(500);
    expect(await psRows()).toHaveLength(500);
  });

  it("spreads a long backfill over runs by its page budget, without re-walking", async () => {
    const api: FakeApi = { requests: [], events: events(450) };
    fakePlanetScale(api);
    expect(psReport(await run(2))).toMatchObject({ inserted: 200, complete: false });
    expect(psReport(await run(2))).toMatchObject({ inserted: 200, complete: false });
    expect(psReport(await run(2))).toMatchObject({ inserted: 50, duplicates: 0, complete: true });
    expect(api.requests).toHaveLength(6);
  });

  it("lets only one of two overlapping runs poll (lease)", async () => {
    const api: FakeApi = { requests: [], events: events(30) };
    fakePlanetScale(api);
    const now = tick();
    const [a, b] = await Promise.all([
      runDuePollers(env, portsOf(env), now, { owner: "run-a" }),
      runDuePollers(env, portsOf(env), now, { owner: "run-b" }),
    ]);
    const statuses = [psReport(a).status, psReport(b).status].sort();
    expect(statuses).toEqual(["leased", "polled"]);
    expect(await psRows()).toHaveLength(30);
    expect(api.requests).toHaveLength(2);
  });

  it("honours 429 Retry-After as the next due time", async () => {
    const api: FakeApi = { requests: [], events: events(5) };
    fakePlanetScale(
      api,
      () => new Response("slow down", { status: 429, headers: { "retry-after": "120" } }),
    );
    const now = tick();
    const report = psReport(await runDuePollers(env, portsOf(env), now));
    expect(report).toMatchObject({
      status: "error",
      kind: "rate_limited",
      nextDueAt: now + 120_000,
    });
    expect(psReport(await runDuePollers(env, portsOf(env), now + 60_000)).status).toBe("not_due");
    expect(api.requests).toHaveLength(1);
  });

  it("reports 401 in words a user can act on, backs off, and stores nothing", async () => {
    const api: FakeApi = { requests: [], events: events(5) };
    fakePlanetScale(api, () =>
      Response.json({ code: "unauthorized", message: "invalid token" }, { status: 401 }),
    );
    const now = tick();
    const report = psReport(await runDuePollers(env, portsOf(env), now));
    expect(report).toMatchObject({ status: "error", kind: "auth" });
    expect(String(report.error)).toContain("PS_TOKEN");
    expect(Number(report.nextDueAt) - now).toBeGreaterThanOrEqual(150_000);
    const sources = ((await (await query("/v1/sources")).json()) as { data: Json[] }).data;
    const ps = sources.find((s) => s.id === "ps") as Json;
    expect(String((ps.lastError as Json).message)).toContain("rejected the service token");
    expect(ps.cursor).toMatchObject({ lastStatus: "auth", failures: 1 });
    expect(await psRows()).toHaveLength(0);
  });

  it("backs off exponentially on 500s", async () => {
    const api: FakeApi = { requests: [], events: events(5) };
    fakePlanetScale(api, () => new Response("oops", { status: 500 }));
    const delays: number[] = [];
    for (let i = 0; i < 3; i++) {
      const state = await cursorOf("ps");
      const now = Math.max(tick(), Number(state?.nextDueAt ?? 0));
      const report = psReport(await runDuePollers(env, portsOf(env), now));
      expect(report).toMatchObject({ status: "error", kind: "server" });
      delays.push(Number(report.nextDueAt) - now);
    }
    expect(delays[0]).toBeGreaterThanOrEqual(30_000);
    expect(delays[2]).toBeGreaterThan(delays[0] as number);
    expect(api.requests).toHaveLength(3);
  });

  it("keeps a malformed page in quarantine and does not move the cursor", async () => {
    const api: FakeApi = { requests: [], events: events(5) };
    fakePlanetScale(api, () => new Response('{"type":"list","items":"nope"}', { status: 200 }));
    const report = psReport(await run());
    expect(report).toMatchObject({ status: "error", kind: "malformed" });
    const q = await env.DB.prepare(
      "SELECT * FROM quarantine WHERE sourceID = 'ps' AND errorCode = 'malformed_page'",
    ).first<Json>();
    expect(q?.raw).toBe('{"type":"list","items":"nope"}');
    expect(await cursorOf("ps")).toMatchObject({ windowNext: null, highWaterId: null });
  });
});
