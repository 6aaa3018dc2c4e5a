import { afterEach, describe, expect, it, vi } from "vitest";
import { accessToken, parseServiceAccount, type ServiceAccount } from "../../src/lib/google-token";
import { base64urlDecode } from "../../src/lib/jwt";
import { OutboundError } from "../../src/lib/outbound";
import { RS256, serviceAccountKey } from "../google-key";

const NOW = Date.UTC(2026, 5, 1, 12);
const TOKEN_URI = "https://oauth2.test/token";
const SCOPE = "https://www.googleapis.com/auth/pubsub";
const { pair, pem: PEM } = await serviceAccountKey();

/** A key file as Google hands it out; each test uses its own client_email (tokens are cached). */
function keyFile(email: string, over: Record<string, unknown> = {}): string {
  return JSON.stringify({
    type: "service_account",
    project_id: "acme",
    private_key_id: "kid-1",
    private_key: PEM,
    client_email: email,
    client_id: "1234",
    token_uri: TOKEN_URI,
    ...over,
  });
}

const segment = (s: string): Record<string, unknown> =>
  JSON.parse(new TextDecoder().decode(base64urlDecode(s) ?? new Uint8Array()));

type Answer = { status: number; body: unknown };

/** A token endpoint that checks each request the way Google would, and counts them. */
function tokenEndpoint(sa: ServiceAccount, answers: Answer[]) {
  const state = { calls: 0, claims: [] as Record<string, unknown>[] };
  const fetcher = (async (input: RequestInfo | URL, init?: RequestInit) => {
    state.calls++;
    expect(String(input)).toBe(TOKEN_URI);
    expect(init?.method).toBe("POST");
    expect(new Headers(init?.headers).get("content-type")).toBe(
      "application/x-www-form-urlencoded",
    );
    const form = new URLSearchParams(String(init?.body));
    expect([...form.keys()].sort()).toEqual(["assertion", "grant_type"]);
    expect(form.get("grant_type")).toBe("urn:ietf:params:oauth:grant-type:jwt-bearer");
    const [h = "", p = "", signature = ""] = (form.get("assertion") ?? "").split(".");
    const signed = new TextEncoder().encode(`${h}.${p}`);
    const sig = base64urlDecode(signature) ?? new Uint8Array();
    expect(await crypto.subtle.verify(RS256, pair.publicKey, sig, signed)).toBe(true);
    const kid = sa.private_key_id ? { kid: sa.private_key_id } : {};
    expect(segment(h)).toEqual({ alg: "RS256", typ: "JWT", ...kid });
    const claims = segment(p);
    expect(claims.iss).toBe(sa.client_email);
    expect(claims.aud).toBe(TOKEN_URI);
    expect((claims.exp as number) - (claims.iat as number)).toBe(3600);
    expect(Object.keys(claims).sort()).toEqual(["aud", "exp", "iat", "iss", "scope"]);
    state.claims.push(claims);
    const answer = answers[Math.min(state.calls - 1, answers.length - 1)] as Answer;
    const body = typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body);
    return new Response(body, {
      status: answer.status,
      headers: { "content-type": "application/json" },
    });
  }) as typeof fetch;
  return { state, fetcher };
}

const ok = (token: string): Answer => ({
  status: 200,
  body: { access_token: token, expires_in: 3600, token_type: "Bearer" },
});

afterEach(() => vi.useRealTimers());

describe("parseServiceAccount", () => {
  it("reads a key file", () => {
    expect(parseServiceAccount(keyFile("a@acme.iam.gserviceaccount.com"))).toEqual({
      client_email: "a@acme.iam.gserviceaccount.com",
      private_key: PEM,
      token_uri: TOKEN_URI,
      private_key_id: "kid-1",
    });
  });

  it("names the field that is missing or wrong", () => {
    for (const field of ["client_email", "private_key", "token_uri"]) {
      expect(() => parseServiceAccount(keyFile("a@x", { [field]: undefined }))).toThrow(
        `the service account JSON has no ${field}`,
      );
    }
    expect(() => parseServiceAccount("{")).toThrow("the service account JSON is not valid JSON");
    expect(() => parseServiceAccount("[]")).toThrow("the service account JSON is not an object");
    expect(() =>
      parseServiceAccount(keyFile("a@x", { token_uri: "http://oauth2.test/token" })),
    ).toThrow(/token_uri is not an https URL/);
    const pkcs1 = PEM.replace(/PRIVATE KEY/g, "RSA PRIVATE KEY");
    expect(() => parseServiceAccount(keyFile("a@x", { private_key: pkcs1 }))).toThrow(
      /private_key is not a PKCS#8 PEM/,
    );
  });
});

