import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { oauthEnv } from "../../src/mcp/oauth";
import { d1Kv } from "../../src/store/oauth-kv";
import { ADMIN_TOKEN, BASE, call, type Json, QUERY_TOKEN } from "../helpers";
import { auditEvents, bearer, insertAlert, mcpClient, tool } from "./helpers";

/** /mcp's OAuth 2.1: discovery, registration, consent with PKCE, tokens, and the grant's role. */

const REDIRECT = "http://127.0.0.1:33418/callback";
const RESOURCE = `${BASE}/mcp`;

const b64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");

async function pkce() {
  const verifier = b64url(crypto.getRandomValues(new Uint8Array(32)));
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return { verifier, challenge: b64url(new Uint8Array(digest)) };
}

async function register(): Promise<string> {
  const res = await call("/oauth/register", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      client_name: "Test Assistant",
      redirect_uris: [REDIRECT],
      token_endpoint_auth_method: "none",
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
    }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { client_id: string }).client_id;
}

/** The consent page for a new authorization request: its handle and the cookie binding it. */
async function consentPage(clientId: string, challenge: string, scope = "auditflare:read") {
  const q = new URLSearchParams({
    response_type: "code",
    client_id: clientId,
    redirect_uri: REDIRECT,
    code_challenge: challenge,
    code_challenge_method: "S256",
    state: "st-1",
    scope,
    resource: RESOURCE,
  });
  const res = await call(`/oauth/authorize?${q}`);
  const html = await res.text();
  expect(res.status).toBe(200);
  const handle = /name="handle" value="([^"]+)"/.exec(html)?.[1] as string;
  const cookie = (res.headers as unknown as { getSetCookie(): string[] })
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  return { html, handle, cookie, headers: res.headers };
}

async function consent(
  page: { handle: string; cookie: string },
  fields: Record<string, string>,
): Promise<Response> {
  return call("/oauth/authorize", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: page.cookie },
    body: new URLSearchParams({ handle: page.handle, ...fields }),
    redirect: "manual",
  });
}

async function exchange(clientId: string, code: string, verifier: string) {
  const res = await call("/oauth/token", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      code,
      redirect_uri: REDIRECT,
      client_id: clientId,
      code_verifier: verifier,
      resource: RESOURCE,
    }),
  });
  return { status: res.status, body: (await res.json()) as Json };
}

/** register → authorize (consent, signed in with `token`) → code → token with PKCE. */
async function dance(token: string, fields: Record<string, string> = {}) {
  const clientId = await register();
  const { verifier, challenge } = await pkce();
  const page = await consentPage(clientId, challenge);
  const approved = await consent(page, { decision: "approve", token, ...fields });
  expect(approved.status).toBe(302);
  const location = new URL(approved.headers.get("location") as string);
  expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
  expect(location.searchParams.get("state")).toBe("st-1");
  expect(location.searchParams.get("iss")).toBe(BASE);
  const code = location.searchParams.get("code") as string;
  const tokens = await exchange(clientId, code, verifier);
  expect(tokens.status).toBe(200);
  return { clientId, code, verifier, accessToken: tokens.body.access_token as string, tokens };
}

describe("mcp: the provider's env", () => {
  it("has OAUTH_KV over D1 and every binding, and leaves the Worker's env as it was", async () => {
    const o = oauthEnv(env);
    await o.OAUTH_KV.put("probe", "1");
    expect(await d1Kv(env.DB).get("probe")).toBe("1");
    expect(o.DB).toBe(env.DB);
    // The test pool's env is a proxy: an assignment would have gone through to it.
    expect(Object.keys(env)).not.toContain("OAUTH_KV");
  });
});

describe("mcp: discovery", () => {
  it("no credentials: 401 with WWW-Authenticate pointing at the protected-resource metadata", async () => {
    const res = await call("/mcp", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });
    expect(res.status).toBe(401);
    const challenge = res.headers.get("www-authenticate") as string;
    expect(challenge).toMatch(/^Bearer /);
    expect(challenge).toContain(
      `resource_metadata="${BASE}/.well-known/oauth-protected-resource/mcp"`,
    );
    expect(challenge).toContain('scope="auditflare:read"');
  });

  it("a wrong bearer token is 401 with the same pointer; no MCP message is read", async () => {
    const res = await call("/mcp", {
      method: "POST",
      headers: { authorization: "Bearer not-a-token", "content-type": "application/json" },
      body: "{not even json",
    });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toContain("resource_metadata=");
  });

  it("with a token: GET is 405 (stateless, POST only) and a body over 1 MiB is 413", async () => {
    const get = await call("/mcp", { headers: { authorization: `Bearer ${QUERY_TOKEN}` } });
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST");
    const big = await call("/mcp", {
      method: "POST",
      headers: {
        authorization: `Bearer ${QUERY_TOKEN}`,
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
      },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "ping",
        params: { x: "y".repeat(1100000) },
      }),
    });
    expect(big.status).toBe(413);
  });

  it("serves RFC 9728 protected-resource and RFC 8414 authorization-server metadata", async () => {
    const pr = (await (await call("/.well-known/oauth-protected-resource/mcp")).json()) as Json;
    expect(pr).toMatchObject({
      resource: RESOURCE,
      authorization_servers: [BASE],
      scopes_supported: ["auditflare:read"],
      bearer_methods_supported: ["header"],
    });
    const as = (await (await call("/.well-known/oauth-authorization-server")).json()) as Json;
    expect(as).toMatchObject({
      issuer: BASE,
      authorization_endpoint: `${BASE}/oauth/authorize`,
      token_endpoint: `${BASE}/oauth/token`,
      registration_endpoint: `${BASE}/oauth/register`,
      code_challenge_methods_supported: ["S256"],
      scopes_supported: ["auditflare:read", "auditflare:admin"],
    });
  });
});

