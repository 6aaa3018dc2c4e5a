import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { runDuePollers } from "../../src/transports/poll/scheduler";
import { mock as planetscale } from "../../src/vendors/planetscale/mock";
import { mock as turso } from "../../src/vendors/turso/mock";
import { count } from "../helpers";

afterEach(() => vi.restoreAllMocks());

describe("the local mocks of npm start answer as their vendor's poll client reads", () => {
  it("a poll of each mock stores every event it serves", async () => {
    const t0 = Date.UTC(2026, 9, 1);
    for (let i = 250; i > 0; i--) {
      planetscale.add(t0 - i * 60_000);
      turso.add(t0 - i * 60_000);
    }
    const mocks: Record<string, typeof planetscale> = {
      "ps.test": planetscale,
      "turso.test": turso,
    };
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      const req = new Request(input as RequestInfo, init);
      const url = new URL(req.url);
      const m = mocks[url.hostname] as typeof planetscale;
      const answer = m.handle(
        url.pathname.slice("/v1".length),
        url.searchParams,
        req.headers.get("authorization") ?? undefined,
      );
      return Response.json(answer?.body ?? {}, { status: answer?.status ?? 404 });
    });
    const devEnv = { ...env, PS_TOKEN: "dev-ps-id:dev-ps-secret", TURSO_TOKEN: "dev-turso-token" };
    const reports = await runDuePollers(devEnv as Env, t0);
    expect(reports).toEqual([
      expect.objectContaining({ sourceID: "ps", status: "polled", inserted: 250, complete: true }),
      expect.objectContaining({ sourceID: "turso", status: "polled", inserted: 250 }),
    ]);
    expect(await count("SELECT count(*) AS n FROM logs WHERE sourceID IN ('ps', 'turso')")).toBe(
      500,
    );
  });
});
