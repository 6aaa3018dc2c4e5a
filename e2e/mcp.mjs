// The MCP server at /mcp against the production bundle under wrangler dev (issue 29), driven by
// the SDK's own client over Streamable HTTP, as an assistant drives it: the 401 and its metadata
// pointer, the tools, a search of pushed events, SQL, a DELETE and an admin tool refused to the
// query token, and the OAuth flow (registration, PKCE, consent, token) ending in a tool call.
// Called by e2e/api-smoke.mjs with its server; `printed` receives one real tool call's answer.
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const REDIRECT = "http://127.0.0.1:33418/callback";

async function client(base, token) {
  const transport = new StreamableHTTPClientTransport(new URL(`${base}/mcp`), {
    requestInit: { headers: { authorization: `Bearer ${token}` } },
  });
  const c = new Client({ name: "auditflare-smoke", version: "1.0.0" });
  await c.connect(transport);
  return c;
}

const b64url = (buf) => Buffer.from(buf).toString("base64url");

/** register → consent (signed in with `token`) → code → token with PKCE: the access token. */
async function oauthToken(base, token) {
  const reg = await fetch(`${base}/oauth/register`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      client_name: "smoke assistant",
      redirect_uris: [REDIRECT],
      token_endpoint_auth_method: "none",
    }),
  });
  assert.equal(reg.status, 201, await reg.clone().text());
  const { client_id } = await reg.json();
  const verifier = b64url(randomBytes(32));
  const challenge = b64url(createHash("sha256").update(verifier).digest());
  const q = new URLSearchParams({
    response_type: "code",
    client_id,
    redirect_uri: REDIRECT,
    code_challenge: challenge,
    code_challenge_method: "S256",
    state: "smoke",
    scope: "auditflare:read",
    resource: `${base}/mcp`,
  });
  const page = await fetch(`${base}/oauth/authorize?${q}`);
  const html = await page.text();
  assert.equal(page.status, 200, html);
  const handle = /name="handle" value="([^"]+)"/.exec(html)?.[1];
  const cookie = page.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  const approved = await fetch(`${base}/oauth/authorize`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie },
    body: new URLSearchParams({ handle, decision: "approve", token }),
  });
  assert.equal(approved.status, 302, await approved.text());
  const code = new URL(approved.headers.get("location")).searchParams.get("code");
  const res = await fetch(`${base}/oauth/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      code,
      redirect_uri: REDIRECT,
      client_id,
      code_verifier: verifier,
      resource: `${base}/mcp`,
    }),
  });
  const body = await res.json();
  assert.equal(res.status, 200, JSON.stringify(body));
  return { accessToken: body.access_token, clientId: client_id };
}

export async function mcpChecks({ base, tokens, check, printed = () => {} }) {
  await check(
    "mcp: no credentials is 401 pointing at the protected-resource metadata",
    async () => {
      const res = await fetch(`${base}/mcp`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      });
      assert.equal(res.status, 401);
      const challenge = res.headers.get("www-authenticate") ?? "";
      assert.match(
        challenge,
        /resource_metadata="[^"]+\/\.well-known\/oauth-protected-resource\/mcp"/,
      );
      const meta = await (await fetch(`${base}/.well-known/oauth-protected-resource/mcp`)).json();
      assert.equal(meta.resource, `${base}/mcp`);
    },
  );

  await check(
    "mcp: the query token lists the tools, searches, runs SQL; DELETE and ack refused",
    async () => {
      const c = await client(base, tokens.query);
      const { tools } = await c.listTools();
      assert.equal(tools.length, 12);
      const search = await c.callTool({
        name: "search_logs",
        arguments: { sourceID: "turbopuffer", limit: 3 },
      });
      assert.equal(search.isError, undefined);
      assert.ok(search.structuredContent.data.length > 0, JSON.stringify(search));
      printed("search_logs", search);
      const sql = await c.callTool({
        name: "run_sql",
        arguments: { query: "SELECT sourceID, count(*) AS n FROM logs GROUP BY 1 ORDER BY 1" },
      });
      assert.ok(sql.structuredContent.rows.length > 0, JSON.stringify(sql));
      printed("run_sql", sql);
      const del = await c.callTool({ name: "run_sql", arguments: { query: "DELETE FROM logs" } });
      assert.equal(del.isError, true);
      const ack = await c.callTool({ name: "ack_alert", arguments: { id: "any" } });
      assert.equal(ack.isError, true);
      assert.match(ack.content[0].text, /needs the admin role/);
      await c.close();
    },
  );

  await check(
    "mcp: the OAuth flow (registration, PKCE, consent, token) then a tool call",
    async () => {
      const { accessToken } = await oauthToken(base, tokens.query);
      const c = await client(base, accessToken);
      const sources = await c.callTool({ name: "list_sources", arguments: {} });
      assert.equal(sources.isError, undefined, JSON.stringify(sources));
      printed("list_sources (OAuth)", sources);
      await c.close();
    },
  );
}
