import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { coldFrom } from "../archive/cold";
import { findArchived } from "../archive/lookup";
import { queryTiers } from "../archive/tiers";
import { catalog, present } from "../catalog";
import { SOURCE_TYPES } from "../config";
import { decodeCursor, encodeCursor } from "../lib/cursor";
import { AppError } from "../lib/errors";
import { getLog, type KeyedRow, type LogQuery } from "../store/query";
import { runSql } from "../store/sql";
import { sqlExamples } from "../store/sql-examples";
import { RangeInput, rangeOf } from "./range";
import {
  budgetAround,
  type CallContext,
  clip,
  defineTool,
  fitItems,
  MAX_ANSWER_BYTES,
} from "./tool";

/** The query tools: search_logs, get_event, run_sql, describe_schema. */

/** The most rows search_logs answers at once (GET /v1/logs: 1000; an assistant reads fewer). */
export const SEARCH_MAX_ROWS = 200;
/** The most rows run_sql answers (POST /v1/sql: 10,000). */
export const SQL_MAX_ROWS = 1000;

const Truncation = {
  truncated: z.boolean(),
  truncatedBy: z.enum(["rows", "bytes"]).optional(),
};

export function queryTools(server: McpServer, ctx: CallContext): void {
  defineTool(server, ctx, {
    name: "search_logs",
    title: "Search audit events",
    description: `Search stored audit events, newest first (the filters of GET /v1/logs). Give a range with "last" (e.g. 24h) or "from"/"to". At most ${SEARCH_MAX_ROWS} rows and ${MAX_ANSWER_BYTES / 1024} KiB per answer, long strings (rawLog) cut at 2,048 characters; "nextCursor" continues, "truncated" says rows were left out. Use get_event for one full event.`,
    input: {
      sourceType: z.enum(SOURCE_TYPES).optional().describe("vendor type"),
      sourceID: z.string().min(1).max(200).optional().describe("source id (list_sources)"),
      eventName: z.string().min(1).max(500).optional(),
      actor: z.string().min(1).max(500).optional().describe("any value of the actor map"),
      srcIP: z.string().min(1).max(100).optional(),
      q: z
        .string()
        .min(1)
        .max(200)
        .optional()
        .describe("free text: substring of eventName, actor, srcIP, resources or rawLog"),
      ...RangeInput,
      timeField: z.enum(["eventTime", "receivedAt"]).default("eventTime"),
      order: z.enum(["desc", "asc"]).default("desc"),
      limit: z.number().int().min(1).max(SEARCH_MAX_ROWS).default(20),
      cursor: z.string().max(500).optional().describe("nextCursor of the previous answer"),
    },
    output: {
      data: z.array(z.record(z.string(), z.unknown())),
      nextCursor: z.string().nullable(),
      tiers: z.array(z.enum(["hot", "archive"])),
      archiveCut: z.string().optional(),
      ...Truncation,
    },
    async run(a, c) {
      const { last: _l, from: _f, to: _t, cursor, limit, ...filter } = a;
      const range = rangeOf(a, c.now);
      const query: LogQuery = { ...filter, ...range, limit };
      if (cursor) {
        const cur = decodeCursor(cursor);
        if (!cur || cur.f !== a.timeField || cur.o !== a.order)
          throw new AppError(
            "invalid_parameter",
            `"cursor" is not a cursor of this search (repeat its timeField and order)`,
          );
        query.after = { t: cur.t, key: cur.key };
      }
      // both tiers, as GET /v1/logs: an hour whose rows left D1 is read from the archive
      const tiers = await queryTiers(c.env, query);
      const page = tiers.rows;
      const archiveCut = tiers.meta.archive?.cut;
      const fit = fitItems(
        page.map((r) => clip(present(r))),
        budgetAround({ nextCursor: "x".repeat(200) }),
      );
      const cut = fit.items.length < page.length;
      const last = page[fit.items.length - 1] as KeyedRow | undefined;
      const next =
        cut && last
          ? { t: a.timeField === "eventTime" ? last.eventTime : last.receivedAt, key: last.key }
          : tiers.next;
      const more = next !== null;
      const nextCursor = next ? encodeCursor({ f: a.timeField, o: a.order, ...next }) : null;
      return {
        summary: `${fit.items.length} event(s)${more ? " (more match: pass nextCursor)" : ""}${cut ? `, cut at ${MAX_ANSWER_BYTES / 1024} KiB` : ""}${tiers.meta.tiers.includes("archive") ? "; read from the archive too" : ""}${archiveCut ? ` (the archive read stopped at its ${archiveCut} bound: pass nextCursor)` : ""}`,
        data: {
          data: fit.items as Record<string, unknown>[],
          nextCursor,
          truncated: cut,
          ...(cut ? { truncatedBy: "bytes" as const } : {}),
          tiers: tiers.meta.tiers,
          ...(archiveCut ? { archiveCut: String(archiveCut) } : {}),
        },
      };
    },
  });

  defineTool(server, ctx, {
    name: "get_event",
    title: "Get one event",
    description:
      "One stored event by id: every common column, its enrichment (src* AS/geo) and its vendor fields (sourceFields); strings cut at 32,768 characters.",
    input: {
      id: z
        .string()
        .regex(/^[0-9a-f]{1,64}$/)
        .describe("the event's id (search_logs)"),
    },
    output: { event: z.record(z.string(), z.unknown()) },
    async run(a, c) {
      // D1 first, then the archive's cold hours (as GET /v1/logs/:id)
      const row = (await getLog(c.env.DB, a.id)) ?? (await findArchived(c.env, a.id)).row;
      if (!row) throw new AppError("log_not_found", `no stored event with id "${a.id}"`);
      const event = clip(present(row), 32_768) as Record<string, unknown>;
      return {
        summary: `${row.eventName} at ${event.eventTime} from source ${row.sourceID}`,
        data: { event },
      };
    },
  });

  defineTool(server, ctx, {
    name: "run_sql",
    title: "Run read-only SQL",
    description: `One read-only SELECT (SQLite) over "logs" (every source, ISO-8601 times) and the per-source views (describe_schema), through the gate of POST /v1/sql: writes, PRAGMA, ATTACH, internal tables and plans that multiply two scans are refused. Bound your time range (eventTime >= '2026-11-30'). At most ${SQL_MAX_ROWS} rows and ${MAX_ANSWER_BYTES / 1024} KiB per answer ("truncated", "truncatedBy").`,
    input: {
      query: z.string().min(1).max(100_000),
      limit: z.number().int().min(1).max(SQL_MAX_ROWS).default(100),
    },
    output: {
      columns: z.array(z.string()),
      rows: z.array(z.array(z.unknown())),
      rowsRead: z.number(),
      coldFrom: z.string().optional(),
      ...Truncation,
    },
    async run(a, c) {
      const r = await runSql(c.env.DB, a.query, a.limit, 2 * MAX_ANSWER_BYTES, catalog());
      const rows = r.rows.map((row) => clip(row) as unknown[]);
      const fit = fitItems(rows, budgetAround({ columns: r.columns }));
      const by = fit.cut ? "bytes" : r.truncated ? "rows" : undefined;
      const cold = await coldFrom(c.env, c.now, { from: r.from });
      return {
        summary: `${fit.items.length} row(s) of ${r.columns.length} column(s), ${r.rowsRead} rows read${by ? `; truncated by ${by === "rows" ? `limit ${a.limit}` : `${MAX_ANSWER_BYTES / 1024} KiB`}` : ""}`,
        data: {
          columns: r.columns,
          rows: fit.items,
          rowsRead: r.rowsRead,
          truncated: by !== undefined,
          ...(by ? { truncatedBy: by } : {}),
          ...(cold ? { coldFrom: cold } : {}),
        },
      };
    },
  });

  defineTool(server, ctx, {
    name: "describe_schema",
    title: "Describe the SQL schema",
    description:
      'The views run_sql reads ("logs" and one per vendor), their columns, and example queries. Give "view" for one view.',
    input: { view: z.string().min(1).max(100).optional() },
    output: {
      views: z.array(
        z.object({ name: z.string(), description: z.string(), columns: z.array(z.string()) }),
      ),
      examples: z.array(z.object({ title: z.string(), sql: z.string() })),
    },
    async run(a, c) {
      const all = catalog().columns;
      const views = all.filter((v) => !a.view || v.name === a.view).map((v) => ({ ...v }));
      if (views.length === 0)
        throw new AppError(
          "not_found",
          `no view "${a.view}"; views: ${all.map((v) => v.name).join(", ")}`,
        );
      const examples = sqlExamples(
        c.now,
        all.map((v) => v.name),
      ).filter((e) => !a.view || new RegExp(`\\b${a.view}\\b`).test(e.sql));
      return {
        summary: `${views.length} view(s): ${views.map((v) => v.name).join(", ")}`,
        data: { views, examples },
      };
    },
  });
}
