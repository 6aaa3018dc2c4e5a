import { createRoute, z } from "@hono/zod-openapi";
import { AppError } from "../lib/errors";
import {
  adminSecurity,
  bearerSecurity,
  errorResponse,
  newRouter,
  rejectUnknownParams,
} from "../lib/openapi";
import { parseTimestamp } from "../lib/time";
import { listAlerts, presentAlert, setAlertStatus } from "../store/alerts";
import { requireAdminToken, requireQueryToken } from "./query-auth";

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

export const alertsRoutes = newRouter();
alertsRoutes.use("/v1/alerts", requireQueryToken);
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
  const [at, id] = q.cursor ? (JSON.parse(atob(q.cursor)) as [number, string]) : [null, null];
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
    results.length > q.limit && last ? btoa(JSON.stringify([last.firstSeen, last.id])) : null;
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
