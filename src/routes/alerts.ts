import { createRoute, z } from "@hono/zod-openapi";
import { present as presentRow } from "../catalog";
import { decodeAlertsCursor, encodeAlertsCursor } from "../lib/cursor";
import { AppError } from "../lib/errors";
import {
  adminSecurity,
  bearerSecurity,
  errorResponse,
  newRouter,
  rejectUnknownParams,
} from "../lib/openapi";
import { parseTimestamp, toIso } from "../lib/time";
import { alertEvents, getAlert, listAlerts, presentAlert, setAlertStatus } from "../store/alerts";
import { type AlertNote, addAlertNote, alertNotesOf } from "../store/saved";
import { principalOf, requireAdminToken, requireQueryToken } from "./query-auth";

/** Alerts raised by the detection rules (docs/detections.md): list, acknowledge, close. */

const Alert = z
  .object({
    id: z.string(),
    ruleId: z.string(),
    title: z.string(),
    level: z.string(),
    dedupKey: z.string(),
    sourceID: z.string().nullable(),
    firstSeen: z.string(),
    lastSeen: z.string(),
    count: z.number().int(),
    eventIds: z.array(z.string()).openapi({ description: "the first 20 matching events" }),
    status: z.enum(["open", "acknowledged", "closed"]),
    delivery: z.string().openapi({ description: "pending, delivered to <id>, or why it failed" }),
    context: z
      .record(z.string(), z.unknown())
      .optional()
      .openapi({ description: "a scheduled rule's alert: the query's row that opened it" }),
  })
  .openapi("Alert");

const ListQuery = z.object({
  status: z.enum(["open", "acknowledged", "closed"]).optional(),
  ruleId: z.string().min(1).optional(),
  level: z.enum(["informational", "low", "medium", "high", "critical"]).optional(),
  from: z.string().optional(),
  to: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z.string().max(200).optional(),
});
const KNOWN = new Set(Object.keys(ListQuery.shape));

const listRoute = createRoute({
  method: "get",
  path: "/v1/alerts",
  operationId: "listAlerts",
  tags: ["detections"],
  summary: "Alerts, newest first",
  security: bearerSecurity,
  request: { query: ListQuery },
  responses: {
    200: {
      content: {
        "application/json": {
          schema: z.object({ data: z.array(Alert), nextCursor: z.string().nullable() }),
        },
      },
      description: "alerts",
    },
    400: errorResponse("bad parameter"),
    401: errorResponse("missing or wrong token"),
  },
});

const statusRoute = (action: "ack" | "close") =>
  createRoute({
    method: "post",
    path: `/v1/alerts/{id}/${action}`,
    operationId: action === "ack" ? "acknowledgeAlert" : "closeAlert",
    tags: ["detections"],
    summary: action === "ack" ? "Acknowledge an alert" : "Close an alert",
    security: adminSecurity,
    request: { params: z.object({ id: z.string() }) },
    responses: {
      200: {
        content: {
          "application/json": { schema: z.object({ id: z.string(), status: z.string() }) },
        },
        description: "done",
      },
      401: errorResponse("missing or wrong token"),
      403: errorResponse("the query token only reads"),
      404: errorResponse("no such alert, or already closed"),
    },
  });

const Note = z
  .object({
    id: z.string(),
    alertId: z.string(),
    author: z.string().openapi({ description: "who wrote it: a token's name or an Access email" }),
    at: z.string(),
    text: z.string(),
  })
  .openapi("AlertNote");
const presentNote = (n: AlertNote) => ({ ...n, at: toIso(n.at) });

const AlertId = z.object({ id: z.string().max(200) });

const getRoute = createRoute({
  method: "get",
  path: "/v1/alerts/{id}",
  operationId: "getAlert",
  tags: ["detections"],
  summary: "One alert with its stored events and its notes",
  security: bearerSecurity,
  request: { params: AlertId },
  responses: {
    200: {
      content: {
        "application/json": {
          schema: Alert.extend({
            events: z.array(z.record(z.string(), z.unknown())).openapi({
              description: "its events (eventIds) still stored in D1, as GET /v1/logs rows",
            }),
            notes: z.array(Note).openapi({ description: "oldest first" }),
          }).openapi("AlertDetail"),
        },
      },
      description: "the alert",
    },
    401: errorResponse("missing or wrong token"),
    404: errorResponse("no such alert"),
  },
});

