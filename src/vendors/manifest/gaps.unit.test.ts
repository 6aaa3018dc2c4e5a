import { describe, expect, it } from "vitest";
import { MANIFEST_FIXTURES } from "../../../test/vendors/manifest-fixtures";
import { MANIFESTS } from "../manifests.gen";
import type { PageTarget } from "../types";
import type { Manifest } from ".";
import { manifestMock } from "./mock-api";
import { manifestPoll } from "./poll";
import { manifestSchema } from "./schema";

/**
 * Offset pagination and auth by a body field, as the poll walker drives them: the page client's
 * requests answered by the mock the manifest describes, page after page, until the client says
 * the walk is over. Every event is read once; the token travels where the manifest says.
 */

const manifest = (type: string) => {
  const m = MANIFESTS.find((x) => x.type === type);
  if (!m) throw new Error(type);
  return m as Manifest;
};
const variant = (type: string, poll: Record<string, unknown>) =>
  manifestSchema.parse({
    ...manifest(type),
    poll: { ...manifest(type).poll, ...poll },
  }) as Manifest;

const target = (m: Manifest): PageTarget => ({
  source: {
    id: m.type,
    type: m.type,
    tokenEnv: "TOK",
    intervalSeconds: 60,
    overlapSeconds: 600,
    ...Object.fromEntries(Object.entries(m.config).map(([k, f]) => [k, f.dev])),
  },
  token: m.mock.token ?? `dev-${m.type}-token`,
  baseUrl: `http://127.0.0.1:8788/${m.type}${new URL(m.poll?.baseUrl ?? "http://x").pathname.replace(/\/$/, "")}`,
  floor: null,
});

/** Walks the mock with the page client; the ids read, and every request sent. */
function drive(m: Manifest, events: number) {
  const mock = manifestMock(m, MANIFEST_FIXTURES[m.type] ?? []);
  for (let i = events; i > 0; i--) mock.add(Date.UTC(2026, 9, 1) - i * 60_000);
  const client = manifestPoll(m);
  const ids: string[] = [];
  const sent: Array<{ url: string; body?: string; headers: Record<string, string> }> = [];
  let next: string | null = null;
  for (let n = 0; n < 20; n++) {
    const req = client.request(target(m), next);
    sent.push(req);
    const url = new URL(req.url);
    const answer = mock.handle(
      url.pathname.slice(mock.prefix.length),
      url.searchParams,
      req.headers.authorization,
      {
        method: req.method ?? "GET",
        url: req.url,
        headers: req.headers,
        body: req.body ? JSON.parse(req.body) : undefined,
      },
    );
    if (answer?.status !== 200)
      throw new Error(`${answer?.status}: ${JSON.stringify(answer?.body)}`);
    const page = client.parse(answer.body, next, {
      url: req.url,
      headers: new Headers(answer.headers),
    });
    if (!page.ok) throw new Error(page.error);
    for (const item of page.items) ids.push(client.idOf(item) ?? JSON.stringify(item));
    next = page.next;
    if (next === null) break;
  }
  return { ids, sent };
}

describe("poll.pagination kind offset", () => {
  const offset = (extra: Record<string, unknown> = {}) =>
    variant("slack", {
      request: { ...manifest("slack").poll?.request, query: { limit: "50" } },
      pagination: { kind: "offset", param: "offset", ...extra },
    });

  it("asks from the first offset, then after every event read; a short page is the last", () => {
    const { ids, sent } = drive(offset({ size: 50 }), 120);
    expect(ids).toHaveLength(120);
    expect(new Set(ids).size).toBe(120);
    expect(sent.map((r) => new URL(r.url).searchParams.get("offset"))).toEqual(["0", "50", "100"]);
  });

  it("without a page size, an empty page ends the walk (one request more)", () => {
    const { ids, sent } = drive(offset(), 100);
    expect(ids).toHaveLength(100);
    expect(sent).toHaveLength(3);
  });

  it("labels pages by their offset, for record locations and loop messages", () => {
    const client = manifestPoll(offset());
    expect([client.pageLabel(null), client.pageLabel("50"), client.tokenLabel("50")]).toEqual([
      "offset=0",
      "offset=50",
      "the offset 50",
    ]);
  });
});

describe("poll.auth kind body", () => {
  const m = variant("onepassword", { auth: { kind: "body", field: "api_key" } });

  it("sends the token in every request's JSON body, and no Authorization header", () => {
    const { ids, sent } = drive(m, 120);
    expect(ids).toHaveLength(120);
    for (const r of sent) {
      expect(r.headers.authorization).toBeUndefined();
      expect(JSON.parse(r.body ?? "{}")).toMatchObject({ api_key: target(m).token });
    }
    expect(JSON.parse(sent[1]?.body ?? "{}")).toHaveProperty("cursor");
  });

  it("is for POST APIs only: a GET manifest with it fails its check, naming auth", () => {
    const r = manifestSchema.safeParse({
      ...manifest("slack"),
      poll: { ...manifest("slack").poll, auth: { kind: "body", field: "token" } },
    });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(["poll", "auth"]);
  });
});

describe("poll.rateLimit", () => {
  it("hands the walker the documented limit (src/transports/poll/walk.ts spaces the requests)", () => {
    const m = variant("slack", { rateLimit: { requests: 20, perSeconds: 60 } });
    expect(manifestPoll(m).rateLimit).toEqual({ requests: 20, perSeconds: 60 });
    expect(manifestPoll(manifest("slack")).rateLimit).toBeUndefined();
  });
});

describe("poll.auth kind google_service_account", () => {
  it("asks the walker for the grant of its scope, and sends the granted token as a bearer", () => {
    const scope = "https://www.googleapis.com/auth/admin.reports.audit.readonly";
    const client = manifestPoll(
      variant("slack", { auth: { kind: "google_service_account", scope } }),
    );
    expect(client.tokenGrant).toEqual({ kind: "google_service_account", scope });
    const m = manifest("slack");
    expect(
      client.request({ ...target(m), token: "ya29.granted" }, null).headers.authorization,
    ).toBe("Bearer ya29.granted");
  });
});
