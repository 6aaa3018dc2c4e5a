import { createRoute, z } from "@hono/zod-openapi";
import Papa from "papaparse";
import { coldFrom } from "../archive/cold";
import { AppError } from "../lib/errors";
import { bearerSecurity, errorResponse, newRouter } from "../lib/openapi";
import { runSql, SqlFailure, type SqlResult } from "../store/sql";
import { sqlExamples } from "../store/sql-examples";
import { VIEW_COLUMNS } from "../store/views";
import { ColdMeta } from "./logs";
import { requireQueryToken } from "./query-auth";

/**
 * POST /v1/sql: one read-only SELECT over `logs` and the per-source views (query token). JSON by
 * default; `Accept: application/x-ndjson` (one object per row) or `text/csv` (a header line,
 * then the rows) stream the rows instead. GET /v1/sql/schema lists the views, their columns and
 * example queries.
 */

const MAX_LIMIT = 10_000;

const Body = z.object({
  query: z.string().min(1).max(100_000).openapi({
    example:
      "SELECT sourceType, count(*) AS n FROM logs WHERE eventTime >= '2026-11-01' GROUP BY 1",
  }),
  limit: z.number().int().min(1).max(MAX_LIMIT).default(1000),
});

const Value = z.union([z.string(), z.number(), z.null(), z.array(z.number())]);
const Answer = z
  .object({
    columns: z.array(z.string()),
    rows: z.array(z.array(Value)),
    meta: z.object({
      rowsRead: z.number().int(),
      durationMs: z.number(),
      truncated: z.boolean().openapi({ description: "more rows than `limit` matched" }),
      coldFrom: ColdMeta.shape.coldFrom.optional(),
    }),
  })
  .openapi("SqlResult");

const route = createRoute({
  method: "post",
  path: "/v1/sql",
  operationId: "runSql",
  tags: ["query"],
  summary: "Run one read-only SELECT over the views (logs, <vendor> views)",
  description:
    "Only one SELECT (plain, compound, or with non-recursive CTEs) over `logs` and the per-source views is allowed; anything else is refused with 400 naming the problem. Times are ISO-8601 text, so `eventTime >= '2026-11-01'` compares as expected and uses the time index.",
  security: bearerSecurity,
  request: { body: { content: { "application/json": { schema: Body } }, required: true } },
  responses: {
    200: {
      content: {
        "application/json": { schema: Answer },
        "application/x-ndjson": { schema: z.record(z.string(), Value) },
        "text/csv": { schema: z.string() },
      },
      description: "the rows (at most `limit`)",
    },
    400: errorResponse("not one read-only SELECT over the views, or D1 refused it (its message)"),
    401: errorResponse("missing or wrong query token"),
  },
});

const schemaRoute = createRoute({
  method: "get",
  path: "/v1/sql/schema",
  operationId: "sqlSchema",
  tags: ["query"],
  summary: "The views POST /v1/sql reads, their columns, and example queries",
  security: bearerSecurity,
  responses: {
    200: {
      content: {
        "application/json": {
          schema: z.object({
            views: z.array(
              z.object({ name: z.string(), description: z.string(), columns: z.array(z.string()) }),
            ),
            examples: z.array(z.object({ title: z.string(), sql: z.string() })),
          }),
        },
      },
      description: "views and examples",
    },
    401: errorResponse("missing or wrong query token"),
  },
});

/** Column names as object keys: a repeated name gets `:1`, `:2` … (as SQLite names them). */
function keysOf(columns: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return columns.map((c) => {
    const n = seen.get(c) ?? 0;
    seen.set(c, n + 1);
    return n === 0 ? c : `${c}:${n}`;
  });
}

function streamed(r: SqlResult, csv: boolean): Response {
  const encoder = new TextEncoder();
  const keys = keysOf(r.columns);
  const line = csv
    ? (row: unknown[]) =>
        `${Papa.unparse([row.map((v) => (Array.isArray(v) ? JSON.stringify(v) : v))], { newline: "\r\n" })}\r\n`
    : (row: unknown[]) =>
        `${JSON.stringify(Object.fromEntries(keys.map((k, i) => [k, row[i]])))}\n`;
  let i = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i === 0 && csv) controller.enqueue(encoder.encode(line(r.columns)));
      const chunk = r.rows.slice(i, i + 500);
      i += 500;
      if (chunk.length > 0) controller.enqueue(encoder.encode(chunk.map(line).join("")));
      if (i >= r.rows.length) controller.close();
    },
  });
  const type = csv ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8";
  const headers = new Headers({ "content-type": type });
  headers.set("x-auditflare-truncated", String(r.truncated));
  headers.set("x-auditflare-rows-read", String(r.rowsRead));
  return new Response(stream, { headers });
}

export const sqlRoutes = newRouter();
sqlRoutes.use("/v1/sql", requireQueryToken);
sqlRoutes.use("/v1/sql/*", requireQueryToken);

sqlRoutes.openapi(route, async (c) => {
  const { query, limit } = c.req.valid("json");
  const started = Date.now();
  let result: SqlResult;
  try {
    result = await runSql(c.env.DB, query, limit);
  } catch (error) {
    if (!(error instanceof SqlFailure)) throw error;
    const code = error.kind === "not_allowed" ? "sql_not_allowed" : "sql_error";
    throw new AppError(code, error.message);
  }
  const accept = c.req.header("accept") ?? "";
  if (accept.includes("text/csv")) return streamed(result, true) as never;
  if (accept.includes("application/x-ndjson")) return streamed(result, false) as never;
  const { columns, rows, rowsRead, truncated } = result;
  const cold = await coldFrom(c.env, Date.now(), { from: result.from });
  const meta = {
    rowsRead,
    durationMs: Date.now() - started,
    truncated,
    ...(cold ? { coldFrom: cold } : {}),
  };
  return c.json({ columns, rows, meta }, 200);
});

sqlRoutes.openapi(schemaRoute, (c) =>
  c.json({ views: VIEW_COLUMNS.map((v) => ({ ...v })), examples: sqlExamples(Date.now()) }, 200),
);