describe("accessToken gets and caches tokens", () => {
  it("signs the grant, posts it to token_uri, and caches the token", async () => {
    const sa = parseServiceAccount(keyFile("cache@acme.iam.gserviceaccount.com"));
    const { state, fetcher } = tokenEndpoint(sa, [ok("ya29.first"), ok("ya29.second")]);
    expect(await accessToken(sa, SCOPE, fetcher, NOW)).toBe("ya29.first");
    expect(state.claims).toEqual([
      {
        iss: "cache@acme.iam.gserviceaccount.com",
        scope: SCOPE,
        aud: TOKEN_URI,
        iat: NOW / 1000,
        exp: NOW / 1000 + 3600,
      },
    ]);
    expect(await accessToken(sa, SCOPE, fetcher, NOW + 1000)).toBe("ya29.first");
    expect(state.calls).toBe(1);
  });

  it("renews a token within a minute of its expiry, and caches per scope", async () => {
    const sa = parseServiceAccount(keyFile("renew@acme.iam.gserviceaccount.com"));
    const answers = [ok("ya29.first"), ok("ya29.other"), ok("ya29.second")];
    const { state, fetcher } = tokenEndpoint(sa, answers);
    expect(await accessToken(sa, SCOPE, fetcher, NOW)).toBe("ya29.first");
    expect(await accessToken(sa, "scope-b", fetcher, NOW)).toBe("ya29.other");
    expect(state.calls).toBe(2);
    // expires_in 3600: cached until 60 s before NOW + 3600 s, renewed from then on.
    expect(await accessToken(sa, SCOPE, fetcher, NOW + 3_539_999)).toBe("ya29.first");
    expect(state.calls).toBe(2);
    expect(await accessToken(sa, SCOPE, fetcher, NOW + 3_540_000)).toBe("ya29.second");
    expect(state.calls).toBe(3);
    expect(state.claims.map((c) => [c.scope, c.iat])).toEqual([
      [SCOPE, NOW / 1000],
      ["scope-b", NOW / 1000],
      [SCOPE, NOW / 1000 + 3540],
    ]);
  });

  it("leaves kid out when the key file has no private_key_id", async () => {
    const sa = parseServiceAccount(
      keyFile("nokid@acme.iam.gserviceaccount.com", { private_key_id: undefined }),
    );
    expect(sa.private_key_id).toBeUndefined();
    const { state, fetcher } = tokenEndpoint(sa, [ok("ya29.nokid")]);
    expect(await accessToken(sa, SCOPE, fetcher, NOW)).toBe("ya29.nokid");
    expect(state.calls).toBe(1);
  });
});

describe("accessToken failures", () => {
  it("an error answer throws with the status and Google's error and description, and caches nothing", async () => {
    const sa = parseServiceAccount(keyFile("denied@acme.iam.gserviceaccount.com"));
    const denied = {
      status: 400,
      body: { error: "invalid_grant", error_description: "Invalid JWT Signature." },
    };
    const { state, fetcher } = tokenEndpoint(sa, [denied, ok("ya29.later")]);
    await expect(accessToken(sa, SCOPE, fetcher, NOW)).rejects.toThrow(
      `the token request to ${TOKEN_URI} failed: HTTP 400 invalid_grant: Invalid JWT Signature.`,
    );
    expect(await accessToken(sa, SCOPE, fetcher, NOW)).toBe("ya29.later");
    expect(state.calls).toBe(2);
  });

  it("a private_key that cannot be imported throws before any request; escaped newlines are fine", async () => {
    const garbage = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
    const bad = parseServiceAccount(
      keyFile("badkey@acme.iam.gserviceaccount.com", { private_key: garbage }),
    );
    const refused = tokenEndpoint(bad, [ok("ya29.never")]);
    await expect(accessToken(bad, SCOPE, refused.fetcher, NOW)).rejects.toThrow(
      /^the service account private_key cannot be imported: /,
    );
    expect(refused.state.calls).toBe(0);
    const escaped = PEM.replace(/\n/g, "\\n");
    const sa = parseServiceAccount(
      keyFile("escaped@acme.iam.gserviceaccount.com", { private_key: escaped }),
    );
    const { state, fetcher } = tokenEndpoint(sa, [ok("ya29.escaped")]);
    expect(await accessToken(sa, SCOPE, fetcher, NOW)).toBe("ya29.escaped");
    expect(state.calls).toBe(1);
  });

  it("a non-JSON error or an answer without access_token throws", async () => {
    const sa = parseServiceAccount(keyFile("broken@acme.iam.gserviceaccount.com"));
    const down = tokenEndpoint(sa, [{ status: 503, body: "upstream unavailable" }]);
    await expect(accessToken(sa, SCOPE, down.fetcher, NOW)).rejects.toThrow(
      /HTTP 503 upstream unavailable$/,
    );
    const empty = tokenEndpoint(sa, [{ status: 200, body: { expires_in: 3600 } }]);
    await expect(accessToken(sa, SCOPE, empty.fetcher, NOW)).rejects.toThrow(
      /returned no access_token$/,
    );
  });

  it("a token endpoint that never answers times out; one answering past the cap is too_large", async () => {
    const sa = parseServiceAccount(keyFile("bounded@acme.iam.gserviceaccount.com"));
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const hanging = ((_: RequestInfo | URL, init?: RequestInit) =>
      new Promise<Response>((_, reject) =>
        init?.signal?.addEventListener("abort", () => reject(new Error("aborted"))),
      )) as typeof fetch;
    const pending = accessToken(sa, SCOPE, hanging, NOW).catch((err: unknown) => err);
    await vi.advanceTimersByTimeAsync(10_001);
    const timedOut = await pending;
    expect(timedOut).toBeInstanceOf(OutboundError);
    expect(timedOut).toMatchObject({ kind: "timeout", url: TOKEN_URI });
    vi.useRealTimers();
    const huge = (async () =>
      new Response(`{"access_token":"${"x".repeat(300 * 1024)}"}`)) as typeof fetch;
    await expect(accessToken(sa, SCOPE, huge, NOW)).rejects.toMatchObject({ kind: "too_large" });
  });
});
