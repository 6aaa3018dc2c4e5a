import { AppError } from "./errors";
import { timingSafeEqualStrings } from "./hash";

/** The token of an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(header: string | undefined | null): string | null {
  if (!header) return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m?.[1] ?? null;
}

/** Throws 401 unless the request carries exactly `expected` (compared in constant time). */
export async function requireBearer(
  header: string | undefined | null,
  expected: string,
  what: string,
): Promise<void> {
  const token = bearerToken(header);
  if (!token) {
    throw new AppError(401, "missing_token", `${what} requires an Authorization: Bearer token`);
  }
  if (!(await timingSafeEqualStrings(token, expected))) {
    throw new AppError(401, "invalid_token", `the bearer token is not valid for ${what}`);
  }
}
