import { createRoute, z } from "@hono/zod-openapi";
import { bearerSecurity, errorResponse, newRouter, rejectUnknownParams } from "../lib/openapi";
import { toIso } from "../lib/time";
import { FACET_FIELDS, facets, histogram } from "../store/explore";
import { FilterParams, filterOf } from "./logs";
import { requireQueryToken } from "./query-auth";

/**
 * What the explorer draws above and beside the rows, under the filter of GET /v1/logs: counts of
 * matching events per time bucket (minute, hour or day, by the range), and the top values of six
 * fields. Mounted before /v1/logs/{id}.
 */

const KNOWN = new Set(Object.keys(FilterParams.shape));

const histogramRoute = createRoute({
  method: "get",
  path: "/v1/logs/histogram",
  operationId: "logsHistogram",
  tags: ["query"],
  summary: "Matching events per time bucket (by event time)",
  description:
    "Buckets are minutes for ranges up to 6 hours, hours up to 14 days, days beyond. Without `from`/`to` the range is that of the matching events.",
  security: bearerSecurity,
  request: { query: FilterParams },
  responses: {
    200: {
      content: {
        "application/json": {
          schema: z
            .object({
              interval: z.enum(["minute", "hour", "day"]),
              from: z.string(),
              to: z.string(),
              total: z.number().int(),
              buckets: z.array(
                z.object({ start: z.string(), end: z.string(), count: z.number().int() }),
              ),
            })
            .openapi("Histogram"),
        },
      },
      description: "every bucket of the range, empty ones included",
    },
    400: errorResponse("a parameter is invalid (the message names it)"),
    401: errorResponse("missing or wrong query token"),
  },
});

const Facet = z.array(z.object({ value: z.string(), count: z.number().int() }));
const facetsRoute = createRoute({
  method: "get",
  path: "/v1/logs/facets",
  operationId: "logsFacets",
  tags: ["query"],
  summary: "The 10 most frequent values of six fields among matching events",
  description:
    "Fields: sourceType, eventName, actor (its email, else name, else id), srcIP, srcASOrganization, srcASCountryCode.",
  security: bearerSecurity,
  request: { query: FilterParams },
  responses: {
    200: {
      content: {
        "application/json": {
          schema: z
            .object({ facets: z.object(Object.fromEntries(FACET_FIELDS.map((f) => [f, Facet]))) })
            .openapi("Facets"),
        },
      },
      description: "top values with counts, most frequent first",
    },
    400: errorResponse("a parameter is invalid (the message names it)"),
    401: errorResponse("missing or wrong query token"),
  },
});

export const exploreRoutes = newRouter();
exploreRoutes.use("/v1/logs/histogram", requireQueryToken);
exploreRoutes.use("/v1/logs/facets", requireQueryToken);

exploreRoutes.openapi(histogramRoute, async (c) => {
  rejectUnknownParams(c, KNOWN);
  const h = await histogram(c.env.DB, filterOf(c.req.valid("query")));
  const size = (h.buckets[1]?.start ?? h.to) - (h.buckets[0]?.start ?? h.from);
  return c.json(
    {
      interval: h.interval,
      from: toIso(h.from),
      to: toIso(h.to),
      total: h.total,
      buckets: h.buckets.map((b) => ({
        start: toIso(b.start),
        end: toIso(b.start + size),
        count: b.count,
      })),
    },
    200,
  );
});

exploreRoutes.openapi(facetsRoute, async (c) => {
  rejectUnknownParams(c, KNOWN);
  return c.json({ facets: await facets(c.env.DB, filterOf(c.req.valid("query"))) }, 200);
});
