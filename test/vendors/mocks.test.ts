import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { loadSources } from "../../src/config";
import { d1Ports } from "../../src/store/ports";
import { runDuePollers } from "../../src/transports/poll/scheduler";
import type { VendorMock } from "../../src/vendors/mock";
import { count } from "../helpers";

afterEach(() => vi.restoreAllMocks());

/** Every vendor mock of `npm start` (src/vendors/<vendor>/mock.ts), by vendor type. */
const MOCKS = Object.entries(
  import.meta.glob<{ mock: VendorMock }>("../../src/vendors/*/mock.ts", { eager: true }),
).map(([path, mod]) => ({ type: path.split("/").at(-2) as string, mock: mod.mock }));

describe("the local mocks of npm start answer as their vendor's poll client reads", () => {
  it("a poll of each mock stores every event it serves", async () => {
    expect(MOCKS.map((m) => m.type).sort()).toEqual(["planetscale", "turso"]);
    const t0 = Date.UTC(2026, 9, 1);
    // Each mock stands in for the test source of its vendor, at that source's base URL.
    const sources = loadSources(env);
    const devEnv: Record<string, unknown> = { ...env };
    const byHost = new Map<string, VendorMock>();
    const expected = [];
    for (const { type, mock } of MOCKS) {
      for (let i = 250; i > 0; i--) mock.add(t0 - i * 60_000);
      const source = sources.find((s) => s.type === type);
      if (!source || !("baseUrl" in source) || !("tokenEnv" in source))
        throw new Error(`no test source polls ${type}`);
      byHost.set(new URL(String(source.baseUrl)).hostname, mock);
      devEnv[source.tokenEnv] = mock.token;
      expected.push(
        expect.objectContaining({ sourceID: source.id, status: "polled", inserted: 250 }),
      );
    }
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      const req = new Request(input as RequestInfo, init);
      const url = new URL(req.url);
      const answer = byHost
        .get(url.hostname)
        ?.handle(
          url.pathname.slice("/v1".length),
          url.searchParams,
          req.headers.get("authorization") ?? undefined,
        );
      return Response.json(answer?.body ?? {}, { status: answer?.status ?? 404 });
    });
    const reports = await runDuePollers(
      devEnv as unknown as Env,
      d1Ports(devEnv as unknown as Env),
      t0,
    );
    expect(reports).toEqual(expected);
    expect(await count("SELECT count(*) AS n FROM logs WHERE sourceID IN ('ps', 'turso')")).toBe(
      250 * MOCKS.length,
    );
  });
});
