import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { present } from "../catalog";
import { decodeAlertsCursor, decodeCursor, encodeAlertsCursor, encodeCursor } from "../lib/cursor";
import { AppError } from "../lib/errors";
import { presentQuarantine } from "../routes/quarantine";
import { listRuleFiles } from "../routes/rules";
import { testRules } from "../routes/rules-test";
import { sourcesReport } from "../routes/sources";
import { alertEvents, getAlert, listAlerts, presentAlert, setAlertStatus } from "../store/alerts";
import { listQuarantine } from "../store/quarantine-list";
import { RangeInput, rangeOf } from "./range";
import {
  budgetAround,
  type CallContext,
  clip,
  defineTool,
  fitItems,
  MAX_ANSWER_BYTES,
} from "./tool";

/**
 * The operations tools: list_sources, list_quarantine, list_alerts, get_alert, ack_alert and
 * close_alert (admin), list_rules, test_rule. Each answers what its REST route answers, from the
 * same functions.
 */

const Rows = z.array(z.record(z.string(), z.unknown()));
const Truncated = { truncated: z.boolean() };
const KiB = MAX_ANSWER_BYTES / 1024;
const LEVELS = ["informational", "low", "medium", "high", "critical"] as const;

/** A list that fits the answer: its items, and whether the bound left some out. */
function fitted<T>(items: readonly T[], around: unknown = {}) {
  const fit = fitItems(
    items.map((i) => clip(i)),
    budgetAround(around),
  );
  return { items: fit.items as Record<string, unknown>[], cut: fit.cut };
}

const cutNote = (cut: boolean) => (cut ? ` (cut at ${KiB} KiB: narrow the request)` : "");

/** An alerts cursor: the REST API's own (GET /v1/alerts). */
function alertsCursor(s: string | undefined): [number, string] | [null, null] {
  if (!s) return [null, null];
  const after = decodeAlertsCursor(s);
  if (after) return after;
  throw new AppError("invalid_parameter", `"cursor" is not a cursor list_alerts issued`);
}

