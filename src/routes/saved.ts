import { createRoute, z } from "@hono/zod-openapi";
import { AppError } from "../lib/errors";
import {
  adminSecurity,
  bearerSecurity,
  errorResponse,
  newRouter,
  rejectUnknownParams,
} from "../lib/openapi";
import { toIso } from "../lib/time";
import { deleteSaved, listSaved, putSaved, type SavedItem } from "../store/saved";
import { principalOf, requireAdminToken, requireQueryToken } from "./query-auth";

/**
 * Saved searches and saved SQL (issue 30, docs/explorer.md). Reading takes the query token:
 * a reader sees every shared item and its own. Saving and deleting take the admin token (the
 * query token only reads), like every other write; each write is in the self-audit trail
 * (operations putSaved, deleteSaved). The client chooses the id, so a retried PUT writes once.
 */

const Kind = z.enum(["search", "sql"]);
const Id = z.object({
  id: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, "letters, digits, _ and -, at most 64")
    .openapi({ description: "chosen by the client (the explorer uses a random UUID)" }),
});

const Saved = z
  .object({
    id: z.string(),
    kind: Kind,
    name: z.string(),
    owner: z.string().openapi({ description: "who saved it: a token's name or an Access email" }),
    shared: z.boolean().openapi({ description: "listed to every reader, not only its owner" }),
    query: z.string().openapi({
      description:
        "a search: the explorer URL's query string (e.g. since=24h&actor=ada%40example.com); SQL: the statement",
    }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("SavedItem");

const SavedInput = z
  .object({
    kind: Kind,
    name: z.string().trim().min(1).max(200),
    shared: z.boolean().default(false),
    query: z.string().max(100_000),
  })
  .openapi("SavedInput");

const ListQuery = z.object({ kind: Kind.optional() });
const KNOWN = new Set(Object.keys(ListQuery.shape));

const listRoute = createRoute({
  method: "get",
  path: "/v1/saved",
  operationId: "listSaved",
  tags: ["query"],
  summary: "Saved searches and SQL: the shared ones and the caller's own",
  security: bearerSecurity,
  request: { query: ListQuery },
  responses: {
    200: {
      content: { "application/json": { schema: z.object({ data: z.array(Saved) }) } },
      description: "by kind, then name",
    },
    400: errorResponse("a parameter is invalid"),
    401: errorResponse("missing or wrong token"),
  },
});

const putRoute = createRoute({
  method: "put",
  path: "/v1/saved/{id}",
  operationId: "putSaved",
  tags: ["query"],
  summary: "Save a search or a SQL query under an id (create or replace)",
  security: adminSecurity,
  request: {
    params: Id,
    body: { content: { "application/json": { schema: SavedInput } }, required: true },
  },
  responses: {
    200: { content: { "application/json": { schema: Saved } }, description: "replaced" },
    201: { content: { "application/json": { schema: Saved } }, description: "created" },
    400: errorResponse("the body is invalid"),
    401: errorResponse("missing or wrong token"),
    403: errorResponse("the query token only reads, or the id is another owner's"),
  },
});

const deleteRoute = createRoute({
  method: "delete",
  path: "/v1/saved/{id}",
  operationId: "deleteSaved",
  tags: ["query"],
  summary: "Delete one of the caller's saved items",
  security: adminSecurity,
  request: { params: Id },
  responses: {
    204: { description: "deleted" },
    401: errorResponse("missing or wrong token"),
    403: errorResponse("the query token only reads, or the item is another owner's"),
    404: errorResponse("no such item"),
  },
});

const present = (s: SavedItem) => ({
  ...s,
  createdAt: toIso(s.createdAt),
  updatedAt: toIso(s.updatedAt),
});

export const savedRoutes = newRouter();
savedRoutes.on("GET", "/v1/saved", requireQueryToken);
savedRoutes.on(["PUT", "DELETE"], "/v1/saved/*", requireAdminToken);

const ownerOf = (c: Parameters<typeof principalOf>[0]) => principalOf(c)?.name ?? "unknown";

savedRoutes.openapi(listRoute, async (c) => {
  rejectUnknownParams(c, KNOWN);
  const { kind } = c.req.valid("query");
  return c.json({ data: (await listSaved(c.env.DB, ownerOf(c), kind)).map(present) }, 200);
});

savedRoutes.openapi(putRoute, async (c) => {
  const { id } = c.req.valid("param");
  const body = c.req.valid("json");
  const owner = ownerOf(c);
  const { outcome, item } = await putSaved(c.env.DB, { id, owner, ...body }, Date.now());
  if (outcome === "forbidden" || !item)
    throw new AppError("saved_owned_by_other", `the saved item "${id}" is another owner's`);
  return c.json(present(item), outcome === "created" ? 201 : 200);
});

savedRoutes.openapi(deleteRoute, async (c) => {
  const { id } = c.req.valid("param");
  const outcome = await deleteSaved(c.env.DB, id, ownerOf(c));
  if (outcome === "missing") throw new AppError("saved_not_found", `no saved item "${id}"`);
  if (outcome === "forbidden")
    throw new AppError("saved_owned_by_other", `the saved item "${id}" is another owner's`);
  return c.body(null, 204);
});
