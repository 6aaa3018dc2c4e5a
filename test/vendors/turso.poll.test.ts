import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { runDuePollers } from "../../src/transports/poll/scheduler";
import elixirMock from "../../src/vendors/turso/fixtures/elixir-sdk-mock-NOT-API.json";
import page1 from "../../src/vendors/turso/fixtures/page1.json";
import page2 from "../../src/vendors/turso/fixtures/page2.json";
import page2AfterNewEvent from "../../src/vendors/turso/fixtures/page2-after-new-event.json";
import page3PastEnd from "../../src/vendors/turso/fixtures/page3-past-end.json";
import { portsOf } from "../../src/wiring";
import { query } from "../helpers";
import { cursorOf, type Json } from "../poll-helpers";

afterEach(() => vi.restoreAllMocks());
beforeEach(async () => {
  await env.DB.batch([
    env.DB.prepare("DELETE FROM events WHERE sourceID = 'turso'"),
    env.DB.prepare("DELETE FROM cursors WHERE sourceID = 'turso'"),
  ]);
});

let clock = Date.UTC(2026, 10, 1);
const run = async () => {
  clock += 3_600_000;
  return (await runDuePollers(env, portsOf(env), clock)).find(
    (r) => r.sourceID === "turso",
  ) as Json;
};
const count = async () =>
  Number(
    await env.DB.prepare("SELECT count(*) AS n FROM logs WHERE sourceID = 'turso'").first("n"),
  );

/** Stubs fetch: `pages(n)` is the body Turso answers for page n (checked for the bearer token). */
function fakeTurso(pages: (page: number) => unknown) {
  const requests: number[] = [];
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.hostname !== "turso.test") return new Response("not this vendor", { status: 404 });
    if (new Headers(init?.headers).get("authorization") !== "Bearer turso-token") {
      return Response.json({ error: "unauthorized" }, { status: 401 });
    }
    const page = Number(url.searchParams.get("page"));
    requests.push(page);
    return Response.json(pages(page));
  });
  return requests;
}

/** A generated newest-first log of `n` entries with one-second timestamps (several per second). */
function entries(n: number, newest: number, perSecond = 3) {
  return Array.from({ length: n }, (_, i) => ({
    code: "db-create",
    message: "",
    origin: "cli",
    author: "marta-k",
    created_at: new Date(newest - Math.floor(i / perSecond) * 1000)
      .toISOString()
      .replace(".000Z", "Z"),
    data: { name: `db-${n - i}` },
  }));
}
const paged =
  (all: unknown[], size = 100) =>
  (page: number) => ({
    audit_logs: all.slice((page - 1) * size, page * size),
    pagination: {
      page,
      page_size: size,
      total_pages: Math.ceil(all.length / size),
      total_rows: all.length,
    },
  });

