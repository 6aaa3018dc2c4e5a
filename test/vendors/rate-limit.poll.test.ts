import { afterEach, describe, expect, it, vi } from "vitest";
import { vendorOf } from "../../src/vendors";
import type { PollClient } from "../../src/vendors/types";
import { count } from "../helpers";
import { slackWalk } from "./slack-walk";

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

describe("poll.rateLimit", () => {
  it("spaces a run's requests by perSeconds / requests and stores every event once", async () => {
    client.rateLimit = { requests: 4, perSeconds: 1 };
    const clock = Date.UTC(2026, 9, 2, 12);
    const { mock, seen, run } = slackWalk({ id: "rl-slack", tokenEnv: "RL_TOKEN" });
    const at = seen.at;
    for (let k = 120; k > 0; k--) mock.add(clock - 3_600_000 - k * 60_000);
    expect(await run(clock)).toMatchObject({ status: "polled", inserted: 120, complete: true });
    expect(await count("SELECT count(*) AS n FROM logs WHERE sourceID = 'rl-slack'")).toBe(120);
    expect(at.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < at.length; i++)
      expect((at[i] as number) - (at[i - 1] as number)).toBeGreaterThanOrEqual(245);
  });
});
