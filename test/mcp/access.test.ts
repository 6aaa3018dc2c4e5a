import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import worker from "../../src/index";
import { accessSetup } from "../access-helpers";
import { BASE } from "../helpers";
import { auditEvents, insertAlert, mcpClient, tool } from "./helpers";

/** /mcp and its consent page behind Cloudflare Access (a test key, pinned with ACCESS_JWKS). */
let accessEnv: Env;
let signed: Awaited<ReturnType<typeof accessSetup>>["assertion"];
beforeAll(async () => {
  ({ env: accessEnv, assertion: signed } = await accessSetup(["admin@acme.com"]));
});

const assertion = (email: string, aud?: string) =>
  signed({ email, ...(aud ? { aud: [aud] } : {}) });

async function callAccess(path: string, init: RequestInit = {}): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(`${BASE}${path}`, init), accessEnv, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

describe("mcp behind Cloudflare Access", () => {
  it("an Access reader reads; an admin tool is refused naming the email, and nothing changes", async () => {
    await insertAlert("alert-access-1", []);
    const reader = await mcpClient(
      { "cf-access-jwt-assertion": await assertion("reader@acme.com") },
      callAccess,
    );
    expect((await tool(reader, "list_alerts")).isError).toBe(false);
    const refused = await tool(reader, "close_alert", { id: "alert-access-1" });
    expect(refused.texts[0]).toBe(
      "close_alert needs the admin role: reader@acme.com only reads: admin tools need an email listed in ACCESS_ADMINS",
    );
    expect(
      await env.DB.prepare("SELECT status FROM alerts WHERE id = 'alert-access-1'").first(),
    ).toEqual({ status: "open" });
    const events = await auditEvents("mcp.close_alert");
    expect(events.map((e) => e.actor)).toContainEqual({
      name: "reader@acme.com",
      email: "reader@acme.com",
      type: "access",
    });
  });

  it("an Access admin (ACCESS_ADMINS) may close an alert", async () => {
    await insertAlert("alert-access-2", []);
    const admin = await mcpClient(
      { "cf-access-jwt-assertion": await assertion("admin@acme.com") },
      callAccess,
    );
    expect((await tool(admin, "close_alert", { id: "alert-access-2" })).data).toEqual({
      id: "alert-access-2",
      status: "closed",
    });
  });

  it("an assertion that does not verify is 401 before any MCP message is read", async () => {
    const res = await callAccess("/mcp", {
      method: "POST",
      headers: { "cf-access-jwt-assertion": await assertion("x@acme.com", "another-app") },
      body: "{",
    });
    expect(res.status).toBe(401);
  });

  it("the consent page signs the person in with Access, without asking for a token", async () => {
    const reg = await callAccess("/oauth/register", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        client_name: "Access Assistant",
        redirect_uris: ["https://assistant.example/cb"],
        token_endpoint_auth_method: "none",
      }),
    });
    const { client_id } = (await reg.json()) as { client_id: string };
    const q = new URLSearchParams({
      response_type: "code",
      client_id,
      redirect_uri: "https://assistant.example/cb",
      code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
      code_challenge_method: "S256",
      resource: `${BASE}/mcp`,
    });
    const page = await callAccess(`/oauth/authorize?${q}`, {
      headers: { "cf-access-jwt-assertion": await assertion("admin@acme.com") },
    });
    const html = await page.text();
    expect(html).toContain("Signed in as <strong>admin@acme.com</strong>");
    expect(html).not.toContain('name="token"');
    expect(html).toContain("<strong>assistant.example</strong>");
  });
});
