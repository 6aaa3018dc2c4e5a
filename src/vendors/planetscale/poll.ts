import { z } from "zod";
import { parseTimestamp } from "../../lib/time";
import { completeStatement, progressStatement } from "../../store/cursors";
import { getPage, PollError, parseJsonBody } from "../../transports/poll/http";
import { commitPage, emptyResult, orgUrl } from "../../transports/poll/page";
import type { PollContext, PollResult } from "../../transports/poll/types";
import { zodMessage } from "../event";

/** Items per request: the API's maximum (VENDORS.md §1). */
export const PAGE_SIZE = 100;

// Items are checked one by one by the normalizer (a bad one is quarantined alone); the page only
// needs to be a list, or one odd event would stop the walk for good.
const listEnvelope = z.looseObject({
  data: z.array(z.unknown()),
  has_next: z.boolean().optional(),
  cursor_end: z.string().nullish(),
});

const field = (e: unknown, k: string): unknown =>
  typeof e === "object" && e !== null ? (e as Record<string, unknown>)[k] : undefined;
const idOf = (e: unknown) => {
  const v = field(e, "id");
  return typeof v === "string" && v.length > 0 ? v : null;
};
const timeOf = (e: unknown) => {
  const v = field(e, "created_at");
  return typeof v === "string" ? parseTimestamp(v) : null;
};

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
    const { body } = await getPage(
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
    const first = items.find((e) => idOf(e) !== null);
    if (top.id === null && first) top = { id: idOf(first), time: timeOf(first) };
    const cut = items.findIndex(
      (e) =>
        (idOf(e) !== null && idOf(e) === state.highWaterId) ||
        (state.highWaterTime !== null &&
          (timeOf(e) ?? Number.POSITIVE_INFINITY) < state.highWaterTime),
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
