import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { AppError, errorBody } from "./errors";

export type AppEnv = { Bindings: Env; Variables: { requestId: string } };

/** A router whose zod validation failures answer 400 in the contract's error shape. */
export function newRouter(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (result.success) return;
      const issue = result.error.issues[0];
      const param = issue?.path.length ? issue.path.map(String).join(".") : result.target;
      return c.json(
        errorBody(
          "invalid_parameter",
          `${result.target} parameter "${param}": ${issue?.message ?? "invalid"}`,
        ),
        400,
      );
    },
  });
}

const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: "invalid_parameter" }),
      message: z.string(),
      requestId: z.string().optional(),
    }),
  })
  .openapi("Error");

export const errorResponse = (description: string) => ({
  content: { "application/json": { schema: ErrorSchema } },
  description,
});

export const bearerSecurity = [{ bearerAuth: [] }];

/** Unknown query parameters are a 400 naming the first one, on every route that takes a query. */
export function rejectUnknownParams(c: Context<AppEnv>, known: ReadonlySet<string>): void {
  for (const key of Object.keys(c.req.queries())) {
    if (!known.has(key)) {
      throw new AppError("unknown_parameter", `unknown query parameter "${key}"`);
    }
  }
}
