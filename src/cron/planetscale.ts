import { z } from "zod";
import { parseTimestamp } from "../lib/time";
import { zodMessage } from "../normalize/types";
import { getPage, PollError, parseJsonBody } from "./http";
import { commitPage, emptyResult, orgUrl } from "./page";
import { completeStatement, progressStatement } from "./state";
import type { PollContext, PollResult } from "./types";

/** Items per request: the API's maximum (VENDORS.md §1). */
export const PAGE_SIZE = 100;

const listEnvelope = z.looseObject({
  data: z.array(z.looseObject({ id: z.string().min(1), created_at: z.string().nullish() })),
  has_next: z.boolean().optional(),
  cursor_end: z.string().nullish(),
});

function explainAuth(ctx: PollContext) {
  const env = ctx.source.tokenEnv;
  return (status: number) =>
    status === 401
      ? `PlanetScale rejected the service token (401): set ${env} to "<SERVICE_TOKEN_ID>:<SERVICE_TOKEN>" of a valid service token`
      : status === 403
        ? `PlanetScale refused access (403): give the service token in ${env} the read_audit_logs permission on organization "${ctx.source.organization}"`
        : `PlanetScale answered ${status} for organization "${ctx.source.organization}": check the organization name, and that the service token in ${env} has read_audit_logs (a missing permission also shows as 404)`;
}

/**
 * PlanetScale's audit log is newest first with `starting_after` cursors. A walk starts at the
 * head, commits page by page (each page with the cursor that continues it) and ends at the
 * first event already stored (the high-water id, or anything older than its time) or at an empty
 * page; only then does the walk's newest event become the high-water mark. The first walk is the
 * backfill of everything the API still keeps, spread over runs by `maxPages`.
 */
export async function pollPlanetScale(ctx: PollContext): Promise<PollResult> {
  const { state } = ctx;
  const result = emptyResult();
  let next = state.windowNext;
  let top = { id: state.windowTopId, time: state.windowTopTime };
  const base = orgUrl(ctx, "audit-log");
  for (let pages = 0; pages < ctx.maxPages; pages++) {
    const url = `${base}?limit=${PAGE_SIZE}${next ? `&starting_after=${encodeURIComponent(next)}` : ""}`;
    const body = await getPage(
      { url, headers: { authorization: ctx.token }, explainAuth: explainAuth(ctx) },
      ctx.now,
    );
    result.requests++;
    const parsed = listEnvelope.safeParse(parseJsonBody(body, url));
    if (!parsed.success) {
      throw new PollError(
        "malformed",
        `not an audit-log page: ${zodMessage(parsed.error.issues)}`,
        { body, url },
      );
    }
    const items = parsed.data.data;
    const first = items[0];
    if (top.id === null && first)
      top = { id: first.id, time: first.created_at ? parseTimestamp(first.created_at) : null };
    const cut = items.findIndex(
      (e) =>
        e.id === state.highWaterId ||
        (state.highWaterTime !== null &&
          e.created_at != null &&
          (parseTimestamp(e.created_at) ?? Infinity) < state.highWaterTime),
    );
    const fresh = cut >= 0 ? items.slice(0, cut) : items;
    const done = cut >= 0 || items.length === 0 || !parsed.data.cursor_end;
    const requests = 1;
    const cursor = done
      ? completeStatement(ctx.env.DB, ctx.source.id, ctx.owner, {
          topId: top.id,
          topTime: top.time,
          requests,
        })
      : progressStatement(ctx.env.DB, ctx.source.id, ctx.owner, {
          topId: top.id,
          topTime: top.time,
          next: parsed.data.cursor_end ?? null,
          requests,
        });
    const page = next ? `starting_after=${next}` : "head";
    await commitPage(ctx, result, fresh, page, cursor);
    if (done) {
      result.complete = true;
      return result;
    }
    next = parsed.data.cursor_end ?? null;
  }
  return result;
}