export function opsTools(server: McpServer, ctx: CallContext): void {
  defineTool(server, ctx, {
    name: "list_sources",
    title: "List sources and their health",
    description:
      "Every configured source: type, transport, counters (received, inserted, duplicates, quarantined, skipped), last event time, last success, last error, lag in seconds, health (ok, lagging, failing, idle), poller cursor; plus the alert destinations' delivery health.",
    input: {},
    output: { data: Rows, destinations: Rows, ...Truncated },
    async run(_a, c) {
      const r = await sourcesReport(c.env, c.now);
      const data = fitted(r.data, { destinations: r.destinations });
      const bad = r.data
        .filter((s) => s.health === "failing" || s.health === "lagging")
        .map((s) => `${s.id} ${s.health}${s.lastError ? ` (${s.lastError.message})` : ""}`);
      const idle = r.data.filter((s) => s.health === "idle").length;
      return {
        summary: `${r.data.length} source(s)${bad.length ? `; ${bad.join(", ")}` : ", none failing or lagging"}${idle ? `; ${idle} idle (nothing received yet)` : ""}${cutNote(data.cut)}`,
        data: {
          data: data.items,
          destinations: r.destinations as Record<string, unknown>[],
          truncated: data.cut,
        },
      };
    },
  });

  defineTool(server, ctx, {
    name: "list_quarantine",
    title: "List quarantined input",
    description: `What could not be stored normally, newest first: stage, error code and message, location, the input (cut at 2,048 characters) or its R2 pointer, records held, times seen. At most 100 entries and ${KiB} KiB.`,
    input: {
      sourceID: z.string().min(1).max(200).optional(),
      stage: z.string().min(1).max(50).optional(),
      status: z.enum(["pending", "replayed"]).optional(),
      limit: z.number().int().min(1).max(100).default(20),
      cursor: z.string().max(500).optional(),
    },
    output: { data: Rows, nextCursor: z.string().nullable(), ...Truncated },
    async run(a, c) {
      let before: { t: number; id: string } | undefined;
      if (a.cursor) {
        const cur = decodeCursor(a.cursor);
        if (cur?.f !== "receivedAt")
          throw new AppError(
            "invalid_parameter",
            `"cursor" is not a cursor list_quarantine issued`,
          );
        before = { t: cur.t, id: cur.key };
      }
      const rows = await listQuarantine(c.env.DB, { ...a, before, limit: a.limit + 1 });
      const page = rows.slice(0, a.limit);
      const fit = fitted(page.map(presentQuarantine), { nextCursor: "x".repeat(200) });
      const last = page[fit.items.length - 1];
      const more = fit.cut || rows.length > a.limit;
      return {
        summary: `${fit.items.length} quarantine entr${fit.items.length === 1 ? "y" : "ies"}${more ? " (more: pass nextCursor)" : ""}${cutNote(fit.cut)}`,
        data: {
          data: fit.items,
          nextCursor:
            more && last
              ? encodeCursor({ f: "receivedAt", o: "desc", t: last.receivedAt, key: last.id })
              : null,
          truncated: fit.cut,
        },
      };
    },
  });

  defineTool(server, ctx, {
    name: "list_alerts",
    title: "List alerts",
    description: `Alerts raised by the detection rules, newest first (GET /v1/alerts): rule, title, level, first/last seen, count, status, delivery. Filter by status, ruleId, level and a range of first-seen times. At most 100 and ${KiB} KiB.`,
    input: {
      status: z.enum(["open", "acknowledged", "closed"]).optional(),
      ruleId: z.string().min(1).max(128).optional(),
      level: z.enum(LEVELS).optional(),
      ...RangeInput,
      limit: z.number().int().min(1).max(100).default(20),
      cursor: z.string().max(200).optional(),
    },
    output: { data: Rows, nextCursor: z.string().nullable(), ...Truncated },
    async run(a, c) {
      const range = rangeOf(a, c.now);
      const results = await listAlerts(c.env.DB, {
        status: a.status ?? null,
        ruleId: a.ruleId ?? null,
        level: a.level ?? null,
        from: range.from ?? null,
        to: range.to ?? null,
        after: alertsCursor(a.cursor),
        limit: a.limit,
      });
      const page = results.slice(0, a.limit);
      const fit = fitted(page.map(presentAlert), { nextCursor: "x".repeat(100) });
      const last = page[fit.items.length - 1];
      const more = fit.cut || results.length > a.limit;
      const open = page.filter((p) => p.status === "open").length;
      return {
        summary: `${fit.items.length} alert(s), ${open} open${more ? " (more: pass nextCursor)" : ""}${cutNote(fit.cut)}`,
        data: {
          data: fit.items,
          nextCursor: more && last ? encodeAlertsCursor(last.firstSeen, last.id) : null,
          truncated: fit.cut,
        },
      };
    },
  });

  defineTool(server, ctx, {
    name: "get_alert",
    title: "Get one alert with its events",
    description: `One alert and the events it lists (its first 20 matching events, as get_event shows them, strings cut at 2,048 characters; at most ${KiB} KiB).`,
    input: { id: z.string().min(1).max(100) },
    output: { alert: z.record(z.string(), z.unknown()), events: Rows, ...Truncated },
    async run(a, c) {
      const row = await getAlert(c.env.DB, a.id);
      if (!row) throw new AppError("alert_not_found", `no alert "${a.id}"`);
      const alert = presentAlert(row);
      const events = (await alertEvents(c.env.DB, row)).sort((x, y) => x.eventTime - y.eventTime);
      const fit = fitted(events.map(present), alert);
      return {
        summary: `${alert.level} alert "${alert.title}" (${alert.status}), ${alert.count} match(es) from ${alert.firstSeen} to ${alert.lastSeen}; ${fit.items.length} event(s) attached${cutNote(fit.cut)}`,
        data: { alert, events: fit.items, truncated: fit.cut },
      };
    },
  });

  for (const action of ["ack", "close"] as const) {
    const status = action === "ack" ? "acknowledged" : "closed";
    defineTool(server, ctx, {
      name: `${action}_alert`,
      title: action === "ack" ? "Acknowledge an alert" : "Close an alert",
      description: `Admin role only. ${action === "ack" ? "Acknowledge" : "Close"} an alert that is not closed (POST /v1/alerts/:id/${action}).`,
      admin: true,
      input: { id: z.string().min(1).max(100) },
      output: { id: z.string(), status: z.string() },
      async run(a, c) {
        if (!(await setAlertStatus(c.env.DB, a.id, status)))
          throw new AppError("alert_not_found", `no open alert "${a.id}"`);
        return { summary: `alert ${a.id} ${status}`, data: { id: a.id, status } };
      },
    });
  }

  defineTool(server, ctx, {
    name: "list_rules",
    title: "List detection rules",
    description: `The Sigma rules in force (bundled starter pack and runtime rules): each file's rules (id, kind, title, level, schedule), matches, last match, warnings. At most ${KiB} KiB.`,
    input: {},
    output: { data: Rows, ...Truncated },
    async run(_a, c) {
      const r = await listRuleFiles(c.env.DB);
      const fit = fitted(r.data);
      const rules = r.data.reduce((n, f) => n + f.rules.length, 0);
      return {
        summary: `${r.data.length} rule file(s), ${rules} rule(s)${cutNote(fit.cut)}`,
        data: { data: fit.items, truncated: fit.cut },
      };
    },
  });

  defineTool(server, ctx, {
    name: "test_rule",
    title: "Test a Sigma rule",
    description:
      'Try a Sigma rule (YAML) without storing anything: on given "events" (rows as search_logs returns them: which match, and why), or backtested over stored events of a range ("last" or "from"/"to": matches, the alerts it would have raised, a sample; reads at most 50,000 rows, "truncated" says when that bound cut the range).',
    input: {
      rule: z
        .string()
        .min(1)
        .max(256 * 1024),
      events: z.array(z.record(z.string(), z.unknown())).max(100).optional(),
      ...RangeInput,
    },
    output: {
      rules: Rows,
      results: Rows.optional(),
      backtest: z.record(z.string(), z.unknown()).optional(),
      warnings: z.array(z.string()),
    },
    async run(a, c) {
      const range =
        a.last !== undefined || a.from !== undefined || a.to !== undefined ? rangeOf(a, c.now) : {};
      if (range.from !== undefined && range.to === undefined) range.to = c.now;
      const r = await testRules(c.env.DB, { rule: a.rule, events: a.events, ...range });
      const sample = r.backtest ? fitted(r.backtest.sample, { ...r, backtest: {} }) : undefined;
      const data = {
        ...r,
        ...(r.backtest && sample
          ? { backtest: { ...r.backtest, sample: sample.items, sampleCut: sample.cut } }
          : {}),
      };
      const matched = r.results?.filter((x) => x.matches.length > 0).length;
      return {
        summary: r.backtest
          ? `backtest ${r.backtest.from} to ${r.backtest.to}: ${r.backtest.scanned} rows read, ${Object.values(r.backtest.matches).reduce((n, m) => n + m, 0)} match(es), ${r.backtest.alertCount} alert(s) would be raised${r.backtest.truncated ? `; truncated at ${r.backtest.scannedThrough}` : ""}`
          : `${matched} of ${r.results?.length ?? 0} event(s) matched`,
        data: data as Record<string, unknown>,
      };
    },
  });
}
