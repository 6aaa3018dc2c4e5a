import { createRoute, z } from "@hono/zod-openapi";
import { rebuildArchive, runArchive } from "../archive/job";
import { workerNow } from "../lib/clock";
import {
  adminSecurity,
  bearerSecurity,
  errorResponse,
  newRouter,
  rejectUnknownParams,
} from "../lib/openapi";
import { toIso } from "../lib/time";
import { listManifest } from "../store/archive-manifest";
import { isoTime } from "./logs";
import { requireAdminToken, requireQueryToken } from "./query-auth";

/**
 * The R2 archive (src/archive/): run the job now (admin), and list what it wrote (query token).
 */

const RunQuery = z.object({
  through: z.enum(["now"]).optional().openapi({
    description:
      "also archive the current, still-open hour (its later events go into a further part)",
  }),
});

const RunResult = z
  .object({
    status: z.enum(["done", "busy", "more"]).openapi({
      description:
        "busy: another run holds the lease; more: the run stopped at its bound, run again",
    }),
    through: z.string(),
    parts: z.number().int(),
    rows: z.number().int(),
    bytes: z.number().int(),
    failed: z
      .array(z.object({ source: z.string(), hour: z.string(), error: z.string() }))
      .optional()
      .openapi({
        description:
          "hours that failed in this run (an object that cannot be read, R2 refusing a write), left to the next run; the other hours went on",
      }),
  })
  .openapi("ArchiveRun");

const runRoute = createRoute({
  method: "post",
  path: "/v1/archive/run",
  operationId: "runArchive",
  tags: ["archive"],
  summary: "Archive every closed hour not yet archived (with ?through=now, the open hour too)",
  security: adminSecurity,
  request: { query: RunQuery },
  responses: {
    200: {
      content: { "application/json": { schema: RunResult } },
      description: "what this run wrote",
    },
    401: errorResponse("missing or wrong token"),
    403: errorResponse("the token only reads"),
  },
});

const ListQuery = z.object({
  source: z.string().min(1).max(200).optional(),
  from: isoTime.optional().openapi({ description: "hours from (inclusive, ISO-8601)" }),
  to: isoTime.optional().openapi({ description: "hours before (exclusive, ISO-8601)" }),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

const Entry = z.object({
  source: z.string(),
  hour: z.string(),
  part: z.number().int(),
  key: z.string(),
  rows: z.number().int(),
  bytes: z.number().int(),
  minEventTime: z.string(),
  maxEventTime: z.string(),
  sha256: z.string(),
  createdAt: z.string(),
});

const listRoute = createRoute({
  method: "get",
  path: "/v1/archive",
  operationId: "listArchive",
  tags: ["archive"],
  summary: "The archive's objects (newest hour first), with totals",
  security: bearerSecurity,
  request: { query: ListQuery },
  responses: {
    200: {
      content: {
        "application/json": {
          schema: z.object({
            data: z.array(Entry),
            totals: z.object({
              objects: z.number().int(),
              rows: z.number().int(),
              bytes: z.number().int(),
            }),
          }),
        },
      },
      description: "manifest entries",
    },
    400: errorResponse("a parameter is invalid"),
    401: errorResponse("missing or wrong query token"),
  },
});

const RebuildQuery = z.object({
  source: z.string().min(1).max(200).optional(),
  from: isoTime.optional().openapi({ description: "hours from (inclusive, ISO-8601)" }),
  to: isoTime.optional().openapi({ description: "hours before (exclusive, ISO-8601)" }),
});

const rebuildRoute = createRoute({
  method: "post",
  path: "/v1/archive/rebuild",
  operationId: "rebuildArchive",
  tags: ["archive"],
  summary: "Forget the archive of matching hours so the next run writes them again",
  description:
    "Only hours whose rows are all still in D1 are rebuilt (their objects are deleted, then their manifest entries); hours some of whose rows may have left D1 (the archive their only copy) are listed under `refused`: a cooled hour (docs/archive.md) unless D1 holds exactly the manifest's rows. Then POST /v1/archive/run writes them again under the same keys.",
  security: adminSecurity,
  request: { query: RebuildQuery },
  responses: {
    200: {
      content: {
        "application/json": {
          schema: z
            .object({
              status: z.enum(["done", "busy"]),
              hours: z.number().int(),
              objectsDeleted: z.number().int(),
              refused: z.array(z.object({ source: z.string(), hour: z.string() })),
            })
            .openapi("ArchiveRebuild"),
        },
      },
      description: "what was forgotten",
    },
    400: errorResponse("a parameter is invalid"),
    401: errorResponse("missing or wrong token"),
    403: errorResponse("the token only reads"),
  },
});

export const archiveRoutes = newRouter();
archiveRoutes.use("/v1/archive/rebuild", requireAdminToken);
archiveRoutes.use("/v1/archive/run", requireAdminToken);
archiveRoutes.use("/v1/archive", requireQueryToken);

archiveRoutes.openapi(runRoute, async (c) => {
  const { through } = c.req.valid("query");
  const run = await runArchive(c.env, workerNow(c.env), { throughNow: through === "now" });
  const { failed, ...counts } = run;
  return c.json(
    {
      ...counts,
      through: toIso(run.through),
      ...(failed
        ? {
            failed: failed.map((f) => ({
              source: f.sourceID,
              hour: toIso(f.hour),
              error: f.error,
            })),
          }
        : {}),
    },
    200,
  );
});

archiveRoutes.openapi(listRoute, async (c) => {
  rejectUnknownParams(c, new Set(Object.keys(ListQuery.shape)));
  const q = c.req.valid("query");
  const { entries, totals } = await listManifest(c.env.DB, { ...q, sourceID: q.source });
  // (ridSum: verification's own figure, not the API's)
  const data = entries.map(
    ({ sourceID, hour, minEventTime, maxEventTime, createdAt, ridSum: _, ...e }) => ({
      source: sourceID,
      hour: toIso(hour),
      ...e,
      minEventTime: toIso(minEventTime),
      maxEventTime: toIso(maxEventTime),
      createdAt: toIso(createdAt),
    }),
  );
  return c.json({ data, totals }, 200);
});

archiveRoutes.openapi(rebuildRoute, async (c) => {
  rejectUnknownParams(c, new Set(Object.keys(RebuildQuery.shape)));
  const q = c.req.valid("query");
  const r = await rebuildArchive(c.env, workerNow(c.env), { ...q, sourceID: q.source });
  const refused = r.refused.map((h) => ({ source: h.source, hour: toIso(h.hour) }));
  return c.json({ ...r, refused }, 200);
});
