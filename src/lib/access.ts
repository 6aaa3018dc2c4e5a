import { AppError } from "./errors";
import { fetchedKeys, JwtError, type KeySource, pinnedKeys, verifyJwt } from "./jwt";
import { OutboundError } from "./outbound";
import { readSecret } from "./secrets";

/**
 * Cloudflare Access in front of auditflare (developers.cloudflare.com/cloudflare-one/identity/
 * authorization-cookie/validating-json/): Access signs every request it lets through with
 * `Cf-Access-Jwt-Assertion` (RS256, the team's keys at <team domain>/cdn-cgi/access/certs).
 * On when ACCESS_TEAM_DOMAIN (the issuer, https://<team>.cloudflareaccess.com) and ACCESS_AUD
 * (the application's audience tag) are set; ACCESS_ADMINS (a JSON array of emails) may write,
 * every other valid identity only reads. ACCESS_JWKS pins the keys (air-gapped, tests).
 */

export interface AccessIdentity {
  /** The user's email, or a service token's client id (common_name). */
  name: string;
  email: string | null;
  admin: boolean;
}

export function accessConfigured(env: Env): boolean {
  return !!readSecret(env, "ACCESS_TEAM_DOMAIN") && !!readSecret(env, "ACCESS_AUD");
}

function teamKeys(env: Env, issuer: string): KeySource {
  const pinned = readSecret(env, "ACCESS_JWKS");
  return pinned ? pinnedKeys(pinned) : fetchedKeys(`${issuer}/cdn-cgi/access/certs`);
}

function admins(env: Env): Set<string> {
  const raw = readSecret(env, "ACCESS_ADMINS");
  if (!raw) return new Set();
  let list: unknown;
  try {
    list = JSON.parse(raw);
  } catch {
    throw new AppError("config_invalid", "ACCESS_ADMINS must be a JSON array of emails");
  }
  if (!Array.isArray(list) || !list.every((e) => typeof e === "string"))
    throw new AppError("config_invalid", "ACCESS_ADMINS must be a JSON array of emails");
  return new Set(list.map((e: string) => e.trim().toLowerCase()));
}

/** The verified identity of an Access assertion; 401 when it is not valid. */
export async function accessIdentity(env: Env, assertion: string): Promise<AccessIdentity> {
  const issuer = (readSecret(env, "ACCESS_TEAM_DOMAIN") as string).replace(/\/+$/, "");
  let claims: Record<string, unknown>;
  try {
    claims = await verifyJwt(assertion, teamKeys(env, issuer), {
      audience: readSecret(env, "ACCESS_AUD") as string,
      issuers: [issuer],
    });
  } catch (err) {
    if (err instanceof JwtError)
      throw new AppError(
        "invalid_token",
        `the Cloudflare Access token is not valid: ${err.message}`,
      );
    const kind = err instanceof OutboundError ? `${err.kind}: ` : "";
    throw new AppError(
      "access_keys_unavailable",
      `cannot read the Access keys: ${kind}${(err as Error).message}`,
    );
  }
  const email = typeof claims.email === "string" ? claims.email.toLowerCase() : null;
  const name = email ?? (typeof claims.common_name === "string" ? claims.common_name : null);
  if (!name) throw new AppError("invalid_token", "the Cloudflare Access token names no identity");
  return { name, email, admin: email !== null && admins(env).has(email) };
}
