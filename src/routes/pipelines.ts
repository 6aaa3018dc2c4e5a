import { createRoute, z } from "@hono/zod-openapi";
import { parsePipeline } from "../detect/pipeline";
import {
  bundledPipelines,
  inForce,
  type PipelineFile,
  pipelinesInForce,
} from "../detect/pipelines";
import { checkRulesUnder } from "../detect/ruleset";
import { RuleError } from "../detect/sigma";
import { AppError } from "../lib/errors";
import { adminSecurity, bearerSecurity, errorResponse, newRouter } from "../lib/openapi";
import { toIso } from "../lib/time";
import {
  countStoredPipelines,
  deleteStoredPipeline,
  listStoredPipelines,
  putStoredPipeline,
} from "../store/pipelines";
import { listStoredRules } from "../store/rules";
import { principalOf, requireAdminToken, requireQueryToken } from "./query-auth";
import { readYamlBody } from "./yaml-body";

/**
 * Sigma processing pipelines (docs/detections.md "Pipelines"): list, read, add or replace,
 * delete. Every rule is compiled through the pipelines in force, so a change is refused when a
 * rule in force would no longer load under it.
 */

const MAX_PIPELINE_BYTES = 64 * 1024;
/** Runtime pipelines at most (the bundled ones of rules/pipelines/ aside). */
export const MAX_RUNTIME_PIPELINES = 32;

const PipelineSummary = z
  .object({
    id: z.string(),
    origin: z.enum(["bundled", "runtime"]),
    name: z.string(),
    priority: z.number().int(),
    transformations: z.array(z.object({ id: z.string(), type: z.string() })),
    updatedAt: z.string().nullable(),
    yaml: z.string().optional(),
    /** What was accepted and ignored (`line N: …`). */
    warnings: z.array(z.string()),
  })
  .openapi("Pipeline");

const present = (f: PipelineFile, withYaml = false) => ({
  id: f.id,
  origin: f.origin,
  name: f.pipeline.name,
  priority: f.pipeline.priority,
  transformations: f.pipeline.items.map((i) => ({ id: i.id, type: i.transformation.type })),
  updatedAt: f.updatedAt === null ? null : toIso(f.updatedAt),
  ...(withYaml ? { yaml: f.yaml } : {}),
  warnings: f.pipeline.warnings,
});

const Id = z.object({ id: z.string().regex(/^[A-Za-z0-9_.-]{1,128}$/) });
const notFound = errorResponse("no such pipeline");
const unauthorized = errorResponse("missing or wrong token");
const readOnly = errorResponse("the query token only reads");
const one = (description: string) => ({
  content: { "application/json": { schema: PipelineSummary } },
  description,
});

const listRoute = createRoute({
  method: "get",
  path: "/v1/pipelines",
  operationId: "listPipelines",
  tags: ["detections"],
  summary:
    "Processing pipelines in force (bundled from rules/pipelines/ and runtime), in the order they run",
  security: bearerSecurity,
  responses: {
    200: {
      content: { "application/json": { schema: z.object({ data: z.array(PipelineSummary) }) } },
      description: "pipelines",
    },
    401: unauthorized,
  },
});

const getRoute = createRoute({
  method: "get",
  path: "/v1/pipelines/{id}",
  operationId: "getPipeline",
  tags: ["detections"],
  summary: "One processing pipeline with its YAML",
  security: bearerSecurity,
  request: { params: Id },
  responses: { 200: one("the pipeline"), 401: unauthorized, 404: notFound },
});

const putRoute = createRoute({
  method: "put",
  path: "/v1/pipelines/{id}",
  operationId: "putPipeline",
  tags: ["detections"],
  summary: "Add or replace a runtime processing pipeline (pySigma YAML); every rule recompiles",
  security: adminSecurity,
  request: {
    params: Id,
    body: { content: { "application/yaml": { schema: { type: "string" } } }, required: true },
  },
  responses: {
    200: one("replaced"),
    201: one("created"),
    400: errorResponse(
      "not a valid pipeline (the message names the line), too many pipelines, or a rule in force would no longer load",
    ),
    401: unauthorized,
    403: readOnly,
    413: errorResponse("larger than 64 KiB"),
    415: errorResponse("not application/yaml"),
  },
});