const noteRoute = createRoute({
  method: "post",
  path: "/v1/alerts/{id}/notes",
  operationId: "addAlertNote",
  tags: ["detections"],
  summary: "Add a note to an alert (once per note id: a retry stores nothing more)",
  security: adminSecurity,
  request: {
    params: AlertId,
    body: {
      content: {
        "application/json": {
          schema: z.object({
            id: z
              .string()
              .regex(/^[A-Za-z0-9_-]{1,64}$/)
              .openapi({ description: "chosen by the client (a random UUID): makes retries safe" }),
            text: z.string().trim().min(1).max(10_000),
          }),
        },
      },
      required: true,
    },
  },
  responses: {
    200: { content: { "application/json": { schema: Note } }, description: "already stored" },
    201: { content: { "application/json": { schema: Note } }, description: "stored" },
    400: errorResponse("the body is invalid, or the note id is used on another alert"),
    401: errorResponse("missing or wrong token"),
    403: errorResponse("the query token only reads"),
    404: errorResponse("no such alert"),
  },
});

export const alertsRoutes = newRouter();
alertsRoutes.use("/v1/alerts", requireQueryToken);
alertsRoutes.on("GET", "/v1/alerts/*", requireQueryToken);
alertsRoutes.on("POST", "/v1/alerts/*", requireAdminToken);

const time = (v: string | undefined, name: string) => {
  if (v === undefined) return null;
  const t = parseTimestamp(v);
  if (t === null) throw new AppError("invalid_parameter", `query parameter "${name}": not a time`);
  return t;
};

alertsRoutes.openapi(listRoute, async (c) => {
  rejectUnknownParams(c, KNOWN);
  const q = c.req.valid("query");
  const after = q.cursor ? decodeAlertsCursor(q.cursor) : null;
  if (q.cursor && !after)
    throw new AppError(
      "invalid_parameter",
      `query parameter "cursor" is not a cursor this API issued`,
    );
  const [at, id] = after ?? [null, null];
  const results = await listAlerts(c.env.DB, {
    status: q.status ?? null,
    ruleId: q.ruleId ?? null,
    level: q.level ?? null,
    from: time(q.from, "from"),
    to: time(q.to, "to"),
    after: [at, id] as [number, string] | [null, null],
    limit: q.limit,
  });
  const page = results.slice(0, q.limit);
  const last = page[page.length - 1];
  const nextCursor =
    results.length > q.limit && last ? encodeAlertsCursor(last.firstSeen, last.id) : null;
  return c.json({ data: page.map(presentAlert), nextCursor }, 200);
});

for (const action of ["ack", "close"] as const)
  alertsRoutes.openapi(statusRoute(action), async (c) => {
    const { id } = c.req.valid("param");
    const status = action === "ack" ? "acknowledged" : "closed";
    if (!(await setAlertStatus(c.env.DB, id, status)))
      throw new AppError("alert_not_found", `no open alert "${id}"`);
    return c.json({ id, status }, 200);
  });

alertsRoutes.openapi(getRoute, async (c) => {
  const { id } = c.req.valid("param");
  const alert = await getAlert(c.env.DB, id);
  if (!alert) throw new AppError("alert_not_found", `no alert "${id}"`);
  const [events, notes] = await Promise.all([
    alertEvents(c.env.DB, alert),
    alertNotesOf(c.env.DB, id),
  ]);
  events.sort((a, b) => b.eventTime - a.eventTime);
  return c.json(
    {
      ...presentAlert(alert),
      events: events.map(presentRow),
      notes: notes.map(presentNote),
    },
    200,
  );
});

alertsRoutes.openapi(noteRoute, async (c) => {
  const { id } = c.req.valid("param");
  const body = c.req.valid("json");
  if (!(await getAlert(c.env.DB, id))) throw new AppError("alert_not_found", `no alert "${id}"`);
  const result = await addAlertNote(c.env.DB, {
    id: body.id,
    alertId: id,
    author: principalOf(c)?.name ?? "unknown",
    at: Date.now(),
    text: body.text,
  });
  if (!result)
    throw new AppError("invalid_parameter", `the note id "${body.id}" is used on another alert`);
  return c.json(presentNote(result.note), result.created ? 201 : 200);
});
