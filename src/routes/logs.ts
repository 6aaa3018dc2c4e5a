import { createRoute, z } from "@hono/zod-openapi";
import { findArchived, MAX_PROBES } from "../archive/lookup";
import { queryTiers, type TierMeta } from "../archive/tiers";
import { present as presentRow, viewOf } from "../catalog";
import { SOURCE_TYPES } from "../config";
import { decodeCursor, encodeCursor } from "../lib/cursor";
import { AppError } from "../lib/errors";
import { bearerSecurity, errorResponse, newRouter, rejectUnknownParams } from "../lib/openapi";
import { checkEventTime, parseRelative, parseTimestamp } from "../lib/time";
import { presentedJson } from "../store/present";
import { FILTER_FIELDS, type FilterField, getLog, type LogQuery } from "../store/query";
import { requireQueryToken } from "./query-auth";

/**
 * An ISO-8601 date-time (no zone = UTC), or a bare date meaning its midnight UTC, under the
 * same time rule as events: a real date-time between 1970-01-01 and now + 1 day.
 */
const queryTime = (s: string) => {
  const t = parseTimestamp(/^\d{4}-\d{2}-\d{2}$/.test(s) ? `${s}T00:00:00Z` : s);
  return t !== null && checkEventTime(t, Date.now()) === null ? t : null;
};
export const isoTime = z
  .string()
  .refine(
    (s) => queryTime(s) !== null,
    "must be an ISO-8601 date-time or date between 1970-01-01 and one day from now, e.g. 2026-01-31T00:00:00Z or 2026-01-31",
  )
  .transform((s) => queryTime(s) as number);

const EXCLUDE_FORM = `must be <field>:<value> with a field among ${FILTER_FIELDS.join(", ")}`;

const exclusions = z
  .union([z.string().max(600), z.array(z.string().max(600)).max(50)])
  .optional()
  .transform((v, ctx) => {
    if (v === undefined) return undefined;
    const out: Array<{ field: FilterField; value: string }> = [];
    for (const s of Array.isArray(v) ? v : [v]) {
      const at = s.indexOf(":");
      const field = s.slice(0, at) as FilterField;
      if (at < 1 || !FILTER_FIELDS.includes(field)) {
        ctx.addIssue({ code: "custom", message: `"${s}" ${EXCLUDE_FORM}` });
        return z.NEVER;
      }
      out.push({ field, value: s.slice(at + 1) });
    }
    return out;
  });

/** The filter of GET /v1/logs, also taken by the histogram and the facets (routes/explore.ts). */
export const FilterParams = z.object({
  sourceType: z.enum(SOURCE_TYPES).optional(),
  sourceID: z.string().min(1).max(200).optional(),
  eventName: z.string().min(1).max(500).optional(),
  actor: z
    .string()
    .min(1)
    .max(500)
    .optional()
    .openapi({ description: "matches any value of the actor map (id, email, name …)" }),
  srcIP: z.string().min(1).max(100).optional(),
  srcASOrganization: z.string().min(1).max(300).optional(),
  srcASCountryCode: z.string().min(1).max(10).optional(),
  q: z.string().min(1).max(200).optional().openapi({
    description:
      "free text: a substring (case-insensitive for ASCII) of eventName, actor, srcIP, resources or rawLog; scans the rows the other filters leave",
  }),
  exclude: exclusions.openapi({
    description: "leave out rows whose field has a value, as <field>:<value>; repeatable",
    example: "eventName:session-created",
  }),
  from: isoTime.optional().openapi({ description: "inclusive lower bound (ISO-8601)" }),
  to: isoTime.optional().openapi({ description: "exclusive upper bound (ISO-8601)" }),
  since: z
    .string()
    .refine(
      (s) => parseRelative(s) !== null,
      "must be a relative range such as 15m, 1h, 24h, 7d or 30d",
    )
    .transform((s) => parseRelative(s) as number)
    .optional()
    .openapi({
      description:
        "a relative range ending now: <n><unit> with unit s, m, h, d or w (15m, 1h, 24h, 7d, 30d; at most 366 days); sets `from` to now minus it, so it cannot be combined with `from` or `to`",
      example: "24h",
    }),
});

