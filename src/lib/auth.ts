import { AppError } from "./errors";
import { timingSafeEqualStrings } from "./hash";

type BearerHeader = { kind: "missing" } | { kind: "malformed" } | { kind: "token"; token: string };

/** Reads an `Authorization: Bearer <token>` header: missing, malformed, or the token. */
function readBearer(header: string | undefined | null): BearerHeader {
  if (!header || header.trim() === "") return { kind: "missing" };
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return m?.[1] ? { kind: "token", token: m[1] } : { kind: "malformed" };
}

/** The request's bearer token, or a 401 saying what is wrong with the header. */
export function presentedToken(header: string | undefined | null, what: string): string {
  const b = readBearer(header);
  if (b.kind === "missing")
    throw new AppError("missing_token", `${what} requires an Authorization: Bearer token`);
  if (b.kind === "malformed")
    throw new AppError(
      "malformed_authorization",
      `the Authorization header must be "Bearer <token>" (one token, no spaces in it)`,
    );
  return b.token;
}

/** Throws 401 unless the request carries exactly `expected` (compared in constant time). */
export async function requireBearer(
  header: string | undefined | null,
  expected: string,
  what: string,
): Promise<void> {
  const token = presentedToken(header, what);
  if (!(await timingSafeEqualStrings(token, expected))) {
    throw new AppError("invalid_token", `the bearer token is not valid for ${what}`);
  }
}
