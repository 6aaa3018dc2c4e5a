import { createRoute, z } from "@hono/zod-openapi";
import Papa from "papaparse";
import { coldFrom } from "../archive/cold";
import { catalog } from "../catalog";
import { AppError } from "../lib/errors";
import { bearerSecurity, errorResponse, newRouter } from "../lib/openapi";
import { runSql, SqlFailure, type SqlResult } from "../store/sql";
import { sqlExamples } from "../store/sql-examples";
import { ColdMeta } from "./logs";
import { requireQueryToken } from "./query-auth";

/**
 * POST /v1/sql: one read-only SELECT over `logs` and the per-source views (query token). JSON by
 * default; `Accept: application/x-ndjson` (one object per row) or `text/csv` (a header line,
 * then the rows) stream the rows instead. Every format stops before the row that would take the
 * response past MAX_RESPONSE_BYTES, and says so (`meta.truncatedBy`, or the
 * `x-auditflare-truncated-by` header). GET /v1/sql/schema lists the views, their columns and
 * example queries.
 */

const MAX_LIMIT = 10_000;
/** The most a response body of POST /v1/sql holds, in bytes (8 MiB). */
export const MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

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
      truncated: z.boolean().openapi({
        description: "more rows matched than the response holds (see `truncatedBy`)",
      }),
      truncatedBy: z
        .enum(["rows", "bytes"])
        .optional()
        .openapi({
          description: `why rows were left out: more than \`limit\` matched, or the next row would have taken the body past ${MAX_RESPONSE_BYTES} bytes`,
        }),
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
    "Only one SELECT (plain, compound, or with non-recursive CTEs) over `logs` and the per-source views is allowed; anything else is refused with 400 naming the problem. A query whose plan multiplies two scans (a join with no equality on a unique key, two json_each over values the query builds) is refused before it runs with 400 `sql_too_costly`. Times are ISO-8601 text, so `eventTime >= '2026-11-01'` compares as expected and uses the time index. Integers beyond ±(2^53 − 1) come back as strings of their exact decimal value. The response stops at `limit` rows or 8 MiB, whichever comes first.",
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
    400: errorResponse(
      "not one read-only SELECT over the views, too costly to run (`sql_too_costly`), or D1 refused it (its message)",
    ),
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

type TruncatedBy = "rows" | "bytes" | undefined;

/** The encoded pieces that fit in `budget` bytes, and whether any was left out. */
function fitBytes(
  pieces: Iterable<string>,
  budget: number,
): { chunks: Uint8Array[]; cut: boolean } {
  const encoder = new TextEncoder();
  const chunks: Uint8Array[] = [];
  let left = budget;
  for (const piece of pieces) {
    const bytes = encoder.encode(piece);
    if (bytes.byteLength > left) return { chunks, cut: true };
    left -= bytes.byteLength;
    chunks.push(bytes);
  }
  return { chunks, cut: false };
}

function* mapped<T, U>(items: readonly T[], f: (item: T) => U): Generator<U> {
  for (const item of items) yield f(item);
}

const truncatedBy = (r: SqlResult, byBytes: boolean): TruncatedBy =>
  byBytes ? "bytes" : r.truncated ? "rows" : undefined;

/**
 * One CSV line. A text cell a spreadsheet would run as a formula (=, +, -, @, tab or CR first:
 * an actor named =HYPERLINK(…) in an audit log) is written with a leading ' (papaparse's
 * escapeFormulae, OWASP's CSV injection advice); numbers are left as they are.
 */
function csvLine(row: readonly unknown[]): string {
  const cells = row.map((v) => (Array.isArray(v) ? JSON.stringify(v) : v));
  return `${Papa.unparse([cells], { newline: "\r\n", escapeFormulae: true })}\r\n`;
}

function streamed(r: SqlResult, csv: boolean): Response {
  const keys = keysOf(r.columns);
  const line = csv
    ? csvLine
    : (row: unknown[]) =>
        `${JSON.stringify(Object.fromEntries(keys.map((k, i) => [k, row[i]])))}\n`;
  const lines = csv ? [csvLine(r.columns), ...mapped(r.rows, line)] : mapped(r.rows, line);
  const { chunks, cut } = fitBytes(lines, MAX_RESPONSE_BYTES);
  let i = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      const chunk = chunks.slice(i, i + 500);
      i += 500;
      if (chunk.length > 0) controller.enqueue(concat(chunk));
      if (i >= chunks.length) controller.close();
    },
  });
  const type = csv ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8";
  const headers = new Headers({ "content-type": type });
  const by = truncatedBy(r, cut);
  headers.set("x-auditflare-truncated", String(by !== undefined));
  if (by) headers.set("x-auditflare-truncated-by", by);
  headers.set("x-auditflare-rows-read", String(r.rowsRead));
  return new Response(stream, { headers });
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/** Room for the JSON answer's columns and meta around the rows (meta is a few numbers). */
const JSON_ENVELOPE = 1024;

/** The rows of the JSON answer that fit in MAX_RESPONSE_BYTES with its columns and meta. */
function jsonRows(r: SqlResult): { rows: SqlResult["rows"]; by: TruncatedBy } {
  const envelope = new TextEncoder().encode(JSON.stringify(r.columns)).byteLength + JSON_ENVELOPE;
  const pieces = mapped(r.rows, (row) => `${JSON.stringify(row)},`);
  const { chunks, cut } = fitBytes(pieces, MAX_RESPONSE_BYTES - envelope);
  return { rows: r.rows.slice(0, chunks.length), by: truncatedBy(r, cut) };
}

export const sqlRoutes = newRouter();
sqlRoutes.use("/v1/sql", requireQueryToken);
sqlRoutes.use("/v1/sql/*", requireQueryToken);

/** What D1 may send for one answer (raw bytes): twice the response's cap, since a row's JSON or
 * CSV can be up to ~1.5 times shorter than its raw bytes (`1.0` is `1`), never more. */
const D1_BYTES = 2 * MAX_RESPONSE_BYTES;

const FAILURE_CODES = {
  not_allowed: "sql_not_allowed",
  too_costly: "sql_too_costly",
  d1: "sql_error",
} as const;

sqlRoutes.openapi(route, async (c) => {
  const { query, limit } = c.req.valid("json");
  const started = Date.now();
  let result: SqlResult;
  try {
    result = await runSql(c.env.DB, query, limit, D1_BYTES, catalog());
  } catch (error) {
    if (!(error instanceof SqlFailure)) throw error;
    throw new AppError(FAILURE_CODES[error.kind], error.message);
  }
  const accept = c.req.header("accept") ?? "";
  if (accept.includes("text/csv")) return streamed(result, true) as never;
  if (accept.includes("application/x-ndjson")) return streamed(result, false) as never;
  const { rows, by } = jsonRows(result);
  const cold = await coldFrom(c.env, Date.now(), { from: result.from });
  const meta = {
    rowsRead: result.rowsRead,
    durationMs: Date.now() - started,
    truncated: by !== undefined,
    ...(by ? { truncatedBy: by } : {}),
    ...(cold ? { coldFrom: cold } : {}),
  };
  return c.json({ columns: result.columns, rows, meta }, 200);
});

sqlRoutes.openapi(schemaRoute, (c) => {
  const views = catalog().columns.map((v) => ({ ...v }));
  const examples = sqlExamples(
    Date.now(),
    views.map((v) => v.name),
  );
  return c.json({ views, examples }, 200);
});