/**
 * A filter's parameters as the store takes them: a relative `since` becomes `from` (now minus
 * it); 400 when `since` comes with `from`/`to` or when the range is empty.
 */
export function filterOf<T extends { from?: number; to?: number; since?: number }>(
  p: T,
  now = Date.now(),
  endsNow = false,
): Omit<T, "since"> {
  const { since, ...rest } = p;
  if (since !== undefined) {
    if (p.from !== undefined || p.to !== undefined)
      throw new AppError(
        "invalid_parameter",
        `query parameter "since" is a range of its own: give it or "from"/"to", not both`,
      );
    // endsNow (the histogram): the range is [now - since, now], so its axis ends now
    return { ...rest, from: now - since, ...(endsNow ? { to: now + 1 } : {}) };
  }
  if (p.from !== undefined && p.to !== undefined && p.from >= p.to) {
    throw new AppError("invalid_parameter", `query parameter "from" must be before "to"`);
  }
  return rest;
}

const LogsQuery = FilterParams.extend({
  timeField: z.enum(["eventTime", "receivedAt"]).default("eventTime"),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z.string().max(500).optional(),
  order: z.enum(["desc", "asc"]).default("desc"),
});

const LogRowSchema = z.record(z.string(), z.unknown()).openapi("LogRow", {
  description:
    "Every common column (id, workspaceID, sourceType, sourceID, sourceTTL, receivedAt, eventTime, eventName, eventID, readOnly, src*/dst* endpoint columns, actor, tags, resources, serviceName, enrichments, rawLog, rawLogRef) plus sourceFields with the vendor columns.",
});

/** Present when the range reaches below the hot tier: older events may be only in the archive. */
export const ColdMeta = z.object({
  coldFrom: z.string().openapi({
    description:
      "events before this time may have left D1 for the R2 archive (docs/archive.md); query them there",
  }),
});

/** Where a page of GET /v1/logs came from (docs/archive.md "Reading across tiers"). */
const TierMetaSchema = z
  .object({
    tiers: z.array(z.enum(["hot", "archive"])).openapi({
      description: "the tiers read for this page: hot (D1), archive (Parquet in R2)",
    }),
    rows: z.object({ hot: z.number().int(), archive: z.number().int() }),
    archive: z
      .object({
        objects: z.number().int().openapi({ description: "archive objects opened" }),
        bytes: z.number().int().openapi({ description: "bytes read from them (ranged reads)" }),
        rowsScanned: z.number().int(),
        cut: z.enum(["objects", "bytes", "rows", "time"]).optional().openapi({
          description:
            "the bound on the archive read that ended this page early; the page is complete up to its last row and nextCursor continues after it",
        }),
      })
      .optional(),
  })
  .openapi("TierMeta");

const listRoute = createRoute({
  method: "get",
  path: "/v1/logs",
  operationId: "listLogs",
  tags: ["query"],
  summary:
    "Query stored events (newest first by default); NDJSON export with Accept: application/x-ndjson",
  security: bearerSecurity,
  request: { query: LogsQuery },
  responses: {
    200: {
      content: {
        "application/json": {
          schema: z.object({
            data: z.array(LogRowSchema),
            nextCursor: z.string().nullable(),
            meta: TierMetaSchema,
          }),
        },
        "application/x-ndjson": { schema: LogRowSchema },
      },
      description: "a page of rows, or every matching row as NDJSON",
    },
    400: errorResponse("a parameter is invalid (the message names it)"),
    401: errorResponse("missing or wrong query token"),
  },
});

const getRoute = createRoute({
  method: "get",
  path: "/v1/logs/{id}",
  operationId: "getLog",
  tags: ["query"],
  summary: "One stored event, from D1 or the archive",
  description:
    "Looks in D1, then in the archive's cold hours (docs/archive.md: an id carries no time, so each archive object's id bloom filter is probed; `eventTime` narrows the probe to the objects whose events span that time).",
  security: bearerSecurity,
  request: {
    params: z.object({ id: z.string() }),
    query: z.object({
      eventTime: isoTime.optional().openapi({
        description:
          "the event's time (every row carries it): the archive lookup then reads only the objects that can hold it",
      }),
    }),
  },
  responses: {
    200: { content: { "application/json": { schema: LogRowSchema } }, description: "the row" },
    401: errorResponse("missing or wrong query token"),
    404: errorResponse("no such row"),
  },
});

