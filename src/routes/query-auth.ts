import type { Context, MiddlewareHandler } from "hono";
import { accessConfigured, accessIdentity } from "../lib/access";
import { presentedToken } from "../lib/auth";
import { AppError } from "../lib/errors";
import { timingSafeEqualStrings } from "../lib/hash";
import type { AppEnv } from "../lib/openapi";
import { readSecret } from "../lib/secrets";
import { recordAudit } from "./audit";

/**
 * Two roles (README "Tokens"): readers and admins. Machines present a bearer token:
 * QUERY_API_TOKEN only reads, ADMIN_API_TOKEN also writes (every write that is not a vendor
 * delivery: file upload, quarantine replay, later admin routes); both compared in constant time.
 * People come through Cloudflare Access (src/lib/access.ts): its verified identity is an admin
 * when listed in ACCESS_ADMINS, else a reader. A request with a bearer token is judged by it.
 * Every request that passes (and every write refused to a reader) is audited (./audit.ts).
 */
export type Role = "reader" | "admin";

/** Who made a request, as the self-audit records it. */
export interface Principal {
  role: Role;
  /** "query token", "admin token", or the Access email (service token: its client id). */
  name: string;
  via: "token" | "access";
}

const principals = new WeakMap<Request, Principal>();

/** The principal of a request that passed requireQueryToken / requireAdminToken. */
export const principalOf = (c: Context<AppEnv>): Principal | undefined => principals.get(c.req.raw);

/** The role of a bearer token: the admin or query token (constant time), or null. */
export async function roleOf(env: Env, token: string): Promise<Role | null> {
  const admin = readSecret(env, "ADMIN_API_TOKEN");
  const query = readSecret(env, "QUERY_API_TOKEN");
  const [isAdmin, isReader] = await Promise.all([
    admin ? timingSafeEqualStrings(token, admin) : false,
    query ? timingSafeEqualStrings(token, query) : false,
  ]);
  return isAdmin ? "admin" : isReader ? "reader" : null;
}

async function byToken(c: Context<AppEnv>, needed: Role): Promise<Principal> {
  const secret = needed === "admin" ? "ADMIN_API_TOKEN" : "QUERY_API_TOKEN";
  if (!readSecret(c.env, secret) && !readSecret(c.env, "ADMIN_API_TOKEN")) {
    throw new AppError(
      needed === "admin" ? "admin_token_not_configured" : "query_token_not_configured",
      `set the ${secret} secret to use this route`,
    );
  }
  const what = needed === "admin" ? "this admin route" : "the query API";
  const token = presentedToken(c.req.header("authorization"), what);
  const role = await roleOf(c.env, token);
  if (!role) throw new AppError("invalid_token", `the bearer token is not valid for ${what}`);
  return { role, name: role === "admin" ? "admin token" : "query token", via: "token" };
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * An Access identity comes from a cookie the browser sends with any request to this host, so a
 * page elsewhere could make a signed-in admin's browser post a form here (disable a rule, close
 * an alert, upload events): a write judged by Access must come from this origin. Browsers say
 * where a request comes from (`Sec-Fetch-Site`, and `Origin` on every POST); a request with
 * neither is not a browser's form or script (a service token through Access, curl) and passes.
 */
function refuseCrossSite(c: Context<AppEnv>): void {
  if (SAFE_METHODS.has(c.req.method)) return;
  const site = c.req.header("sec-fetch-site");
  const origin = c.req.header("origin");
  const sameSite = site === undefined || site === "same-origin" || site === "none";
  const sameOrigin = origin === undefined || origin === new URL(c.req.url).origin;
  if (!sameSite || !sameOrigin)
    throw new AppError(
      "cross_site_request",
      `a write signed in through Cloudflare Access must come from this origin (this one came from ${origin ?? site}); machines use a bearer token`,
    );
}

function requireRole(needed: Role): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    // Another role middleware matching the same path (`/x/*` also matches `/x`) already judged
    // this request: it audits it once, when the answer is known.
    const known = principals.get(c.req.raw);
    if (known && (needed === "reader" || known.role === "admin")) return next();
    const assertion = c.req.header("cf-access-jwt-assertion");
    const viaAccess = !c.req.header("authorization") && !!assertion && accessConfigured(c.env);
    let principal: Principal;
    if (viaAccess) {
      refuseCrossSite(c);
      const id = await accessIdentity(c.env, assertion as string);
      principal = { role: id.admin ? "admin" : "reader", name: id.name, via: "access" };
    } else principal = await byToken(c, needed);
    if (needed === "admin" && principal.role !== "admin") {
      recordAudit(c, principal, 403);
      throw new AppError(
        "admin_required",
        principal.via === "access"
          ? `${principal.name} only reads: writes need an email listed in ACCESS_ADMINS`
          : "the query token only reads; this route needs the admin token (ADMIN_API_TOKEN)",
      );
    }
    principals.set(c.req.raw, principal);
    await next();
    recordAudit(c, principal, c.res.status);
  };
}

/** Reads: the query token, the admin token, or any Access identity. */
export const requireQueryToken = requireRole("reader");
/** Writes that are not vendor deliveries: the admin token, or an Access admin. */
export const requireAdminToken = requireRole("admin");