const deleteRoute = createRoute({
  method: "delete",
  path: "/v1/pipelines/{id}",
  operationId: "deletePipeline",
  tags: ["detections"],
  summary: "Delete a runtime processing pipeline",
  security: adminSecurity,
  request: { params: Id },
  responses: {
    204: { description: "deleted" },
    401: unauthorized,
    403: readOnly,
    404: errorResponse("no such runtime pipeline (bundled pipelines live in rules/pipelines/)"),
    409: errorResponse("a rule in force needs it: without it, the rule would no longer load"),
  },
});

export const pipelinesRoutes = newRouter();
pipelinesRoutes.on("GET", ["/v1/pipelines", "/v1/pipelines/*"], requireQueryToken);
pipelinesRoutes.on(["PUT", "DELETE"], "/v1/pipelines/*", requireAdminToken);

const filesOf = async (db: D1Database) => pipelinesInForce(await listStoredPipelines(db)).files;

pipelinesRoutes.openapi(listRoute, async (c) => {
  const { files } = pipelinesInForce(await listStoredPipelines(c.env.DB));
  const order = [...files.values()].sort(
    (a, b) => a.pipeline.priority - b.pipeline.priority || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  return c.json({ data: order.map((f) => present(f)) }, 200);
});

pipelinesRoutes.openapi(getRoute, async (c) => {
  const id = c.req.valid("param").id;
  const file = (await filesOf(c.env.DB)).get(id);
  if (!file) throw new AppError("pipeline_not_found", `no pipeline "${id}"`);
  return c.json(present(file, true), 200);
});

pipelinesRoutes.openapi(putRoute, async (c) => {
  const id = c.req.valid("param").id;
  const yaml = await readYamlBody(c.req.raw, MAX_PIPELINE_BYTES, "pipeline");
  let pipeline: PipelineFile["pipeline"];
  try {
    pipeline = parsePipeline(id, yaml);
  } catch (err) {
    if (err instanceof RuleError) throw new AppError("invalid_pipeline", err.message);
    throw err;
  }
  const files = new Map(await filesOf(c.env.DB));
  if (
    files.get(id)?.origin !== "runtime" &&
    (await countStoredPipelines(c.env.DB)) >= MAX_RUNTIME_PIPELINES
  )
    throw new AppError(
      "invalid_pipeline",
      `at most ${MAX_RUNTIME_PIPELINES} runtime pipelines: delete one first`,
    );
  const file: PipelineFile = { id, origin: "runtime", yaml, pipeline, updatedAt: Date.now() };
  files.set(id, file);
  checkRulesUnder(inForce(files).processing, await listStoredRules(c.env.DB), "invalid_pipeline");
  const { outcome, updatedAt } = await putStoredPipeline(c.env.DB, {
    id,
    yaml,
    name: pipeline.name,
    priority: pipeline.priority,
    updatedAt: file.updatedAt as number,
    updatedBy: principalOf(c)?.name ?? null,
  });
  return c.json(present({ ...file, updatedAt }, true), outcome === "created" ? 201 : 200);
});

pipelinesRoutes.openapi(deleteRoute, async (c) => {
  const id = c.req.valid("param").id;
  const files = new Map(await filesOf(c.env.DB));
  if (files.get(id)?.origin !== "runtime")
    throw new AppError(
      "pipeline_not_found",
      `no runtime pipeline "${id}" (bundled pipelines live in rules/pipelines/)`,
    );
  files.delete(id);
  // A runtime pipeline may have replaced a bundled one of its id: without it, that one is back.
  const bundled = bundledPipelines().find((f) => f.id === id);
  if (bundled) files.set(id, bundled);
  checkRulesUnder(inForce(files).processing, await listStoredRules(c.env.DB), "pipeline_in_use");
  await deleteStoredPipeline(c.env.DB, id);
  return c.body(null, 204);
});
