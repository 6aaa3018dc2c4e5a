import { createRoute, z } from "@hono/zod-openapi";
import { coldFacets, coldHistogram, coldScope } from "../archive/explore";
import { sourcesOf } from "../archive/tiers";
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
const HistogramParams = FilterParams.extend({
  by: z.enum(["sourceID"]).optional().openapi({
    description: "split each bucket's count by source: `bySource` in each bucket",
  }),
});
const HISTOGRAM_KNOWN = new Set(Object.keys(HistogramParams.shape));

/** The archive's part of a histogram (docs/archive.md "Histogram and facets"). */
const ArchiveCountMeta = z.object({
  tiers: z.array(z.enum(["hot", "archive"])),
  archive: z.object({
    manifestHours: z
      .number()
      .int()
      .openapi({ description: "archived event-hours counted from the manifest (no Parquet)" }),
    objects: z.number().int().openapi({ description: "Parquet objects read" }),
    bytes: z.number().int(),
    cut: z.enum(["objects", "bytes", "rows", "time"]).optional().openapi({
      description: "a bound left archive objects uncounted: narrow the range or filter",
    }),
  }),
});

const histogramRoute = createRoute({
  method: "get",
  path: "/v1/logs/histogram",
  operationId: "logsHistogram",
  tags: ["query"],
  summary: "Matching events per time bucket (by event time)",
  description:
    "Buckets are minutes for ranges up to 6 hours, hours up to 14 days, days beyond. With `since` the range ends now; without `from`/`to`/`since` it is that of the matching events.",
  security: bearerSecurity,
  request: { query: HistogramParams },
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
                z.object({
                  start: z.string(),
                  end: z.string(),
                  count: z.number().int(),
                  bySource: z.record(z.string(), z.number().int()).optional().openapi({
                    description: "with by=sourceID: the bucket's count per source",
                  }),
                }),
              ),
              meta: ArchiveCountMeta.optional(),
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

const FacetMeta = z.object({
  tiers: z.array(z.enum(["hot", "archive"])),
  archive: z.object({
    objects: z.number().int().openapi({ description: "Parquet objects counted (newest first)" }),
    bytes: z.number().int(),
    cut: z.enum(["objects", "bytes", "rows", "time"]).optional().openapi({
      description: "older archive objects of the range were not counted: narrow the range",
    }),
  }),
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
            .object({
              facets: z.object(Object.fromEntries(FACET_FIELDS.map((f) => [f, Facet]))),
              meta: FacetMeta.optional(),
            })
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
  rejectUnknownParams(c, HISTOGRAM_KNOWN);
  const { by, ...query } = c.req.valid("query");
  const filter = filterOf(query, Date.now(), true);
  // hours whose rows left D1 are counted from the archive (issue 28); D1 counts the others
  const sources = sourcesOf(c.env, filter);
  const cold = await coldScope(c.env.DB, sources);
  const h = await histogram(
    c.env.DB,
    { ...filter, skipColdHours: cold !== undefined, from: filter.from ?? cold?.oldest },
    by,
  );
  const size = (h.buckets[1]?.start ?? h.to) - (h.buckets[0]?.start ?? h.from);
  let meta: z.infer<typeof ArchiveCountMeta> | undefined;
  const first = h.buckets[0]?.start;
  if (cold && first !== undefined) {
    const counted = await coldHistogram(c.env, filter, sources, h, first, size);
    for (const [i, n] of counted.counts) {
      const b = h.buckets[i];
      if (!b) continue;
      b.count += n;
      h.total += n;
      // split by source, the archive's counts are one part of their own (not per source)
      if (b.bySource) b.bySource["(archive)"] = (b.bySource["(archive)"] ?? 0) + n;
    }
    const { cut, ...stats } = counted.stats;
    meta = {
      tiers: ["hot", "archive"],
      archive: {
        manifestHours: stats.manifestHours,
        objects: stats.objects,
        bytes: stats.bytes,
        ...(cut ? { cut } : {}),
      },
    };
  }
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
        ...(b.bySource ? { bySource: b.bySource } : {}),
      })),
      ...(meta ? { meta } : {}),
    },
    200,
  );
});

exploreRoutes.openapi(facetsRoute, async (c) => {
  rejectUnknownParams(c, KNOWN);
  const filter = filterOf(c.req.valid("query"));
  const sources = sourcesOf(c.env, filter);
  const cold = await coldScope(c.env.DB, sources);
  if (!cold) return c.json({ facets: await facets(c.env.DB, filter) }, 200);
  // D1's top 100 per field (cold hours left out) plus the archive's counts, then the top 10
  const [hot, archived] = await Promise.all([
    facets(c.env.DB, { ...filter, skipColdHours: true }, 100),
    coldFacets(c.env, filter, sources),
  ]);
  const merged = Object.fromEntries(
    FACET_FIELDS.map((f) => {
      const m = new Map(archived.counts.get(f));
      for (const { value, count } of hot[f]) m.set(value, (m.get(value) ?? 0) + count);
      const top = [...m]
        .map(([value, count]) => ({ value, count }))
        .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0))
        .slice(0, 10);
      return [f, top];
    }),
  );
  const { cut, objects, bytes } = archived.stats;
  return c.json(
    {
      facets: merged,
      meta: {
        tiers: ["hot", "archive"] as Array<"hot" | "archive">,
        archive: { objects, bytes, ...(cut ? { cut } : {}) },
      },
    },
    200,
  );
});
