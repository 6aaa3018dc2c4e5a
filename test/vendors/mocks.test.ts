import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { runDuePollers } from "../../src/transports/poll/scheduler";
import { VENDORS } from "../../src/vendors";
import type { VendorMock } from "../../src/vendors/mock";
import { portsOf } from "../../src/wiring";
import { count } from "../helpers";
import { manifestMocks } from "./manifest-fixtures";

afterEach(() => vi.restoreAllMocks());

/**
 * Every vendor mock of `npm start`, by vendor type: src/vendors/<vendor>/mock.ts, and the one
 * each manifest vendor's manifest and fixtures make (src/vendors/manifest/mock-api.ts).
 */
const MOCKS = [
  ...Object.entries(
    import.meta.glob<{ mock: VendorMock }>("../../src/vendors/*/mock.ts", { eager: true }),
  ).map(([path, mod]) => ({ type: path.split("/").at(-2) as string, mock: mod.mock })),
  ...Object.entries(manifestMocks()).map(([type, mock]) => ({ type, mock })),
];

describe("the local mocks of npm start answer as their vendor's poll client reads", () => {
  it("a poll of each mock stores every event it serves", async () => {
    // Every polled vendor has a mock, and only polled vendors do.
    const polled = VENDORS.filter((v) => "poll" in v).map((v) => v.type);
    expect(polled.length).toBeGreaterThan(0);
    expect(MOCKS.map((m) => m.type).sort()).toEqual([...polled].sort());
    const t0 = Date.UTC(2026, 9, 1);
    // Each mock stands in for the API of one source of its vendor (a source made here, so a new
    // vendor needs no test source in vitest.config.ts), at its own host.
    const devEnv: Record<string, unknown> = { ...env };
    const sources = MOCKS.map(({ type, mock }, i) => ({
      id: `mock-${type}`,
      type,
      ...(mock.devFields ?? { organization: "acme" }),
      tokenEnv: `MOCK_TOKEN_${i}`,
      baseUrl: `https://${type}.mock.test/v1`,
    }));
    devEnv.SOURCES = sources;
    const byHost = new Map<string, VendorMock>();
    const expected = [];
    for (const [i, { mock }] of MOCKS.entries()) {
      const source = sources[i] as (typeof sources)[number];
      for (let k = 250; k > 0; k--) mock.add(t0 - k * 60_000);
      byHost.set(new URL(source.baseUrl).hostname, mock);
      devEnv[source.tokenEnv] = mock.token;
      expected.push(
        expect.objectContaining({ sourceID: source.id, status: "polled", inserted: 250 }),
      );
    }
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      const req = new Request(input as RequestInfo, init);
      const url = new URL(req.url);
      const text = await req.text();
      const answer = byHost
        .get(url.hostname)
        ?.handle(
          url.pathname.slice("/v1".length),
          url.searchParams,
          req.headers.get("authorization") ?? undefined,
          {
            method: req.method,
            url: req.url,
            headers: Object.fromEntries(req.headers),
            body: text ? JSON.parse(text) : undefined,
          },
        );
      return Response.json(answer?.body ?? {}, {
        status: answer?.status ?? 404,
        headers: answer?.headers,
      });
    });
    const reports = await runDuePollers(
      devEnv as unknown as Env,
      portsOf(devEnv as unknown as Env),
      t0,
    );
    expect(reports).toEqual(expected);
    expect(await count("SELECT count(*) AS n FROM logs WHERE sourceID LIKE 'mock-%'")).toBe(
      250 * MOCKS.length,
    );
  });
});
