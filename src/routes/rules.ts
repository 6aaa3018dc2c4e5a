import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { catalog } from "../catalog";
import { pipelinesInForce } from "../detect/pipelines";
import { checkUniqueAcrossFiles, parseRuleFile, type RuleFile, ruleFiles } from "../detect/ruleset";
import type { Rule } from "../detect/sigma";
import { STARTER_RULES } from "../detect/starter-rules";
import { AppError } from "../lib/errors";
import {
  type AppEnv,
  adminSecurity,
  bearerSecurity,
  errorResponse,
  newRouter,
} from "../lib/openapi";
import { toIso } from "../lib/time";
import { MAX_ALERTS_PER_RUN, scheduledSql } from "../pipeline/scheduled";
import {
  d1Rules,
  deleteStoredRule,
  putStoredRule,
  type RuleStat,
  readRuleStats,
  setRuleEnabled,
} from "../store/rules";
import { readScheduledRuns, type ScheduledRun } from "../store/scheduled";
import { allowedSql, planRefusal, queryColumns, SqlFailure } from "../store/sql";
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
        /** A scheduled rule: its schedule and its last run. */
        schedule: z
          .object({
            everyMinutes: z.number().int(),
            lookbackMinutes: z.number().int(),
            groupBy: z.array(z.string()),
            lastRunAt: z.string().nullable(),
            lastRows: z
              .number()
              .int()
              .nullable()
              .openapi({
                description: `rows the last run returned (alerts: at most ${MAX_ALERTS_PER_RUN})`,
              }),
            truncated: z.boolean().openapi({
              description: `the last run returned more than ${MAX_ALERTS_PER_RUN} rows: the rest raised no alert`,
            }),
            lastError: z.string().nullable().openapi({
              description: "why the last run failed (null: it succeeded, or none ran yet)",
            }),
            lastErrorAt: z.string().nullable(),
          })
          .optional(),
      }),
    ),
    enabled: z.boolean().openapi({
      description:
        "false: disabled (POST /v1/rules/{id}/disable): its rules neither match nor run; kept across a PUT of the YAML and a redeploy",
    }),
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

const scheduleOf = (r: Rule, runs: Map<string, ScheduledRun>) => {
  if (r.kind !== "scheduled") return {};
  const run = runs.get(r.id);
  const iso = (t: number | null | undefined) => (t ? toIso(t) : null);
  return {
    schedule: {
      everyMinutes: r.everyMinutes,
      lookbackMinutes: r.lookbackMinutes,
      groupBy: r.groupBy,
      lastRunAt: iso(run?.lastRunAt),
      lastRows: run?.lastRows ?? null,
      truncated: run?.lastTruncated === 1,
      lastError: run?.lastError ?? null,
      lastErrorAt: iso(run?.lastError ? run.lastErrorAt : null),
    },
  };
};

const present = (
  f: RuleFile,
  stats: Map<string, RuleStat>,
  runs: Map<string, ScheduledRun>,
  withYaml = false,
) => {
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
      ...scheduleOf(r, runs),
    })),
    enabled: f.enabled,
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

const stateRoute = (action: "enable" | "disable") =>
  createRoute({
    method: "post",
    path: `/v1/rules/{id}/${action}`,
    operationId: `${action}Rule`,
    tags: ["detections"],
    summary:
      action === "enable"
        ? "Enable a rule file (bundled or runtime): its rules run again"
        : "Disable a rule file (bundled or runtime): its rules no longer match, correlate or run (backtests still do)",
    description:
      "Idempotent: asking for the state a file already has changes nothing (`changed`: false). The state is kept apart from the YAML: it survives a PUT of the file and a redeploy.",
    security: adminSecurity,
    request: { params: Id },
    responses: {
      200: {
        content: {
          "application/json": {
            schema: RuleSummary.extend({
              changed: z.boolean().openapi({
                description: "this request changed the state (false: it already was so)",
              }),
            }),
          },
        },
        description: "the rule file, in its new state",
      },
      401: errorResponse("missing or wrong token"),
      403: errorResponse("the query token only reads"),
      404: errorResponse("no such rule"),
    },
  });
const enableRoute = stateRoute("enable");
const disableRoute = stateRoute("disable");

/**
 * Refuses a scheduled rule whose query POST /v1/sql would refuse (the read-only gate, the cost
 * bound, or D1's compilation of its plan), its window bound at now: 400 naming the problem.
 */