const KNOWN_PARAMS = new Set(Object.keys(LogsQuery.shape));
const EXPORT_PAGE = 500;

function exportNdjson(env: Env, query: LogQuery): Response {
  const encoder = new TextEncoder();
  let q: LogQuery = { ...query, limit: EXPORT_PAGE };
  let done = false;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (done) return controller.close();
      // one bounded page of both tiers per pull: the export streams across them
      const page = await queryTiers(env, q);
      if (page.rows.length > 0) {
        controller.enqueue(
          encoder.encode(page.rows.map((r) => `${JSON.stringify(presentRow(r))}\n`).join("")),
        );
      }
      if (!page.next) {
        done = true;
        controller.close();
      } else q = { ...q, after: page.next };
    },
  });
  return new Response(stream, {
    headers: { "content-type": "application/x-ndjson; charset=utf-8" },
  });
}

export const logsRoutes = newRouter();
logsRoutes.use("/v1/logs", requireQueryToken);
logsRoutes.use("/v1/logs/*", requireQueryToken);

logsRoutes.openapi(listRoute, async (c) => {
  rejectUnknownParams(c, KNOWN_PARAMS);
  const p = filterOf(c.req.valid("query"));
  const query: LogQuery = { ...p, limit: p.limit };
  if (p.cursor) {
    const cur = decodeCursor(p.cursor);
    if (!cur)
      throw new AppError(
        "invalid_parameter",
        `query parameter "cursor" is not a cursor this API issued`,
      );
    if (cur.f !== p.timeField || cur.o !== p.order) {
      throw new AppError(
        "invalid_parameter",
        `query parameter "cursor" was issued for timeField=${cur.f}&order=${cur.o}; repeat those with it`,
      );
    }
    query.after = { t: cur.t, key: cur.key };
  }
  if ((c.req.header("accept") ?? "").includes("application/x-ndjson")) {
    return exportNdjson(c.env, query) as never;
  }
  const page = await queryTiers(c.env, query);
  const nextCursor = page.next
    ? encodeCursor({ f: query.timeField, o: query.order, ...page.next })
    : null;
  const meta: TierMeta = page.meta;
  // the text of c.json({ data: page.rows.map(presentRow), nextCursor, meta }), each row written
  // directly (src/store/present.ts presentedJson), no object built for it
  const data = page.rows.map((r) => presentedJson(r, viewOf(r.sourceType))).join(",");
  const body = `{"data":[${data}],"nextCursor":${JSON.stringify(nextCursor)},"meta":${JSON.stringify(meta)}}`;
  return c.body(body, 200, { "content-type": "application/json" }) as never;
});

logsRoutes.openapi(getRoute, async (c) => {
  const id = c.req.param("id");
  const { eventTime } = c.req.valid("query");
  if (!/^[0-9a-f]{1,64}$/.test(id)) {
    throw new AppError("log_not_found", `no stored event with id "${id}"`);
  }
  const row = await getLog(c.env.DB, id);
  if (row) return c.json(presentRow(row), 200, { "x-auditflare-tier": "hot" });
  const found = await findArchived(c.env, id, eventTime);
  const cost = {
    "x-auditflare-archive-objects": String(found.stats.objects),
    "x-auditflare-archive-bytes": String(found.stats.bytes),
  };
  if (found.row) {
    return c.json(presentRow(found.row), 200, { "x-auditflare-tier": "archive", ...cost });
  }
  throw new AppError(
    "log_not_found",
    found.unsearched
      ? `no stored event with id "${id}" in D1 or the ${MAX_PROBES} newest archive objects; repeat with eventTime=<the event's time> to look in the archive objects of that time`
      : `no stored event with id "${id}"`,
  );
});
