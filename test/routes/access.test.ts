import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import worker from "../../src/index";
import { base64urlEncode } from "../../src/lib/jwt";
import { AUD, accessSetup, TEAM } from "../access-helpers";
import { BASE, envWith, QUERY_TOKEN } from "../helpers";

/** Cloudflare Access in front: identities from a test key whose JWKS is pinned (ACCESS_JWKS). */
let accessEnv: Env;
let assertion: Awaited<ReturnType<typeof accessSetup>>["assertion"];
beforeAll(async () => {
  ({ env: accessEnv, assertion } = await accessSetup(["Admin@acme.com"]));
});

async function call(
  path: string,
  headers: Record<string, string>,
  init: RequestInit = {},
  e = accessEnv,
) {
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(`${BASE}${path}`, { ...init, headers }), e, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}
const errorOf = async (res: Response) =>
  ((await res.json()) as { error: { code: string; message: string } }).error;

describe("Cloudflare Access in front of the query and admin API", () => {
  it("any valid identity reads; a write is 403 unless the email is in ACCESS_ADMINS", async () => {
    const reader = { "cf-access-jwt-assertion": await assertion({}) };
    expect((await call("/v1/logs?limit=1", reader)).status).toBe(200);
    expect((await call("/v1/sources", reader)).status).toBe(200);
    const write = await call("/v1/quarantine/nope/replay", reader, { method: "POST" });
    expect(write.status).toBe(403);
    expect(await errorOf(write)).toMatchObject({
      code: "admin_required",
      message: "reader@acme.com only reads: writes need an email listed in ACCESS_ADMINS",
    });
    // Listed (emails compare case-insensitively): past the role check, to the route's own 404.
    const admin = { "cf-access-jwt-assertion": await assertion({ email: "admin@ACME.com" }) };
    const replay = await call("/v1/quarantine/nope/replay", admin, { method: "POST" });
    expect(replay.status).toBe(404);
  });

  it("a write by an Access identity from another site is 403 cross_site_request (CSRF); from this origin, or from no browser, it passes", async () => {
    const admin = { "cf-access-jwt-assertion": await assertion({ email: "admin@acme.com" }) };
    const disable = (headers: Record<string, string>) =>
      call(
        "/v1/rules/turbopuffer-invitation-created/disable",
        { ...admin, ...headers },
        {
          method: "POST",
        },
      );
    // a form on another site auto-posted by a signed-in admin's browser
    const posts: Array<Record<string, string>> = [
      { origin: "https://evil.example", "sec-fetch-site": "cross-site" },
      { origin: "https://apps.example.com", "sec-fetch-site": "same-site" },
      { origin: "https://evil.example" }, // a browser that sends no Sec-Fetch-Site
    ];
    for (const from of posts) {
      const res = await disable(from);
      expect(res.status, JSON.stringify(from)).toBe(403);
      expect((await errorOf(res)).code).toBe("cross_site_request");
    }
    // the explorer's own fetch, and a service token through Access (no browser headers)
    const own = await disable({ origin: new URL(BASE).origin, "sec-fetch-site": "same-origin" });
    expect(own.status).toBe(200);
    expect(
      (await call("/v1/rules/turbopuffer-invitation-created/enable", admin, { method: "POST" }))
        .status,
    ).toBe(200);
    // reads are not writes: a cross-site GET still reads (its answer is not the other site's to see)
    const read = await call("/v1/logs?limit=1", { ...admin, "sec-fetch-site": "cross-site" });
    expect(read.status).toBe(200);
  });

  it("401 for a wrong audience, another team, an expired token, alg none, a tampered token", async () => {
    const good = await assertion({});
    const [h, p] = good.split(".");
    const none = `${base64urlEncode(JSON.stringify({ alg: "none", typ: "JWT" }))}.${p}.`;
    const tampered = `${h}.${base64urlEncode(JSON.stringify({ aud: [AUD], iss: TEAM, email: "admin@acme.com", exp: 9e9 }))}.${good.split(".")[2]}`;
    const cases: Array<[string, string]> = [
      ["audience", await assertion({ aud: ["another-app"] })],
      ["issuer", await assertion({ iss: "https://evil.cloudflareaccess.com" })],
      ["expired", await assertion({ exp: Math.floor(Date.now() / 1000) - 120 })],
      ["alg none", none],
      ["signature", tampered],
    ];
    for (const [what, token] of cases) {
      const res = await call("/v1/logs", { "cf-access-jwt-assertion": token });
      expect(res.status, what).toBe(401);
      expect((await errorOf(res)).message, what).toMatch(new RegExp(what));
    }
  });

  it("is off unless configured; a bearer token is judged by itself; vendor routes keep their own auth", async () => {
    const admin = { "cf-access-jwt-assertion": await assertion({ email: "admin@acme.com" }) };
    expect((await call("/v1/logs", admin, {}, envWith({}))).status).toBe(401);
    const both = { ...admin, authorization: `Bearer ${QUERY_TOKEN}` };
    expect((await call("/v1/quarantine/nope/replay", both, { method: "POST" })).status).toBe(403);
    const push = await call(
      "/v1/ingest/turbopuffer",
      { ...admin, "content-type": "application/json" },
      {
        method: "POST",
        body: "{}",
      },
    );
    expect(push.status).toBe(401);
  });
});
