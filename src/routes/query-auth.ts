import type { MiddlewareHandler } from "hono";
import { readSecret } from "../config";
import { presentedToken } from "../lib/auth";
import { AppError } from "../lib/errors";
import { timingSafeEqualStrings } from "../lib/hash";
import type { AppEnv } from "../lib/openapi";

/**
 * Two roles (README "Tokens"): QUERY_API_TOKEN only reads; ADMIN_API_TOKEN also writes (every
 * write that is not a vendor delivery: file upload, quarantine replay, later admin routes).
 * Both are compared in constant time, each against every token presented.
 */
type Role = "reader" | "admin";

async function roleOf(env: Env, token: string): Promise<Role | null> {
  const admin = readSecret(env, "ADMIN_API_TOKEN");
  const query = readSecret(env, "QUERY_API_TOKEN");
  const [isAdmin, isReader] = await Promise.all([
    admin ? timingSafeEqualStrings(token, admin) : false,
    query ? timingSafeEqualStrings(token, query) : false,
  ]);
  return isAdmin ? "admin" : isReader ? "reader" : null;
}

function requireRole(needed: Role): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
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
    if (needed === "admin" && role !== "admin") {
      throw new AppError(
        "admin_required",
        "the query token only reads; this route needs the admin token (ADMIN_API_TOKEN)",
      );
    }
    await next();
  };
}

/** Reads: the query token or the admin token. */
export const requireQueryToken = requireRole("reader");
/** Writes that are not vendor deliveries: the admin token only. */
export const requireAdminToken = requireRole("admin");
