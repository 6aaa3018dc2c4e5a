import type { MiddlewareHandler } from "hono";
import { readSecret } from "../config";
import { requireBearer } from "../lib/auth";
import { AppError } from "../lib/errors";
import type { AppEnv } from "../lib/openapi";

/** Every read/admin route takes the QUERY_API_TOKEN secret as a bearer token. */
export const requireQueryToken: MiddlewareHandler<AppEnv> = async (c, next) => {
  const expected = readSecret(c.env, "QUERY_API_TOKEN");
  if (!expected) {
    throw new AppError(
      503,
      "query_token_not_configured",
      "set the QUERY_API_TOKEN secret to use the query API",
    );
  }
  await requireBearer(c.req.header("authorization"), expected, "the query API");
  await next();
};
