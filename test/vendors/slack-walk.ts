import { env } from "cloudflare:workers";
import { vi } from "vitest";
import { runDuePollers } from "../../src/transports/poll/scheduler";
import { manifestMock } from "../../src/vendors/manifest/mock-api";
import { MANIFESTS } from "../../src/vendors/manifests.gen";
import { portsOf } from "../../src/wiring";
import { MANIFEST_FIXTURES } from "./manifest-fixtures";

/**
 * Slack's manifest mock behind a stubbed fetch, polled by the one walker from source `id`
 * (secret `tokenEnv` = `secret`, default the mock's dev token): what the manifest-level poll
 * tests (rate limit, Google service-account grant) drive. `other` answers any request the mock
 * does not serve (a token endpoint).
 */
export function slackWalk(opts: {
  id: string;
  tokenEnv: string;
  secret?: string;
  other?: (req: Request) => Promise<Response> | null;
}) {
  const m = MANIFESTS.find((x) => x.type === "slack");
  if (!m) throw new Error("slack");
  const mock = manifestMock(m, MANIFEST_FIXTURES.slack ?? []);
  const seen = { at: [] as number[], auth: [] as Array<string | null> };
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const req = new Request(input as RequestInfo, init);
    const answered = opts.other?.(req);
    if (answered) return answered;
    const url = new URL(req.url);
    seen.at.push(Date.now());
    seen.auth.push(req.headers.get("authorization"));
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
    id: opts.id,
    type: "slack",
    ...mock.devFields,
    tokenEnv: opts.tokenEnv,
    baseUrl: `https://slack.test${mock.prefix}`,
  };
  const devEnv = {
    ...env,
    SOURCES: [source],
    [opts.tokenEnv]: opts.secret ?? mock.token,
  } as unknown as Env;
  return {
    mock,
    seen,
    run: async (t: number) => (await runDuePollers(devEnv, portsOf(devEnv), t))[0],
  };
}
