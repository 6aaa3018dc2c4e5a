import { afterEach, describe, expect, it, vi } from "vitest";
import { vendorOf } from "../../src/vendors";
import type { PollClient } from "../../src/vendors/types";
import { serviceAccountKey } from "../google-key";
import { count } from "../helpers";
import { slackWalk } from "./slack-walk";

/**
 * `poll.auth: { kind: google_service_account, scope }` through the one poll walker: the source's
 * secret is a service-account key, exchanged once at its token_uri (a JWT bearer grant signed
 * with the key) for an access token that every page request carries. Slack's manifest is given
 * the grant for the length of the test (Google's own audit APIs are the vendors that need it).
 */

const client = vendorOf("slack").poll as PollClient;
const TOKEN_URI = "https://oauth2.test/token";
const SCOPE = "https://www.googleapis.com/auth/admin.reports.audit.readonly";

const { pem: PEM } = await serviceAccountKey();
const keyFile = (email: string) =>
  JSON.stringify({
    type: "service_account",
    private_key: PEM,
    client_email: email,
    token_uri: TOKEN_URI,
  });

afterEach(() => {
  vi.restoreAllMocks();
  delete client.tokenGrant;
});

function serve(email: string, grant: { status: number; body: unknown }) {
  const grants = { count: 0, scopes: [] as string[] };
  const walk = slackWalk({
    id: "gsa-slack",
    tokenEnv: "GSA_KEY",
    secret: keyFile(email),
    other: (req) => {
      if (req.url !== TOKEN_URI) return null;
      return (async () => {
        grants.count++;
        const form = new URLSearchParams(await req.text());
        const [, claims = ""] = (form.get("assertion") ?? "").split(".");
        const payload = JSON.parse(atob(claims.replace(/-/g, "+").replace(/_/g, "/"))) as {
          scope: string;
        };
        grants.scopes.push(payload.scope);
        return Response.json(grant.body, { status: grant.status });
      })();
    },
  });
  return { ...walk, seen: { ...walk.seen, grants } };
}

describe("poll.auth google_service_account", () => {
  it("exchanges the key once for an access token that every page request carries", async () => {
    client.tokenGrant = { kind: "google_service_account", scope: SCOPE };
    const clock = Date.UTC(2026, 9, 2, 12);
    const { mock, seen, run } = serve("poller-1@acme.iam.gserviceaccount.com", {
      status: 200,
      body: { access_token: "dev-slack-token", expires_in: 3600, token_type: "Bearer" },
    });
    for (let k = 120; k > 0; k--) mock.add(clock - 3_600_000 - k * 60_000);
    expect(await run(clock)).toMatchObject({ status: "polled", inserted: 120 });
    expect(await count("SELECT count(*) AS n FROM logs WHERE sourceID = 'gsa-slack'")).toBe(120);
    expect(seen.grants.count).toBe(1);
    expect(seen.grants.scopes).toEqual([SCOPE]);
    expect(new Set(seen.auth)).toEqual(new Set(["Bearer dev-slack-token"]));
  });

  it("a key Google refuses is an auth error naming the secret; no page is requested", async () => {
    client.tokenGrant = { kind: "google_service_account", scope: SCOPE };
    const { seen, run } = serve("poller-2@acme.iam.gserviceaccount.com", {
      status: 400,
      body: { error: "invalid_grant", error_description: "Invalid JWT Signature." },
    });
    const result = await run(Date.UTC(2026, 9, 3, 12));
    expect(JSON.stringify(result)).toMatch(/GSA_KEY gives no Google access token.*invalid_grant/);
    expect(seen.auth).toEqual([]);
  });
});
