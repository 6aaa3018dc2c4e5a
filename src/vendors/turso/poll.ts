import { z } from "zod";
import { parseTimestamp } from "../../lib/time";
import { completeStatement, progressStatement } from "../../store/cursors";
import { getPage, PollError, parseJsonBody } from "../../transports/poll/http";
import { commitPage, emptyResult, orgUrl } from "../../transports/poll/page";
import type { PollContext, PollResult } from "../../transports/poll/types";
import { zodMessage } from "../event";

export const PAGE_SIZE = 100;

// The documented envelope. The Elixir SDK's mock shape (page_token, has_more, entries with id /
// timestamp / action) is not the API: without `pagination` a response is malformed, not empty.
const pageEnvelope = z.looseObject({
  // Entries are checked one by one by the normalizer: a bad one is quarantined, not the page.
  audit_logs: z.array(z.unknown()),
  pagination: z.looseObject({
    page: z.number().int().optional(),
    page_size: z.number().int().optional(),
    total_pages: z.number().int().nonnegative(),
    total_rows: z.number().int().nonnegative().optional(),
  }),
});

function explainAuth(ctx: PollContext) {
  const env = ctx.source.tokenEnv;
  return (status: number) =>
    status === 401
      ? `Turso rejected the API token (401): set ${env} to a platform API token, e.g. from \`turso auth api-tokens mint <name> --org ${ctx.source.organization}\``
      : status === 402 || status === 403
        ? `Turso refused access (${status}): audit logs need the Scaler plan or above, and the token in ${env} must belong to organization "${ctx.source.organization}"`
        : `Turso answered 404 for organization "${ctx.source.organization}": check the organization slug (audit logs may not be available on this plan)`;
}

/**
 * Turso's audit log is newest first by `created_at` (one-second resolution) with page numbers
 * and no ids. A walk reads pages from 1 and commits each (events are deduplicated by the hash of
 * the entry, so entries shifted onto the next page by new events are counted as duplicates, never
 * lost); it ends at an empty page, the last page, or a page that brought nothing new and holds
 * only events older than the high-water time (same-second events are not "older": `>=`).
 */
/** One page of the walk, its envelope checked (entries are checked one by one later). */
async function fetchPage(ctx: PollContext, page: number) {
  const url = `${orgUrl(ctx, "audit-logs")}?page=${page}&page_size=${PAGE_SIZE}`;
  const { body } = await getPage(
    { url, headers: { authorization: `Bearer ${ctx.token}` }, explainAuth: explainAuth(ctx) },
    ctx.now,
  );
  const parsed = pageEnvelope.safeParse(parseJsonBody(body, url));
  if (!parsed.success) {
    throw new PollError(
      "malformed",
      `not a Turso audit-log page: ${zodMessage(parsed.error.issues)}`,
      { body, url },
    );
  }
  return parsed.data;
}

/** Each entry's time (entries with none sort as oldest). */
const entryTimes = (entries: unknown[]) =>
  entries.map((e) => {
    const t =
      typeof e === "object" && e !== null ? (e as { created_at?: unknown }).created_at : undefined;
    return (typeof t === "string" ? parseTimestamp(t) : null) ?? Number.NEGATIVE_INFINITY;
  });

export async function pollTurso(ctx: PollContext): Promise<PollResult> {
  const { state } = ctx;
  const result = emptyResult();
  let page = state.windowNext ? Number(state.windowNext) : 1;
  let topTime = state.windowTopTime;
  for (let pages = 0; pages < ctx.maxPages; pages++, page++) {
    const { audit_logs: entries, pagination } = await fetchPage(ctx, page);
    result.requests++;
    const times = entryTimes(entries);
    for (const t of times) if (Number.isFinite(t) && (topTime === null || t > topTime)) topTime = t;
    const hw = state.highWaterTime;
    const lastPage = page >= pagination.total_pages;
    // The walk surely ends at an empty or last page; a page of only old events ends it if it
    // brought nothing new (known after its commit).
    const certain = entries.length === 0 || lastPage;
    const endsIfNothingNew = certain || (hw !== null && times.every((t) => t < hw));
    const walk = { topId: null, topTime, requests: 1 };
    const cursor = certain
      ? completeStatement(ctx.env.DB, ctx.source.id, ctx.owner, walk)
      : progressStatement(ctx.env.DB, ctx.source.id, ctx.owner, {
          ...walk,
          next: String(page + 1),
        });
    const c = await commitPage(ctx, result, entries, `page ${page}`, cursor);
    if (!certain && !(endsIfNothingNew && c.inserted === 0)) continue;
    if (!certain)
      await completeStatement(ctx.env.DB, ctx.source.id, ctx.owner, { ...walk, requests: 0 }).run();
    result.complete = true;
    return result;
  }
  return result;
}