describe("mcp: the OAuth flow", () => {
  it("register, consent signed in with the query token, token with PKCE, then a tool call audited with the client", async () => {
    const { clientId, accessToken, tokens } = await dance(QUERY_TOKEN);
    expect(tokens.body).toMatchObject({ token_type: "bearer", scope: "auditflare:read" });
    expect(tokens.body.refresh_token).toEqual(expect.any(String));
    const client = await mcpClient(bearer(accessToken));
    const sources = await tool(client, "list_sources");
    expect(sources.isError).toBe(false);
    const events = await auditEvents("mcp.list_sources");
    expect(events.map((e) => e.actor)).toContainEqual({
      name: "query token",
      type: "oauth",
      client: clientId,
    });
    const grants = await auditEvents("oauth.authorize");
    expect(grants.map((e) => (e.rawLog as Json).params)).toContainEqual({
      clientId,
      scope: "auditflare:read",
    });
  });

  it("the consent page names the app, where the tokens go, and warns about a local redirect", async () => {
    const clientId = await register();
    const page = await consentPage(clientId, (await pkce()).challenge);
    expect(page.html).toContain("Test Assistant");
    expect(page.html).toContain("<strong>127.0.0.1</strong>");
    expect(page.html).toContain("an app on your computer");
    expect(page.headers.get("x-frame-options")).toBe("DENY");
  });

  it("a code is used once, and only with its PKCE verifier", async () => {
    const clientId = await register();
    const { verifier, challenge } = await pkce();
    const page = await consentPage(clientId, challenge);
    const approved = await consent(page, { decision: "approve", token: QUERY_TOKEN });
    const code = new URL(approved.headers.get("location") as string).searchParams.get("code");
    const wrong = await exchange(clientId, code as string, `${verifier}x`);
    expect(wrong).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
    const right = await exchange(clientId, code as string, verifier);
    expect(right.status).toBe(200);
    const again = await exchange(clientId, code as string, verifier);
    expect(again).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
  });

  it("a wrong token on the consent page grants nothing; Deny redirects with access_denied", async () => {
    const clientId = await register();
    const page = await consentPage(clientId, (await pkce()).challenge);
    const refused = await consent(page, { decision: "approve", token: "guess" });
    expect(refused.status).toBe(401);
    const denied = await consent(page, { decision: "deny" });
    expect(denied.status).toBe(302);
    expect(new URL(denied.headers.get("location") as string).searchParams.get("error")).toBe(
      "access_denied",
    );
  });

  it("a reader's grant cannot ack an alert; an admin's grant with the admin box ticked can", async () => {
    await insertAlert("alert-oauth-1", []);
    const reader = await dance(QUERY_TOKEN, { admin: "yes" });
    const asReader = await mcpClient(bearer(reader.accessToken));
    const refused = await tool(asReader, "ack_alert", { id: "alert-oauth-1" });
    expect(refused.texts[0]).toBe(
      "ack_alert needs the admin role: query token only reads: this OAuth grant carries the reader role (authorize again as an admin)",
    );
    expect(
      await env.DB.prepare("SELECT status FROM alerts WHERE id = 'alert-oauth-1'").first(),
    ).toEqual({ status: "open" });
    const admin = await dance(ADMIN_TOKEN, { admin: "yes" });
    expect(admin.tokens.body.scope).toBe("auditflare:read auditflare:admin");
    const asAdmin = await mcpClient(bearer(admin.accessToken));
    expect((await tool(asAdmin, "ack_alert", { id: "alert-oauth-1" })).data).toEqual({
      id: "alert-oauth-1",
      status: "acknowledged",
    });
    const adminNoBox = await dance(ADMIN_TOKEN);
    const limited = await mcpClient(bearer(adminNoBox.accessToken));
    expect((await tool(limited, "close_alert", { id: "alert-oauth-1" })).isError).toBe(true);
  });

  it("stores the provider's records in D1 by hash: no token appears in oauth_kv", async () => {
    const { accessToken, tokens } = await dance(QUERY_TOKEN);
    const { results } = await env.DB.prepare("SELECT key, value FROM oauth_kv").all<Json>();
    const all = JSON.stringify(results);
    expect(all).not.toContain(accessToken);
    expect(all).not.toContain(tokens.body.refresh_token as string);
  });
});

describe("oauth_kv: the KV namespace over D1", () => {
  it("gets, lists by prefix in key order with a cursor, hides expired records, deletes", async () => {
    const kv = d1Kv(env.DB);
    await kv.put("t:b", "2", { metadata: { m: 1 } });
    await kv.put("t:a", JSON.stringify({ x: 1 }));
    await kv.put("t:c", "3", { expiration: Math.floor(Date.now() / 1000) - 5 });
    await kv.put("T:a", "other case");
    expect(await kv.get("t:a", { type: "json" })).toEqual({ x: 1 });
    expect(await kv.get("t:c")).toBeNull();
    const first = await kv.list({ prefix: "t:", limit: 1 });
    expect(first.keys).toEqual([{ name: "t:a" }]);
    expect(first.list_complete).toBe(false);
    const rest = await kv.list({
      prefix: "t:",
      cursor: (first as { cursor: string }).cursor,
    });
    expect(rest.keys).toEqual([{ name: "t:b", metadata: { m: 1 } }]);
    expect(rest.list_complete).toBe(true);
    await kv.delete("t:a");
    expect(await kv.get("t:a")).toBeNull();
  });
});
