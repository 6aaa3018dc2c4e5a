import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { runDuePollers } from "../../src/transports/poll/scheduler";
import { vendorOf } from "../../src/vendors";
import { manifestMock } from "../../src/vendors/manifest/mock-api";
import { MANIFESTS } from "../../src/vendors/manifests.gen";
import type { PollClient } from "../../src/vendors/types";
import { portsOf } from "../../src/wiring";
import { count } from "../helpers";
import { MANIFEST_FIXTURES } from "./manifest-fixtures";

/**
 * A manifest's documented rate limit (`poll.rateLimit`), honoured by the one poll walker: a
 * run's requests are spaced evenly, and every event is still stored once. Slack's manifest is
 * given 4 requests a second for the length of the test (no manifest of the repository needs one
 * below what a run asks today).
 */

const client = vendorOf("slack").poll as PollClient;

afterEach(() => {
  vi.restoreAllMocks();
  delete client.rateLimit;
});

function serve() {
  const m = MANIFESTS.find((x) => x.type === "slack");
  if (!m) throw new Error("slack");
  const mock = manifestMock(m, MANIFEST_FIXTURES.slack ?? []);
  const at: number[] = [];
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const req = new Request(input as RequestInfo, init);
    const url = new URL(req.url);
    at.push(Date.now());
    const answer = mock.handle(
      url.pathname.slice(mock.prefix.length),
      url.searchParams,
      req.headers.get("authorization") ?? undefined,
      {
        method: req.method,
        url: req.url,
        headers: Object.fromEntries(req.headers),
        body: undefined,
      },
    );
    return Response.json(answer?.body ?? {}, { status: answer?.status ?? 404 });
  });
  const source = {
    id: "rl-slack",
    type: "slack",
    ...mock.devFields,
    tokenEnv: "RL_TOKEN",
    baseUrl: `https://slack.test${mock.prefix}`,
  };
  const devEnv = { ...env, SOURCES: [source], RL_TOKEN: mock.token } as unknown as Env;
  return {
    mock,
    at,
    run: async (t: number) => (await runDuePollers(devEnv, portsOf(devEnv), t))[0],
  };
}

describe("poll.rateLimit", () => {
  it("spaces a run's requests by perSeconds / requests and stores every event once", async () => {
    client.rateLimit = { requests: 4, perSeconds: 1 };
    const clock = Date.UTC(2026, 9, 2, 12);
    const { mock, at, run } = serve();
    for (let k = 120; k > 0; k--) mock.add(clock - 3_600_000 - k * 60_000);
    expect(await run(clock)).toMatchObject({ status: "polled", inserted: 120, complete: true });
    expect(await count("SELECT count(*) AS n FROM logs WHERE sourceID = 'rl-slack'")).toBe(120);
    expect(at.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < at.length; i++)
      expect((at[i] as number) - (at[i - 1] as number)).toBeGreaterThanOrEqual(245);
  });
});
