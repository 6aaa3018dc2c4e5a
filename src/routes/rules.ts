import { createRoute, z } from "@hono/zod-openapi";
import { pipelinesInForce } from "../detect/pipelines";
import { checkUniqueAcrossFiles, parseRuleFile, type RuleFile, ruleFiles } from "../detect/ruleset";
import type { Rule } from "../detect/sigma";
import { AppError } from "../lib/errors";
import { adminSecurity, bearerSecurity, errorResponse, newRouter } from "../lib/openapi";
import { toIso } from "../lib/time";
import {
  d1Rules,
  deleteStoredRule,
  putStoredRule,
  type RuleStat,
  readRuleStats,
} from "../store/rules";
import { principalOf, requireAdminToken, requireQueryToken } from "./query-auth";
import { readYamlBody } from "./yaml-body";

/** Detection rules as code (docs/detections.md): list, read, add or replace, delete, try. */

const MAX_RULE_BYTES = 256 * 1024;

const RuleSummary = z
  .object({
    id: z.string(),
    origin: z.enum(["bundled", "runtime"]),
    rules: z.array(
      z.object({
        id: z.string(),
        kind: z.string(),
        title: z.string(),
        level: z.string(),
        /** The processing pipeline items that applied (`pipeline/item`), in order. */
        processing: z.array(z.string()),
      }),
    ),
    matches: z.number().int(),
    lastMatchAt: z.string().nullable(),
    updatedAt: z.string().nullable(),
    yaml: z.string().optional(),
    /** What was accepted but may not do what the author expects (`line N: …`). */
    warnings: z.array(z.string()),
  })
  .openapi("RuleFile");

/**
 * A file's matches: the events its detection rules matched (a correlation's stats count the
 * events it counted, so they are added only in a file of correlations alone, not twice).
 */
const matchesOf = (f: RuleFile, stats: Map<string, RuleStat>) => {
  const detections = f.rules.filter((r) => r.kind === "detection");
  const counted = detections.length > 0 ? detections : f.rules;
  return counted.reduce((n, r) => n + (stats.get(r.id)?.matches ?? 0), 0);
};

const present = (f: RuleFile, stats: Map<string, RuleStat>, withYaml = false) => {
  const own = f.rules.map((r) => stats.get(r.id));
  const last = Math.max(0, ...own.map((s) => s?.lastMatchAt ?? 0));
  return {
    id: f.id,
    origin: f.origin,
    rules: f.rules.map((r: Rule) => ({
      id: r.id,
      kind: r.kind,
      title: r.title,
      level: r.level,
      processing: r.processing,
    })),
    matches: matchesOf(f, stats),
    lastMatchAt: last ? toIso(last) : null,
    updatedAt: f.updatedAt === null ? null : toIso(f.updatedAt),
    ...(withYaml ? { yaml: f.yaml } : {}),
    warnings: f.rules.flatMap((r) => r.warnings.map((w) => `rule "${r.id}": ${w}`)),
  };
};

const Id = z.object({ id: z.string().regex(/^[A-Za-z0-9_.-]{1,128}$/) });
const yamlBody = {
  content: { "application/yaml": { schema: { type: "string" as const } } },
  required: true,
};

const listRoute = createRoute({
  method: "get",
  path: "/v1/rules",
  operationId: "listRules",
  tags: ["detections"],
  summary: "Detection rules in force (bundled starter pack and runtime rules)",
  security: bearerSecurity,
  responses: {
    200: {
      content: { "application/json": { schema: z.object({ data: z.array(RuleSummary) }) } },
      description: "rules",
    },
    401: errorResponse("missing or wrong token"),
  },
});

const getRoute = createRoute({
  method: "get",
  path: "/v1/rules/{id}",
  operationId: "getRule",
  tags: ["detections"],
  summary: "One rule file with its YAML",
  security: bearerSecurity,
  request: { params: Id },
  responses: {
    200: { content: { "application/json": { schema: RuleSummary } }, description: "the rule" },
    401: errorResponse("missing or wrong token"),
    404: errorResponse("no such rule"),
  },
});

const putRoute = createRoute({
  method: "put",
  path: "/v1/rules/{id}",
  operationId: "putRule",
  tags: ["detections"],
  summary: "Add or replace a runtime rule (Sigma YAML; a correlation and its rules together)",
  security: adminSecurity,
  request: { params: Id, body: yamlBody },
  responses: {
    200: { content: { "application/json": { schema: RuleSummary } }, description: "replaced" },
    201: { content: { "application/json": { schema: RuleSummary } }, description: "created" },
    400: errorResponse("not a valid rule: the message names the line and field"),
    401: errorResponse("missing or wrong token"),
    403: errorResponse("the query token only reads"),
    415: errorResponse("not application/yaml"),
  },
});

const deleteRoute = createRoute({
  method: "delete",
  path: "/v1/rules/{id}",
  operationId: "deleteRule",
  tags: ["detections"],
  summary: "Delete a runtime rule",
  security: adminSecurity,
  request: { params: Id },
  responses: {
    204: { description: "deleted" },
    401: errorResponse("missing or wrong token"),
    403: errorResponse("the query token only reads"),
    404: errorResponse("no such runtime rule (bundled rules live in rules/)"),
  },
});

export const rulesRoutes = newRouter();
rulesRoutes.on("GET", ["/v1/rules", "/v1/rules/*"], requireQueryToken);
rulesRoutes.on(["PUT", "DELETE"], "/v1/rules/*", requireAdminToken);

rulesRoutes.openapi(listRoute, async (c) => {
  const [files, stats] = await Promise.all([ruleFiles(d1Rules(c.env.DB)), readRuleStats(c.env.DB)]);
  return c.json({ data: [...files.values()].map((f) => present(f, stats)) }, 200);
});

rulesRoutes.openapi(getRoute, async (c) => {
  const id = c.req.valid("param").id;
  const file = (await ruleFiles(d1Rules(c.env.DB))).get(id);
  if (!file) throw new AppError("rule_not_found", `no rule "${id}"`);
  return c.json(present(file, await readRuleStats(c.env.DB), true), 200);
});

rulesRoutes.openapi(putRoute, async (c) => {
  const id = c.req.valid("param").id;
  const yaml = await readYamlBody(c.req.raw, MAX_RULE_BYTES, "rule");
  const source = d1Rules(c.env.DB);
  const pipelines = pipelinesInForce(await source.pipelines());
  const rules = parseRuleFile(id, yaml, pipelines.processing);
  checkUniqueAcrossFiles(
    { id, origin: "runtime", rules },
    (await ruleFiles(source, pipelines)).values(),
  );
  const main = rules.find((r) => r.id === id) as Rule;
  const { outcome, updatedAt } = await putStoredRule(c.env.DB, {
    id,
    yaml,
    title: main.title,
    level: main.level,
    updatedAt: Date.now(),
    updatedBy: principalOf(c)?.name ?? null,
  });
  const file: RuleFile = { id, origin: "runtime", yaml, rules, updatedAt };
  return c.json(
    present(file, await readRuleStats(c.env.DB), true),
    outcome === "created" ? 201 : 200,
  );
});

rulesRoutes.openapi(deleteRoute, async (c) => {
  const id = c.req.valid("param").id;
  if (!(await deleteStoredRule(c.env.DB, id)))
    throw new AppError("rule_not_found", `no runtime rule "${id}" (bundled rules live in rules/)`);
  return c.body(null, 204);
});