describe("Turso poller", () => {
  it("stores every event once when a new event shifts entries onto page 2 mid-walk", async () => {
    const requests = fakeTurso((p) =>
      p === 1 ? page1 : p === 2 ? page2AfterNewEvent : page3PastEnd,
    );
    expect(await run()).toMatchObject({
      status: "polled",
      inserted: 5,
      duplicates: 1,
      complete: true,
    });
    expect(requests).toEqual([1, 2]);
    expect(await count()).toBe(5);

    // Next run: the new event is at the head now.
    const fresh = {
      code: "group-delete",
      message: "",
      origin: "web",
      author: "iku",
      created_at: "2026-08-21T10:15:02Z",
      data: { name: "eu" },
    };
    const head = {
      ...page1,
      audit_logs: [fresh, ...page1.audit_logs.slice(0, 2)],
      pagination: { ...page1.pagination, total_rows: 6 },
    };
    vi.restoreAllMocks();
    fakeTurso((p) => (p === 1 ? head : page2AfterNewEvent));
    expect(await run()).toMatchObject({ status: "polled", inserted: 1, complete: true });
    expect(await count()).toBe(6);
  });

  it("maps an entry, with its optional geo fields", async () => {
    fakeTurso(() => page1);
    await run();
    const rows = (
      (await (await query("/v1/logs?sourceID=turso&eventName=db-create")).json()) as {
        data: Json[];
      }
    ).data;
    expect(rows[0]).toMatchObject({
      eventName: "db-create",
      eventTime: "2026-08-21T10:15:02.000Z",
      srcIP: "198.51.100.61",
      srcCity: "Lisbon",
      srcASCountryCode: "PT",
      srcLatitude: 38.7223,
      srcLongitude: -9.1393,
      actor: { username: "marta-k", name: "marta-k" },
      tags: { origin: "cli" },
      resources: ["name:tenant-4821", "group:default"],
    });
    expect(String(rows[0]?.eventID)).toMatch(/^[0-9a-f]{64}$/);
    const view = await env.DB.prepare("SELECT * FROM turso_audit_logs LIMIT 1").first<Json>();
    expect(Object.keys(view ?? {})).toHaveLength(36 + 11);
  });

  it("stops at a page past the end", async () => {
    const requests = fakeTurso((p) =>
      p === 1
        ? { ...page1, pagination: { ...page1.pagination, total_pages: 3 } }
        : p === 2
          ? { ...page2, pagination: { ...page2.pagination, total_pages: 3 } }
          : page3PastEnd,
    );
    expect(await run()).toMatchObject({ inserted: 5, complete: true });
    expect(requests).toEqual([1, 2, 3]);
  });

  it("keeps same-second events at the page boundary and across runs, each once", async () => {
    const newest = Date.UTC(2026, 8, 1, 12, 0, 0);
    let all = entries(250, newest, 4); // entries 99 and 100 share a second
    fakeTurso((p) => paged(all)(p));
    expect(await run()).toMatchObject({ inserted: 250, complete: true });
    // Three more events in the very second of the high-water mark.
    const [template] = entries(1, newest);
    if (!template) throw new Error("no entry");
    const same = [1, 2, 3].map((k) => ({ ...template, data: { name: `late-${k}` } }));
    all = [...same, ...all];
    const report = await run();
    expect(report).toMatchObject({ inserted: 3, complete: true });
    expect(await count()).toBe(253);
    expect(await cursorOf("turso")).toMatchObject({ highWaterTime: newest, windowNext: null });
  });

  it("re-reads the overlap window behind the high-water mark: entries a second apart, every page", async () => {
    const newest = Date.UTC(2026, 8, 2);
    const all = entries(300, newest, 1);
    let requests = fakeTurso((p) => paged(all)(p));
    await run();
    expect(requests).toEqual([1, 2, 3]);
    vi.restoreAllMocks();
    const more = [
      ...entries(5, newest + 10_000, 1).map((e, i) => ({ ...e, data: { name: `new-${i}` } })),
      ...all,
    ];
    requests = fakeTurso((p) => paged(more)(p));
    // All 300 stored entries are within 10 minutes of the newest: read again, kept once.
    expect(await run()).toMatchObject({ inserted: 5, duplicates: 300, complete: true });
    expect(requests).toEqual([1, 2, 3, 4]);
  });

  it("treats the Elixir SDK's mock shape as an error kept in quarantine, not as zero events", async () => {
    fakeTurso(() => elixirMock);
    expect(await run()).toMatchObject({ status: "error", kind: "malformed" });
    const q = await env.DB.prepare(
      "SELECT * FROM quarantine WHERE sourceID = 'turso' AND errorCode = 'malformed_page'",
    ).first<Json>();
    expect(JSON.parse(String(q?.raw))).toEqual(elixirMock);
    expect(await count()).toBe(0);
    expect(await cursorOf("turso")).toMatchObject({
      windowNext: null,
      highWaterTime: null,
      lastStatus: "malformed",
    });
  });

  it("explains a 403 (plan or organization) in source health", async () => {
    vi.spyOn(globalThis, "fetch").mockImplementation(async () =>
      Response.json({ error: "forbidden" }, { status: 403 }),
    );
    const report = await run();
    expect(report).toMatchObject({ status: "error", kind: "auth" });
    expect(String(report.error)).toContain("Scaler plan");
  });
});
