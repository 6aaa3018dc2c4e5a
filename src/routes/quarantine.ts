import { createRoute, z } from "@hono/zod-openapi";
import { decodeCursor, encodeCursor } from "../lib/cursor";
import { AppError } from "../lib/errors";
import {
  adminSecurity,
  bearerSecurity,
  errorResponse,
  newRouter,
  rejectUnknownParams,
} from "../lib/openapi";
import { toIso } from "../lib/time";
import { replay } from "../pipeline/replay";
import { getQuarantineEntry, listQuarantine, markReplay } from "../store/quarantine-list";
import type { QuarantineRow } from "../store/schema";
import { requireAdminToken, requireQueryToken } from "./query-auth";

/** A quarantine entry as GET /v1/quarantine (and the MCP tool list_quarantine) shows it. */
export const presentQuarantine = (q: QuarantineRow) => ({
  ...q,
  receivedAt: toIso(q.receivedAt),
  lastSeenAt: toIso(q.lastSeenAt),
  replayedAt: q.replayedAt === null ? null : toIso(q.replayedAt),
  replayResult: q.replayResult === null ? null : (JSON.parse(q.replayResult) as unknown),
});

const Entry = z.record(z.string(), z.unknown()).openapi("QuarantineEntry", {
  description:
    "id, sourceID, sourceType, stage, errorCode, error, location, raw (text, or base64 when rawEncoding is base64), rawRef (R2 key when the input is kept in a bucket), contentType, receivedAt, lastSeenAt, seen, status (pending, replayed), replayedAt, replayResult",
});

const ListQuery = z.object({
  sourceID: z.string().min(1).optional(),
  stage: z.string().min(1).optional(),
  status: z.enum(["pending", "replayed"]).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z.string().max(500).optional(),
});
const KNOWN_PARAMS = new Set(Object.keys(ListQuery.shape));

const listRoute = createRoute({
  method: "get",
  path: "/v1/quarantine",
  operationId: "listQuarantine",
  tags: ["quarantine"],
  summary: "What could not be stored normally, newest first",
  security: bearerSecurity,
  request: {
    query: ListQuery,
  },
  responses: {
    200: {
      content: {
        "application/json": {
          schema: z.object({ data: z.array(Entry), nextCursor: z.string().nullable() }),
        },
      },
      description: "entries",
    },
    400: errorResponse("bad parameter"),
    401: errorResponse("missing or wrong query token"),
  },
});

const replayRoute = createRoute({
  method: "post",
  path: "/v1/quarantine/{id}/replay",
  operationId: "replayQuarantineEntry",
  tags: ["quarantine"],
  summary: "Replay an entry after a fix: re-ingest its input, or re-enqueue its file",
  security: adminSecurity,
  request: { params: z.object({ id: z.string() }) },
  responses: {
    200: {
      content: {
        "application/json": {
          schema: z.object({ id: z.string(), status: z.string(), result: z.unknown() }),
        },
      },
      description: "stored",
    },
    202: {
      content: {
        "application/json": {
          schema: z.object({ id: z.string(), status: z.string(), result: z.unknown() }),
        },
      },
      description: "file re-enqueued",
    },
    401: errorResponse("missing or wrong token"),
    403: errorResponse("the query token only reads: replaying needs the admin token"),
    404: errorResponse("no such entry"),
    422: errorResponse("the input still fails (the error says why); nothing was stored"),
  },
});

export const quarantineRoutes = newRouter();
quarantineRoutes.use("/v1/quarantine", requireQueryToken);
quarantineRoutes.on("GET", "/v1/quarantine/*", requireQueryToken);
quarantineRoutes.on("POST", "/v1/quarantine/*", requireAdminToken);

quarantineRoutes.openapi(listRoute, async (c) => {
  rejectUnknownParams(c, KNOWN_PARAMS);
  const p = c.req.valid("query");
  let before: { t: number; id: string } | undefined;
  if (p.cursor) {
    const cur = decodeCursor(p.cursor);
    if (cur?.f !== "receivedAt") {
      throw new AppError(
        "invalid_parameter",
        `query parameter "cursor" is not a cursor this API issued`,
      );
    }
    before = { t: cur.t, id: cur.key };
  }
  const rows = await listQuarantine(c.env.DB, { ...p, before, limit: p.limit + 1 });
  const page = rows.slice(0, p.limit);
  const last = page[page.length - 1];
  const nextCursor =
    rows.length > p.limit && last
      ? encodeCursor({ f: "receivedAt", o: "desc", t: last.receivedAt, key: last.id })
      : null;
  return c.json({ data: page.map(presentQuarantine), nextCursor }, 200);
});

quarantineRoutes.openapi(replayRoute, async (c) => {
  const id = c.req.param("id");
  const entry = await getQuarantineEntry(c.env.DB, id);
  if (!entry)
    throw new AppError("quarantine_entry_not_found", `no quarantine entry with id "${id}"`);
  const outcome = await replay(c.env, entry);
  const now = Date.now();
  const result =
    outcome.status === "failed" ? { code: outcome.code, message: outcome.message } : outcome.result;
  await markReplay(
    c.env.DB,
    id,
    // still_not_storable: the others were stored and the ones that cannot be are kept again,
    // pending: under this entry (then it stays pending) or one of their own
    outcome.status !== "failed"
      ? "replayed"
      : outcome.code === "still_not_storable"
        ? "replayedUnlessKept"
        : entry.status,
    { status: outcome.status, ...result },
    now,
    outcome.status === "queued",
  );
  if (outcome.status === "failed")
    throw new AppError(outcome.code, `replay failed: ${outcome.message}`, 422);
  return c.json({ id, status: outcome.status, result }, outcome.status === "queued" ? 202 : 200);
});
