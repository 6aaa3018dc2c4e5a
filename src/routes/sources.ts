import { createRoute, z } from "@hono/zod-openapi";
import { loadDestinations } from "../alerts/destinations";
import { loadSources, type SourceConfig } from "../config";
import { EnrichmentSchema, enrichmentStatus } from "../enrich/status";
import { bearerSecurity, errorResponse, newRouter } from "../lib/openapi";
import { toIso } from "../lib/time";
import { readDestinationHealth } from "../store/alerts";
import { archivedThrough } from "../store/archive-manifest";
import { type CursorState, readCursors } from "../store/cursors";
import { readSubscriptions, type Subscription } from "../store/deliveries";
import { readStats } from "../store/stats";
import { vendorOf } from "../vendors";
import { requireQueryToken } from "./query-auth";

/** The transports a source uses: those of its vendor that its config names ("push+bucket"). */
function transportOf(s: SourceConfig): string {
  const configured = {
    push: "ingestTokenEnv" in s && !!s.ingestTokenEnv,
    bucket:
      ("prefix" in s && !!s.prefix) ||
      ("s3" in s && !!s.s3) ||
      ("gcs" in s && !!s.gcs) ||
      ("azure" in s && !!s.azure),
    poll: true,
    builtin: true,
  };
  return vendorOf(s.type)
    .transports.filter((t) => configured[t])
    .join("+");
}

const SourceSchema = z
  .object({
    id: z.string(),
    type: z.string(),
    transport: z.string(),
    counts: z.object({
      received: z.number(),
      inserted: z.number(),
      duplicates: z.number(),
      quarantined: z.number(),
      skipped: z.number(),
    }),
    lastEventTime: z.string().nullable(),
    lastReceivedAt: z.string().nullable(),
    lastSuccess: z.string().nullable(),
    lastError: z.object({ at: z.string(), message: z.string() }).nullable(),
    lagSeconds: z
      .number()
      .nullable()
      .openapi({ description: "seconds since the newest stored event" }),
    cursor: z.unknown().nullable(),
    bucket: z
      .string()
      .optional()
      .openapi({ description: "where a bucket source reads files: r2://…, s3://… or gs://…" }),
    archivedThrough: z.string().nullable().openapi({
      description:
        "every event received before this time is in the R2 archive (docs/archive.md); null before the first archived hour",
    }),
    health: z.enum(["ok", "lagging", "failing", "idle"]).openapi({
      description:
        "at a glance: failing (the last attempt failed), lagging (silent past maxSilenceMinutes, or a poller overdue by 5 minutes), idle (nothing received yet), else ok",
    }),
    silent: z.boolean().nullable().openapi({
      description:
        "with maxSilenceMinutes: nothing received for that long (null: the source sets no limit)",
    }),
    silentSince: z
      .string()
      .nullable()
      .openapi({ description: "when the last event was received, if the source is silent" }),
    subscriptions: z
      .array(
        z.object({
          topicArn: z.string(),
          status: z.enum(["pending", "confirmed", "unsubscribed"]),
          subscriptionArn: z.string().nullable(),
          at: z.string(),
          lastError: z.string().nullable(),
        }),
      )
      .optional()
      .openapi({ description: "SNS subscriptions of an S3 source (POST /v1/sns/:sourceId)" }),
  })
  .openapi("Source");

const DestinationSchema = z
  .object({
    id: z.string(),
    type: z.string(),
    delivered: z.number().int(),
    failed: z.number().int().openapi({ description: "attempts that failed (each is retried)" }),
    lastSuccess: z.string().nullable(),
    lastError: z.object({ at: z.string(), message: z.string() }).nullable(),
  })
  .openapi("Destination");

/** Each alert destination (DESTINATIONS) with how its deliveries went. */
async function destinations(env: Env) {
  const health = await readDestinationHealth(env.DB);
  return loadDestinations(env).map((d) => {
    const h = health.get(d.id);
    return {
      id: d.id,
      type: d.type,
      delivered: h?.delivered ?? 0,
      failed: h?.failed ?? 0,
      lastSuccess: h?.lastSuccessAt ? toIso(h.lastSuccessAt) : null,
      lastError:
        h?.lastErrorAt && h.lastError ? { at: toIso(h.lastErrorAt), message: h.lastError } : null,
    };
  });
}

const route = createRoute({
  method: "get",
  path: "/v1/sources",
  operationId: "listSources",
  tags: ["sources"],
  summary: "Configured sources with their counters and health",
  security: bearerSecurity,
  responses: {
    200: {
      content: {
        "application/json": {
          schema: z.object({
            data: z.array(SourceSchema),
            enrichment: EnrichmentSchema,
            destinations: z.array(DestinationSchema),
          }),
        },
      },
      description: "sources",
    },
    401: errorResponse("missing or wrong query token"),
  },
});

