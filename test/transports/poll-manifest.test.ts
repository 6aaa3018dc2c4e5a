import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { runDuePollers } from "../../src/transports/poll/scheduler";
import { manifestMock } from "../../src/vendors/manifest/mock-api";
import { MANIFESTS } from "../../src/vendors/manifests.gen";
import { portsOf } from "../../src/wiring";
import { count } from "../helpers";
import { MANIFEST_FIXTURES } from "../vendors/manifest-fixtures";

/**
 * Manifest vendors through the one poll walker: an oldest-first API asked from the window's
 * floor (Okta's `since`, 1Password's POST `start_time`), Okta's Link that never ends, and
 * 1Password's POST body cursor, against the mocks their manifests and fixtures make.
 */

afterEach(() => vi.restoreAllMocks());

interface Sent {
  method: string;
  url: URL;
  body: Record<string, unknown> | undefined;
}

function serve(type: string, token?: string) {
  const m = MANIFESTS.find((x) => x.type === type);
  if (!m) throw new Error(type);
  const mock = manifestMock(m, MANIFEST_FIXTURES[type] ?? []);
  const sent: Sent[] = [];
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const req = new Request(input as RequestInfo, init);
    const url = new URL(req.url);
    const text = await req.text();
    const body = text ? JSON.parse(text) : undefined;
    sent.push({ method: req.method, url, body });
    const answer = mock.handle(
      url.pathname.slice(mock.prefix.length),
      url.searchParams,
      req.headers.get("authorization") ?? undefined,
      { method: req.method, url: req.url, headers: Object.fromEntries(req.headers), body },
    );
    return Response.json(answer?.body ?? {}, {
      status: answer?.status ?? 404,
      headers: answer?.headers,
    });
  });
  const source = {
    id: `m-${type}`,
    type,
    ...mock.devFields,
    tokenEnv: "M_TOKEN",
    baseUrl: `https://${type}.test${mock.prefix}`,
  };
  const devEnv = { ...env, SOURCES: [source], M_TOKEN: token ?? mock.token } as unknown as Env;
  const run = async (at: number) => (await runDuePollers(devEnv, portsOf(devEnv), at))[0];
  return { mock, sent, run };
}

const stored = (type: string) =>
  count(`SELECT count(*) AS n FROM logs WHERE sourceID = 'm-${type}'`);

describe("an oldest-first Link API (Okta)", () => {
  it("reads to the end (an empty page ends Okta's endless next links), then asks from the floor", async () => {
    const clock = Date.UTC(2026, 9, 2, 12);
    const t0 = clock - 3_600_000;
    const { mock, sent, run } = serve("okta");
    for (let k = 120; k > 0; k--) mock.add(t0 - k * 60_000);
    expect(await run(clock)).toMatchObject({ status: "polled", inserted: 120, complete: true });
    // 50 + 50 + 20, then the page the last next link names: empty, the end (no cursor loop)
    expect(sent.map((s) => s.url.searchParams.has("after"))).toEqual([false, true, true, true]);
    expect(sent[0]?.url.searchParams.has("since")).toBe(false);
    expect(sent[0]?.url.pathname).toBe("/okta/api/v1/logs");

    for (let k = 1; k <= 3; k++) mock.add(t0 + k * 60_000);
    sent.length = 0;
    expect(await run(clock + 3_600_000)).toMatchObject({
      status: "polled",
      inserted: 3,
      duplicates: 11, // the high-water event and the 10 minutes of the overlap window before it
    });
    const floor = t0 - 60_000 - 600_000;
    expect(sent[0]?.url.searchParams.get("since")).toBe(new Date(floor).toISOString());
    expect(await stored("okta")).toBe(123);
  });

  it("a wrong token: the manifest's words for a 401, with the source's token variable", async () => {
    const { mock, run } = serve("okta", "not-the-token");
    mock.add(Date.UTC(2026, 9, 1));
    expect(await run(Date.UTC(2026, 9, 5))).toMatchObject({
      status: "error",
      kind: "auth",
      error: expect.stringMatching(
        /^Okta rejected the API token \(401\): set M_TOKEN to an API token/,
      ),
    });
  });
});

describe("a POST body-cursor API (1Password)", () => {
  it("POSTs {limit, start_time} at the head, then {cursor} until has_more is false", async () => {
    const clock = Date.UTC(2026, 9, 3, 12);
    const t0 = clock - 3_600_000;
    const { mock, sent, run } = serve("onepassword");
    for (let k = 70; k > 0; k--) mock.add(t0 - k * 60_000);
    expect(await run(clock)).toMatchObject({ status: "polled", inserted: 70, complete: true });
    expect(sent.map((s) => [s.method, Object.keys(s.body ?? {})])).toEqual([
      ["POST", ["limit"]],
      ["POST", ["cursor"]],
    ]);
    mock.add(t0 + 60_000);
    sent.length = 0;
    expect(await run(clock + 3_600_000)).toMatchObject({ inserted: 1, duplicates: 11 });
    expect(sent[0]?.body).toEqual({
      limit: 1000,
      start_time: new Date(t0 - 60_000 - 600_000).toISOString(),
    });
  });
});