async function checkScheduledQueries(db: D1Database, rules: readonly Rule[]): Promise<void> {
  for (const r of rules) {
    if (r.kind !== "scheduled") continue;
    let refusal: string | undefined;
    try {
      const sql = scheduledSql(r, Date.now());
      refusal = await planRefusal(db, sql, catalog());
      if (refusal === undefined && r.groupBy.length > 0) {
        const columns = await queryColumns(db, allowedSql(sql, catalog()));
        const missing = r.groupBy.filter((g) => !columns.includes(g));
        if (missing.length > 0)
          refusal = `group-by names ${missing.map((g) => `"${g}"`).join(", ")}, which the query does not return (columns: ${columns.join(", ")})`;
      }
    } catch (error) {
      if (!(error instanceof SqlFailure)) throw error;
      refusal = error.message;
    }
    if (refusal !== undefined)
      throw new AppError("invalid_rule", `rule "${r.id}": query: ${refusal}`);
  }
}

export const rulesRoutes = newRouter();
rulesRoutes.on("GET", ["/v1/rules", "/v1/rules/*"], requireQueryToken);
rulesRoutes.on(["PUT", "DELETE"], "/v1/rules/*", requireAdminToken);
rulesRoutes.on("POST", ["/v1/rules/:id/enable", "/v1/rules/:id/disable"], requireAdminToken);

/** GET /v1/rules's answer (also the MCP tool list_rules): every rule file in force. */
export async function listRuleFiles(db: D1Database) {
  const [files, stats, runs] = await Promise.all([
    ruleFiles(d1Rules(db)),
    readRuleStats(db),
    readScheduledRuns(db),
  ]);
  return { data: [...files.values()].map((f) => present(f, stats, runs)) };
}

rulesRoutes.openapi(listRoute, async (c) => c.json(await listRuleFiles(c.env.DB), 200));

rulesRoutes.openapi(getRoute, async (c) => {
  const id = c.req.valid("param").id;
  const file = (await ruleFiles(d1Rules(c.env.DB))).get(id);
  if (!file) throw new AppError("rule_not_found", `no rule "${id}"`);
  const [stats, runs] = await Promise.all([readRuleStats(c.env.DB), readScheduledRuns(c.env.DB)]);
  return c.json(present(file, stats, runs, true), 200);
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
  await checkScheduledQueries(c.env.DB, rules);
  const main = rules.find((r) => r.id === id) as Rule;
  const { outcome, updatedAt } = await putStoredRule(c.env.DB, {
    id,
    yaml,
    title: main.title,
    level: main.level,
    updatedAt: Date.now(),
    updatedBy: principalOf(c)?.name ?? null,
  });
  // The file keeps its enabled state (rule_states is apart from the YAML).
  const enabled = !(await source.states()).some((s) => s.id === id && !s.enabled);
  const file: RuleFile = { id, origin: "runtime", yaml, rules, updatedAt, enabled };
  const [stats, runs] = await Promise.all([readRuleStats(c.env.DB), readScheduledRuns(c.env.DB)]);
  return c.json(present(file, stats, runs, true), outcome === "created" ? 201 : 200);
});

rulesRoutes.openapi(deleteRoute, async (c) => {
  const id = c.req.valid("param").id;
  // A bundled file of this id comes back in force: it keeps the state (enabled or not).
  const bundled = STARTER_RULES.some((f) => f.id === id);
  if (!(await deleteStoredRule(c.env.DB, id, !bundled)))
    throw new AppError("rule_not_found", `no runtime rule "${id}" (bundled rules live in rules/)`);
  return c.body(null, 204);
});

/**
 * Enables or disables a rule file: one compare-and-set (src/store/rules.ts setRuleEnabled), so
 * of a retry or of concurrent requests only one reports `changed`, which the request's
 * self-audit event carries (tags `ruleId`, `enabled`, `changed`). Takes effect on the next event
 * and cron tick in every isolate (the rules' version covers the states).
 */
const setState = (enabled: boolean) => async (c: Context<AppEnv>, id: string) => {
  const source = d1Rules(c.env.DB);
  if (!(await ruleFiles(source)).has(id)) throw new AppError("rule_not_found", `no rule "${id}"`);
  const by = principalOf(c)?.name ?? null;
  const changed = await setRuleEnabled(c.env.DB, id, enabled, Date.now(), by);
  c.set("auditOutcome", { ruleId: id, enabled: String(enabled), changed: String(changed) });
  const [files, stats, runs] = await Promise.all([
    ruleFiles(source),
    readRuleStats(c.env.DB),
    readScheduledRuns(c.env.DB),
  ]);
  const file = files.get(id) as RuleFile;
  return c.json({ ...present(file, stats, runs), changed }, 200);
};
const enable = setState(true);
const disable = setState(false);

rulesRoutes.openapi(enableRoute, (c) => enable(c, c.req.valid("param").id));
rulesRoutes.openapi(disableRoute, (c) => disable(c, c.req.valid("param").id));
