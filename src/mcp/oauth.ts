import {
  OAuthAuthorizationServer,
  type OAuthResourceContext,
  OAuthResourceServer,
} from "@cloudflare/workers-oauth-provider";
import { d1Kv } from "../store/oauth-kv";
import type { Caller } from "./tool";

/**
 * OAuth 2.1 for assistants that connect by URL (@cloudflare/workers-oauth-provider): this Worker
 * is both the authorization server (issuer: its own origin; RFC 8414 metadata, dynamic client
 * registration, PKCE S256, token and revocation endpoints) and the protected resource
 * `<origin>/mcp` (RFC 9728 metadata, the `WWW-Authenticate` challenge on 401). The person signs
 * in on the consent page (src/mcp/consent.ts) with Cloudflare Access or the query/admin token;
 * the grant's props carry the role. The provider's records live in D1 (src/store/oauth-kv.ts).
 */

export const SCOPE_READ = "auditflare:read";
export const SCOPE_ADMIN = "auditflare:admin";

export const AUTHORIZE_PATH = "/oauth/authorize";
export const TOKEN_PATH = "/oauth/token";
export const REGISTER_PATH = "/oauth/register";
/** The paths the authorization server answers itself (metadata, token, revocation, DCR). */
export const PROVIDER_PATHS = [
  "/.well-known/oauth-authorization-server",
  TOKEN_PATH,
  REGISTER_PATH,
] as const;
export const RESOURCE_METADATA_PATH = "/.well-known/oauth-protected-resource/mcp";

/** Access tokens live an hour; the refresh token (rotated on use) 30 days. */
const ACCESS_TOKEN_TTL = 3600;

/** What a grant carries (encrypted by the provider with a key only its tokens unwrap). */
export interface GrantProps {
  role: "reader" | "admin";
  name: string;
  via: "token" | "access";
}

/**
 * The env the provider sees: the Worker's (its prototype, so every binding stays), with OAUTH_KV
 * over D1 defined on it. Defined, not assigned: an assignment goes through the prototype's setter
 * when env is a proxy (as the test pool's is), which put OAUTH_KV on the Worker's env itself.
 */
export type OAuthEnv = Env & { OAUTH_KV: KVNamespace };
export const oauthEnv = (env: Env): OAuthEnv =>
  Object.create(env, { OAUTH_KV: { value: d1Kv(env.DB), enumerable: true } }) as OAuthEnv;

/** One authorization server per origin the Worker is reached at (its issuer is that origin). */
const servers = new Map<string, OAuthAuthorizationServer<OAuthEnv>>();

export function authorizationServer(origin: string): OAuthAuthorizationServer<OAuthEnv> {
  let s = servers.get(origin);
  if (!s) {
    if (servers.size >= 16) servers.clear();
    s = new OAuthAuthorizationServer<OAuthEnv>({
      issuer: origin,
      resources: [`${origin}/mcp`],
      authorizeEndpoint: AUTHORIZE_PATH,
      tokenEndpoint: TOKEN_PATH,
      clientRegistrationEndpoint: REGISTER_PATH,
      scopesSupported: [SCOPE_READ, SCOPE_ADMIN],
      accessTokenTTL: ACCESS_TOKEN_TTL,
    });
    servers.set(origin, s);
  }
  return s;
}

/** The caller an OAuth token stands for: admin only with an admin grant and the admin scope. */
export function oauthCaller(props: GrantProps, ctx: OAuthResourceContext<GrantProps>): Caller {
  const admin = props.role === "admin" && ctx.auth.scope.includes(SCOPE_ADMIN);
  return {
    role: admin ? "admin" : "reader",
    name: props.name,
    via: "oauth",
    ...(ctx.auth.clientId ? { client: ctx.auth.clientId } : {}),
  };
}

/**
 * The protected resource `<origin>/mcp`: the 401 challenge and RFC 9728 metadata, and for a valid
 * token of this authorization server, `serve` with the caller its grant stands for.
 */
export function resourceServer(
  origin: string,
  serve: (request: Request, caller: Caller) => Promise<Response>,
): OAuthResourceServer<OAuthEnv, GrantProps> {
  const as = authorizationServer(origin);
  return new OAuthResourceServer<OAuthEnv, GrantProps>({
    resourceMetadata: {
      resource: `${origin}/mcp`,
      authorization_servers: [origin],
      bearer_methods_supported: ["header"],
      resource_name: "auditflare",
    },
    requiredScopes: [SCOPE_READ],
    validateToken: (env) => (resource, token) => as.validateToken<GrantProps>(resource, token, env),
    handler: {
      fetch: (request, _env, ctx) => serve(request, oauthCaller(ctx.props, ctx)),
    },
  });
}
