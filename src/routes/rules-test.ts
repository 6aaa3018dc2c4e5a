import { createRoute, z } from "@hono/zod-openapi";
import { ruleRow } from "../detect/fields";
import { pipelinesInForce } from "../detect/pipelines";
import { parseRulesOr400 } from "../detect/ruleset";
import { bearerSecurity, errorResponse, newRouter } from "../lib/openapi";
import { d1Rules } from "../store/rules";
import { requireQueryToken } from "./query-auth";

/**
 * POST /v1/rules/test, for detection-as-code CI: a rule (Sigma YAML) and events (rows as
 * GET /v1/logs returns them) → which events each detection rule matches, and why. Nothing is
 * stored or sent. Correlation rules are parsed but not counted here (`npm run rules:test` does).
 */

const Body = z.object({
  rule: z
    .string()
    .min(1)
    .max(256 * 1024),
  events: z.array(z.record(z.string(), z.unknown())).max(1000),
});

const Result = z
  .object({
    rules: z.array(z.object({ id: z.string(), kind: z.string(), title: z.string() })),
    results: z.array(
      z.object({
        index: z.number().int(),
        matches: z.array(z.object({ ruleId: z.string(), why: z.array(z.string()) })),
      }),
    ),
    /** What was accepted but may not do what the author expects (`line N: …`). */
    warnings: z.array(z.string()),
  })
  .openapi("RuleTestResult");

const route = createRoute({
  method: "post",
  path: "/v1/rules/test",
  operationId: "testRule",
  tags: ["detections"],
  summary: "Try a rule on events: which match, and why",
  security: bearerSecurity,
  request: { body: { content: { "application/json": { schema: Body } }, required: true } },
  responses: {
    200: { content: { "application/json": { schema: Result } }, description: "matches" },
    400: errorResponse("not a valid rule (the message names the line), or a bad body"),
    401: errorResponse("missing or wrong token"),
  },
});

export const ruleTestRoutes = newRouter();
ruleTestRoutes.use("/v1/rules/test", requireQueryToken);

ruleTestRoutes.openapi(route, async (c) => {
  const { rule, events } = c.req.valid("json");
  const { processing } = pipelinesInForce(await d1Rules(c.env.DB).pipelines());
  const rules = parseRulesOr400(rule, processing);
  const detections = rules.filter((r) => r.kind === "detection");
  const results = events.map((event, index) => {
    const row = ruleRow(event);
    const matches = detections.flatMap((r) => {
      const why = r.match(row);
      return why ? [{ ruleId: r.id, why }] : [];
    });
    return { index, matches };
  });
  return c.json(
    {
      rules: rules.map((r) => ({ id: r.id, kind: r.kind, title: r.title })),
      results,
      warnings: rules.flatMap((r) => r.warnings.map((w) => `rule "${r.id}": ${w}`)),
    },
    200,
  );
});
