import type { Context } from "hono";
import { Hono } from "hono";
import { accessConfigured, accessIdentity } from "../lib/access";
import type { AppEnv } from "../lib/openapi";
import { roleOf } from "../routes/query-auth";
import { consentGet, consentPost } from "./consent";
import {
  AUTHORIZE_PATH,
  authorizationServer,
  oauthEnv,
  PROVIDER_PATHS,
  RESOURCE_METADATA_PATH,
  resourceServer,
} from "./oauth";
import { serveMcp } from "./server";
import type { Caller } from "./tool";

/**
 * `/mcp` (docs/mcp.md), the MCP server over Streamable HTTP, and the OAuth endpoints around it.
 * The caller is known before any MCP message is read: the query or admin token (constant time),
 * else a Cloudflare Access assertion (without an Authorization header), else an OAuth access
 * token of this Worker's authorization server; with none of them, 401 with the
 * `WWW-Authenticate` challenge naming the protected-resource metadata.
 */

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/** The caller of a bearer query/admin token or an Access assertion; null: OAuth decides. */
async function directCaller(c: Context<AppEnv>): Promise<Caller | null> {
  const header = c.req.header("authorization");
  const token = header ? BEARER.exec(header)?.[1] : undefined;
  if (token) {
    const role = await roleOf(c.env, token);
    return role
      ? { role, name: role === "admin" ? "admin token" : "query token", via: "token" }
      : null;
  }
  const assertion = c.req.header("cf-access-jwt-assertion");
  if (!header && assertion && accessConfigured(c.env)) {
    const id = await accessIdentity(c.env, assertion);
    return { role: id.admin ? "admin" : "reader", name: id.name, via: "access" };
  }
  return null;
}

/** Stateless: POST only (no server-initiated stream to GET, no session to DELETE). */
const notAllowed = () =>
  Response.json(
    {
      jsonrpc: "2.0",
      error: { code: -32000, message: "Method not allowed: POST only (stateless server)" },
      id: null,
    },
    { status: 405, headers: { allow: "POST" } },
  );

export const mcpRoutes = new Hono<AppEnv>();

mcpRoutes.all("/mcp", async (c) => {
  const serve = (request: Request, caller: Caller) =>
    request.method !== "POST"
      ? Promise.resolve(notAllowed())
      : serveMcp(request, {
          env: c.env,
          waitUntil: (p) => c.executionCtx.waitUntil(p),
          caller,
          ip: c.req.header("cf-connecting-ip") ?? null,
          requestId: c.get("requestId") ?? null,
          now: Date.now(),
        });
  const direct = await directCaller(c);
  if (direct) return serve(c.req.raw, direct);
  const origin = new URL(c.req.url).origin;
  return resourceServer(origin, serve).fetch(c.req.raw, oauthEnv(c.env), c.executionCtx);
});

mcpRoutes.get(RESOURCE_METADATA_PATH, (c) =>
  resourceServer(new URL(c.req.url).origin, async () => notAllowed()).fetch(
    c.req.raw,
    oauthEnv(c.env),
    c.executionCtx,
  ),
);

for (const path of PROVIDER_PATHS)
  mcpRoutes.all(path, (c) =>
    authorizationServer(new URL(c.req.url).origin).fetch(
      c.req.raw,
      oauthEnv(c.env),
      c.executionCtx,
    ),
  );

mcpRoutes.get(AUTHORIZE_PATH, consentGet);
mcpRoutes.post(AUTHORIZE_PATH, consentPost);
