import { createRoute, z } from "@hono/zod-openapi";
import { present, ruleRow as storedRuleRow } from "../catalog";
import { BACKTEST_LIMITS, backtest, scopeOf } from "../detect/backtest";
import { ruleRow } from "../detect/fields";
import { pipelinesInForce } from "../detect/pipelines";
import { parseRulesOr400 } from "../detect/ruleset";
import type { Rule } from "../detect/types";
import { AppError } from "../lib/errors";
import { bearerSecurity, errorResponse, newRouter } from "../lib/openapi";
import { type KeyedRow, queryLogs } from "../store/query";
import { d1Rules } from "../store/rules";
import { isoTime } from "./logs";
import { requireQueryToken } from "./query-auth";

/**
 * POST /v1/rules/test, for detection-as-code CI: a rule (Sigma YAML) and events (rows as
 * GET /v1/logs returns them) → which events each detection rule matches, and why. Nothing is
 * stored or sent. Correlation rules are parsed but not counted here (`npm run rules:test` does).
 *
 * With `from` and `to` instead of `events`, a backtest: the rules run over the stored rows of
 * that event-time range (src/detect/backtest.ts), answering how many each matched, the alerts
 * they would have raised and a sample of matching rows, within bounded work (BACKTEST_LIMITS).
 */

const Body = z.object({
  rule: z
    .string()
    .min(1)
    .max(256 * 1024),
  events: z
    .array(z.record(z.string(), z.unknown()))
    .max(1000)
    .optional()
    .openapi({ description: "rows as GET /v1/logs returns them; or `from` and `to`" }),
  from: isoTime
    .optional()
    .openapi({ description: "backtest: inclusive lower bound of event time (ISO-8601)" }),
  to: isoTime
    .optional()
    .openapi({ description: "backtest: exclusive upper bound of event time (ISO-8601)" }),
});

const LogRowRef = z
  .record(z.string(), z.unknown())
  .openapi({ description: "a row as GET /v1/logs returns it" });

const Backtest = z
  .object({
    from: z.string(),
    to: z.string(),
    scanned: z
      .number()
      .int()
      .openapi({ description: `rows read (at most ${BACKTEST_LIMITS.maxScanned})` }),
    truncated: z.boolean().openapi({
      description:
        "a bound stopped the scan before `to`: the answer covers `from` up to `scannedThrough`",
    }),
    scannedThrough: z
      .string()
      .nullable()
      .openapi({ description: "event time of the last row read (null: none)" }),
    durationMs: z.number().int(),
    matches: z.record(z.string(), z.number().int()).openapi({
      description: "by rule id: rows a detection rule matched, windows a correlation fired",
    }),
    alertCount: z.number().int(),
    alerts: z
      .array(
        z.object({
          ruleId: z.string(),
          group: z.string().openapi({ description: "the dedup key (a correlation: its group)" }),
          firstSeen: z.string(),
          lastSeen: z.string(),
          count: z.number().int(),
        }),
      )
      .openapi({ description: `the first ${BACKTEST_LIMITS.alerts} alerts, oldest first` }),
    sample: z
      .array(z.object({ ruleIds: z.array(z.string()), event: LogRowRef }))
      .openapi({ description: `the first ${BACKTEST_LIMITS.sample} matching rows` }),
  })
  .openapi("RuleBacktest");

const Result = z
  .object({
    rules: z.array(z.object({ id: z.string(), kind: z.string(), title: z.string() })),
    /** With `events`: each event's matches. */
    results: z
      .array(
        z.object({
          index: z.number().int(),
          matches: z.array(z.object({ ruleId: z.string(), why: z.array(z.string()) })),
        }),
      )
      .optional(),
    /** With `from` and `to`: the backtest. */
    backtest: Backtest.optional(),
    /** What was accepted but may not do what the author expects (`line N: …`). */
    warnings: z.array(z.string()),
  })
  .openapi("RuleTestResult");

const route = createRoute({
  method: "post",
  path: "/v1/rules/test",
  operationId: "testRule",
  tags: ["detections"],
  summary: "Try a rule on events (which match, and why) or backtest it over stored events",
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

const iso = (t: number) => new Date(t).toISOString();
const warningsOf = (rules: readonly Rule[]) =>
  rules.flatMap((r) => r.warnings.map((w) => `rule "${r.id}": ${w}`));
const rulesOf = (rules: readonly Rule[]) =>
  rules.map((r) => ({ id: r.id, kind: r.kind, title: r.title }));

/** `events`, or `from` and `to`: one form, else 400 naming the fields. */
function formOf(body: { events?: unknown; from?: number; to?: number }) {
  const range = body.from !== undefined || body.to !== undefined;
  if (body.events !== undefined && range)
    throw new AppError(
      "invalid_parameter",
      `body parameters "events" and "from"/"to" exclude each other: test on events or backtest a range`,
    );
  if (body.events !== undefined) return "events";
  if (!range)
    throw new AppError(
      "invalid_parameter",
      `body parameter "events" (events to test on) or "from" and "to" (a range to backtest) is required`,
    );
  if (body.from === undefined || body.to === undefined)
    throw new AppError(
      "invalid_parameter",
      `body parameter "${body.from === undefined ? "from" : "to"}" is required with "${body.from === undefined ? "to" : "from"}"`,
    );
  if (body.from >= body.to)
    throw new AppError("invalid_parameter", `body parameter "from" must be before "to"`);
  return "range";
}

/** The body of POST /v1/rules/test, validated. */
export type RuleTestBody = z.output<typeof Body>;

/**
 * POST /v1/rules/test's answer (also the MCP tool test_rule): the rules of `body.rule` on its
 * events, or backtested over its range; AppError 400 for a bad rule or form.
 */
export async function testRules(db: D1Database, body: RuleTestBody) {
  const form = formOf(body);
  const { processing } = pipelinesInForce(await d1Rules(db).pipelines());
  const rules = parseRulesOr400(body.rule, processing);
  if (form === "range") {
    const from = body.from as number;
    const to = body.to as number;
    const started = Date.now();
    const { sourceType, sourceID } = scopeOf(rules);
    const read = (after: KeyedRow | undefined, limit: number) =>
      queryLogs(db, {
        sourceType,
        sourceID,
        from,
        to,
        timeField: "eventTime",
        order: "asc",
        limit,
        after: after && { t: after.eventTime, key: after.key },
      });
    const b = await backtest(rules, read, storedRuleRow);
    return {
      rules: rulesOf(rules),
      backtest: {
        from: iso(from),
        to: iso(to),
        scanned: b.scanned,
        truncated: b.truncated,
        scannedThrough: b.scannedThrough === null ? null : iso(b.scannedThrough),
        durationMs: Date.now() - started,
        matches: b.matches,
        alertCount: b.alertCount,
        alerts: b.alerts.map((a) => ({
          ...a,
          firstSeen: iso(a.firstSeen),
          lastSeen: iso(a.lastSeen),
        })),
        sample: b.sample.map((s) => ({ ruleIds: s.ruleIds, event: present(s.row) })),
      },
      warnings: warningsOf(rules),
    };
  }
  const events = body.events ?? [];
  const detections = rules.filter((r) => r.kind === "detection");
  const results = events.map((event, index) => {
    const row = ruleRow(event);
    const matches = detections.flatMap((r) => {
      const why = r.match(row);
      return why ? [{ ruleId: r.id, why }] : [];
    });
    return { index, matches };
  });
  return { rules: rulesOf(rules), results, warnings: warningsOf(rules) };
}

ruleTestRoutes.openapi(route, async (c) =>
  c.json(await testRules(c.env.DB, c.req.valid("json")), 200),
);
