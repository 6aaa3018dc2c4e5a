import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { parseSources } from "../../src/config";
import { runDuePollers } from "../../src/transports/poll/scheduler";
import page1 from "../../src/vendors/turso/fixtures/page1.json";
import { portsOf } from "../../src/wiring";
import { query } from "../helpers";
import { cursorOf, type Json, psEvent } from "../poll-helpers";

/**
 * The poll walker's guards (issue 22 items 2 and 3): a cursor that repeats or cycles, pages that
 * bring nothing new while the vendor says there is more, and vendor calls that hang or answer
 * too much. Each ends the run with a failing health and a lastError saying what happened.
 */

afterEach(() => vi.restoreAllMocks());
beforeEach(async () => {
  await env.DB.batch(
    ["events", "cursors", "source_stats"].map((t) =>
      env.DB.prepare(`DELETE FROM ${t} WHERE sourceID IN ('ps', 'turso')`),
    ),
  );
});

let clock = Date.UTC(2026, 11, 1);
type Opts = Parameters<typeof runDuePollers>[3];
const run = async (sourceID: string, opts?: Opts) => {
  clock += 3_600_000;
  return (await runDuePollers(env, portsOf(env), clock, opts)).find(
    (r) => r.sourceID === sourceID,
  ) as Json;
};
const sourceHealth = async (id: string) => {
  const sources = ((await (await query("/v1/sources")).json()) as { data: Json[] }).data;
  return sources.find((s) => s.id === id) as Json;
};

/** PlanetScale answering `pageFor(starting_after)`: its events and its cursor_end. */
function psPages(pageFor: (after: string | null) => { ids: string[]; end: string }) {
  const requests: Array<string | null> = [];
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.hostname !== "ps.test") return new Response("not this vendor", { status: 404 });
    const after = url.searchParams.get("starting_after");
    requests.push(after);
    const { ids, end } = pageFor(after);
    const data = ids.map((id, i) => ({ ...psEvent(i, clock - 60_000 * i), id }));
    return Response.json({ type: "list", has_next: true, cursor_end: end, data });
  });
  return requests;
}

describe("cursor loops", () => {
  it("stops a PlanetScale walk whose next cursor is always the same token", async () => {
    let n = 0;
    const requests = psPages(() => ({ ids: [`evpage${n++}`], end: "evsame" }));
    const report = await run("ps");
    expect(report).toMatchObject({ status: "error", kind: "cursor_loop" });
    expect(String(report.error)).toContain('PlanetScale returned the cursor "evsame" twice');
    expect(requests).toEqual([null, "evsame"]);
    const ps = await sourceHealth("ps");
    expect(ps.health).toBe("failing");
    expect(String((ps.lastError as Json).message)).toContain("twice in one walk");
    // The next run starts again at the head, not at the looping token.
    expect(await cursorOf("ps")).toMatchObject({ windowNext: null, leaseOwner: null });
  });

  it("detects A → B → A across runs (the walk's tokens are kept with the cursor)", async () => {
    const pages: Record<string, { ids: string[]; end: string }> = {
      head: { ids: ["ev1"], end: "eva" },
      eva: { ids: ["ev2"], end: "evb" },
      evb: { ids: ["ev3"], end: "eva" },
    };
    const requests = psPages((after) => pages[after ?? "head"] as { ids: string[]; end: string });
    expect(await run("ps", { maxPages: 1 })).toMatchObject({ status: "polled", complete: false });
    expect(await run("ps", { maxPages: 1 })).toMatchObject({ status: "polled", complete: false });
    const third = await run("ps", { maxPages: 1 });
    expect(third).toMatchObject({ status: "error", kind: "cursor_loop" });
    expect(String(third.error)).toContain('"eva" twice');
    expect(requests).toEqual([null, "eva", "evb"]);
    expect((await sourceHealth("ps")).health).toBe("failing");
  });

  it("stops a Turso walk whose pages bring nothing new while it says there are more", async () => {
    const requests: number[] = [];
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      if (url.hostname !== "turso.test") return new Response("no", { status: 404 });
      requests.push(Number(url.searchParams.get("page")));
      // An API that ignores `page`: page 1 again, forever, 1,000 pages announced.
      return Response.json({ ...page1, pagination: { ...page1.pagination, total_pages: 1000 } });
    });
    const report = await run("turso");
    expect(report).toMatchObject({ status: "error", kind: "cursor_loop" });
    expect(String(report.error)).toContain(
      "Turso answered page 2 with only entries already read in this walk",
    );
    expect(requests).toEqual([1, 2]);
    expect((await sourceHealth("turso")).health).toBe("failing");
  });
});

/** fetch that never answers, as a stuck API; it gives up when the caller aborts. */
function hangingFetch() {
  return vi.spyOn(globalThis, "fetch").mockImplementation(
    (_input, init) =>
      new Promise<Response>((_, reject) => {
        init?.signal?.addEventListener("abort", () =>
          reject(new DOMException("The operation was aborted", "AbortError")),
        );
      }),
  );
}

describe("vendor calls are bounded", () => {
  it("a page that never comes ends the run as `timeout`, with the lease released", async () => {
    hangingFetch();
    const report = await run("ps", { limits: { timeoutMs: 100, maxBytes: 1 << 20 } });
    expect(report).toMatchObject({ status: "error", kind: "timeout" });
    expect(String(report.error)).toContain("did not answer within 0.1 s");
    expect(await cursorOf("ps")).toMatchObject({
      leaseOwner: null,
      lastStatus: "timeout",
      failures: 1,
    });
    const ps = await sourceHealth("ps");
    expect(ps.health).toBe("failing");
    expect(String((ps.lastError as Json).message)).toMatch(/^timeout: /);
  }, 10_000);

  it("a page over the 16 MiB cap is refused while streaming (`too_large`), never buffered whole", async () => {
    const chunk = new Uint8Array(1024 * 1024).fill(0x20);
    let sent = 0;
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input) => {
      if (!String(input).startsWith("https://ps.test/")) return new Response("no", { status: 404 });
      const body = new ReadableStream<Uint8Array>({
        pull(c) {
          if (sent >= 40) return c.close();
          sent++;
          c.enqueue(chunk);
        },
      });
      return new Response(body, { headers: { "content-type": "application/json" } });
    });
    const report = await run("ps");
    expect(report).toMatchObject({ status: "error", kind: "too_large" });
    expect(String(report.error)).toContain(`more than ${16 * 1024 * 1024} bytes`);
    expect(sent).toBeLessThan(20);
    expect(await cursorOf("ps")).toMatchObject({ leaseOwner: null, lastStatus: "too_large" });
  });
});

describe("overlapSeconds", () => {
  const ps = { id: "ps", type: "planetscale", organization: "acme", tokenEnv: "PS_TOKEN" };
  it("defaults to 600 for both pollers; a bad value fails naming the field", () => {
    const [a, b] = parseSources([ps, { ...ps, id: "t", type: "turso" }]);
    expect(a).toMatchObject({ overlapSeconds: 600 });
    expect(b).toMatchObject({ overlapSeconds: 600 });
    expect(() => parseSources([{ ...ps, overlapSeconds: -1 }])).toThrow(
      /SOURCES\[0\] \(id "ps"\) field "overlapSeconds": Too small/,
    );
    expect(() => parseSources([{ ...ps, type: "turso", overlapSeconds: "10m" }])).toThrow(
      /field "overlapSeconds": Invalid input: expected number/,
    );
  });
});