/** A poller's state as operators read it: where it is, when it runs next, how it went. */
function presentCursor(c: CursorState | undefined) {
  if (!c) return null;
  const iso = (t: number | null) => (t === null ? null : toIso(t));
  return {
    highWaterId: c.highWaterId,
    highWaterTime: iso(c.highWaterTime),
    walkInProgress: c.windowNext !== null,
    walkNext: c.windowNext,
    nextDueAt: iso(c.nextDueAt),
    failures: c.failures,
    requests: c.requests,
    lastRunAt: iso(c.lastRunAt),
    lastSuccessAt: iso(c.lastSuccessAt),
    lastStatus: c.lastStatus,
    lastError: c.lastError,
    leased: c.leaseUntil !== null && c.leaseUntil > Date.now(),
  };
}

type Health = "ok" | "lagging" | "failing" | "idle";

/** One word for the state of a source (the explorer's Sources tab shows it). */
function healthOf(
  st:
    | { lastErrorAt: number | null; lastSuccessAt: number | null; lastReceivedAt: number | null }
    | undefined,
  cursor: CursorState | undefined,
  silent: boolean | null,
  now: number,
): Health {
  const failedAt = Math.max(st?.lastErrorAt ?? 0, cursor?.failures ? (cursor.lastRunAt ?? 0) : 0);
  const succeededAt = Math.max(st?.lastSuccessAt ?? 0, cursor?.lastSuccessAt ?? 0);
  if (failedAt > 0 && failedAt >= succeededAt) return "failing";
  const overdue = cursor?.nextDueAt != null && now - cursor.nextDueAt > 5 * 60_000;
  if (silent || overdue) return "lagging";
  return st?.lastReceivedAt ? "ok" : "idle";
}

/**
 * Drop-off: a source with maxSilenceMinutes that received nothing for that long (or never) is
 * silent. (Once detections exist, this raises an alert through their destinations.)
 */
function silence(s: SourceConfig, lastReceivedAt: number | null, now: number) {
  const max = s.maxSilenceMinutes;
  if (!max) return { silent: null, silentSince: null };
  const silent = lastReceivedAt === null || now - lastReceivedAt > max * 60_000;
  return { silent, silentSince: silent && lastReceivedAt !== null ? toIso(lastReceivedAt) : null };
}

/** Where a bucket source's files are, and an S3 source's SNS subscriptions. */
function bucketOf(s: SourceConfig, subscriptions: Subscription[]) {
  if ("s3" in s && s.s3)
    return {
      bucket: `s3://${s.s3.bucket}/${s.s3.prefix}`,
      subscriptions: subscriptions
        .filter((x) => x.sourceID === s.id)
        .map((x) => ({
          topicArn: x.topicArn,
          status: x.status,
          subscriptionArn: x.subscriptionArn,
          at: toIso(x.updatedAt),
          lastError: x.lastError,
        })),
    };
  if ("gcs" in s && s.gcs) return { bucket: `gs://${s.gcs.bucket}/${s.gcs.prefix}` };
  if ("azure" in s && s.azure)
    return { bucket: `azure://${s.azure.account}/${s.azure.container}/${s.azure.prefix}` };
  if ("prefix" in s && s.prefix) return { bucket: `r2://auditflare-landing/${s.prefix}` };
  return {};
}

export const sourcesRoutes = newRouter();
sourcesRoutes.use("/v1/sources", requireQueryToken);

/** GET /v1/sources's answer (also the MCP tool list_sources): sources, enrichment, destinations. */
export async function sourcesReport(env: Env, now = Date.now()) {
  const sources = loadSources(env);
  const stats = await readStats(env.DB);
  const cursors = await readCursors(env.DB);
  const subscriptions = await readSubscriptions(env.DB);
  const archived = await archivedThrough(env.DB);
  const iso = (t: number | null | undefined) => (t == null ? null : toIso(t));
  const data = sources.map((s) => {
    const st = stats.get(s.id);
    const silent = silence(s, st?.lastReceivedAt ?? null, now);
    return {
      id: s.id,
      type: s.type,
      transport: transportOf(s),
      counts: {
        received: st?.received ?? 0,
        inserted: st?.inserted ?? 0,
        duplicates: st?.duplicates ?? 0,
        quarantined: st?.quarantined ?? 0,
        skipped: st?.skipped ?? 0,
      },
      lastEventTime: iso(st?.lastEventTime),
      lastReceivedAt: iso(st?.lastReceivedAt),
      lastSuccess: iso(st?.lastSuccessAt),
      lastError:
        st?.lastErrorAt && st.lastError
          ? { at: toIso(st.lastErrorAt), message: st.lastError }
          : null,
      lagSeconds: st?.lastEventTime
        ? Math.max(0, Math.round((now - st.lastEventTime) / 1000))
        : null,
      cursor: presentCursor(cursors.get(s.id)),
      health: healthOf(st, cursors.get(s.id), silent.silent, now),
      archivedThrough: iso(archived.get(s.id)),
      ...silent,
      ...bucketOf(s, subscriptions),
    };
  });
  return { data, enrichment: await enrichmentStatus(env), destinations: await destinations(env) };
}

sourcesRoutes.openapi(route, async (c) => c.json(await sourcesReport(c.env), 200));
