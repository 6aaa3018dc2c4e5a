import type { CursorState } from "../../ports";
import type { PollClient } from "../../vendors/types";
import { getPage, PollError, parseJsonBody } from "./http";
import { commitPage, emptyResult } from "./page";
import type { PollContext, PollResult } from "./types";

/**
 * The one poll walker: it drives a vendor's page client (src/vendors/<vendor>/poll.ts) over a
 * newest-first list. A walk starts at the head and commits page by page, each page's events in
 * one D1 batch with the cursor statement that continues it (a crash resumes at the last
 * committed page). It reads back past the high-water mark through an overlap window
 * (`overlapSeconds`), so events the vendor lists late or dates back are still stored (dedup by
 * the event id makes the overlap free), and ends at the first page holding an event older than
 * that window, or at the list's end; only then does the walk's newest event become the
 * high-water mark. A token followed twice in one walk, or a page of nothing new while the vendor
 * says there is more, stops the walk as `cursor_loop`: the next walk starts at the head again.
 * An oldest-first client (manifests of APIs with a `since` parameter) is asked for its head from
 * the window's floor on (PageTarget.floor) and read to the list's end; the rest is the same.
 */

/** Tokens kept with a walk that spans runs: a longer loop is not seen across runs. */
const MAX_TOKENS = 1000;

interface Walk {
  next: string | null;
  top: { id: string | null; time: number | null };
  /** The tokens this walk has followed, oldest first (kept with the cursor between runs). */
  tokens: string[];
  /** Keys of the items this run has read. */
  items: Set<string>;
  /** Items older than this are behind the overlap window: the walk ends there. */
  floor: number | null;
}

interface Page {
  items: unknown[];
  next: string | null;
}

/** The tokens the walk in progress has followed (none when no walk is in progress). */
function walkTokens(state: CursorState): string[] {
  if (state.windowNext === null || !state.windowTokens) return [];
  try {
    const v: unknown = JSON.parse(state.windowTokens);
    return Array.isArray(v) ? v.filter((t): t is string => typeof t === "string") : [];
  } catch {
    return [];
  }
}

function startWalk(ctx: PollContext): Walk {
  const { state } = ctx;
  const tokens = walkTokens(state);
  if (state.windowNext !== null && !tokens.includes(state.windowNext))
    tokens.push(state.windowNext);
  const hw = state.highWaterTime;
  return {
    next: state.windowNext,
    top: { id: state.windowTopId, time: state.windowTopTime },
    tokens,
    items: new Set(),
    floor: hw === null ? null : hw - ctx.source.overlapSeconds * 1000,
  };
}

async function readPage(
  ctx: PollContext,
  client: PollClient,
  w: Walk,
  next: string | null,
): Promise<Page> {
  const target = { source: ctx.source, token: ctx.token, baseUrl: ctx.baseUrl, floor: w.floor };
  const req = client.request(target, next);
  const { body, headers } = await getPage(req, ctx.now, ctx.limits);
  const parsed = client.parse(parseJsonBody(body, req.url), next, { url: req.url, headers });
  if (!parsed.ok) throw new PollError("malformed", parsed.error, { body, url: req.url });
  return parsed;
}

/** A 53-bit hash of an item without an id (cyrb53): only for telling pages apart in one run. */
function hash53(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
}

const itemKey = (client: PollClient, item: unknown) =>
  client.idOf(item) ?? `#${hash53(JSON.stringify(item) ?? "")}`;

/** What the vendor did, if this page makes the walk loop; the page's items become "seen". */
function loopOf(client: PollClient, w: Walk, page: Page): string | null {
  const keys = page.items.map((item) => itemKey(client, item));
  const nothingNew = keys.length > 0 && keys.every((k) => w.items.has(k));
  for (const k of keys) w.items.add(k);
  if (page.next === null) return null;
  const stop = "; the walk stopped, and the next one starts at the newest events";
  if (w.tokens.includes(page.next))
    return `${client.name} returned ${client.tokenLabel(page.next)} twice in one walk${stop}`;
  if (nothingNew)
    return `${client.name} answered ${client.pageLabel(w.next)} with only entries already read in this walk, yet says there are more pages${stop}`;
  return null;
}

/** The walk's newest event so far (a time in the future counts as now). */
function raiseTop(ctx: PollContext, client: PollClient, w: Walk, items: unknown[]) {
  for (const item of items) {
    const t = client.timeOf(item);
    if (t === null) continue;
    const time = Math.min(t, ctx.now);
    if (w.top.time === null || time > w.top.time) w.top = { id: client.idOf(item), time };
  }
}

/** One page's step: the events to store, whether the walk ends, and the statement saying so. */
function stepOf(ctx: PollContext, client: PollClient, w: Walk, page: Page) {
  // An oldest-first list asked from `floor` on is read to its end: an older event there is one the
  // vendor listed late, not the edge of the window.
  const cut = client.order !== "oldest_first";
  const older = (item: unknown) => {
    if (!cut) return false;
    const t = client.timeOf(item);
    return w.floor !== null && t !== null && t < w.floor;
  };
  const fresh = page.items.filter((item) => !older(item));
  raiseTop(ctx, client, w, fresh);
  const loop = loopOf(client, w, page);
  const done = fresh.length < page.items.length || page.next === null;
  const { ports, source, owner } = ctx;
  const walk = { topId: w.top.id, topTime: w.top.time, requests: 1 };
  if (done) {
    const cursor = ports.cursors.complete(source.id, owner, walk);
    return { fresh, done, loop: null, cursor, tokens: w.tokens };
  }
  if (loop) {
    const cursor = ports.cursors.restart(source.id, owner, 1);
    return { fresh, done, loop, cursor, tokens: w.tokens };
  }
  const tokens = [...w.tokens, page.next as string].slice(-MAX_TOKENS);
  const cursor = ports.cursors.progress(source.id, owner, { ...walk, next: page.next, tokens });
  return { fresh, done, loop: null, cursor, tokens };
}

/** The wait between two requests a vendor's documented rate limit asks for (ms). */
const spacing = (client: PollClient) =>
  client.rateLimit ? (client.rateLimit.perSeconds * 1000) / client.rateLimit.requests : 0;

/** Walks `client`'s list for one run of a leased source: at most `maxPages` requests. */
export async function walk(ctx: PollContext, client: PollClient): Promise<PollResult> {
  const result = emptyResult();
  const w = startWalk(ctx);
  const gap = spacing(client);
  for (let pages = 0; pages < ctx.maxPages; pages++) {
    if (pages > 0 && gap > 0) await new Promise((resolve) => setTimeout(resolve, gap));
    const page = await readPage(ctx, client, w, w.next);
    result.requests++;
    const step = stepOf(ctx, client, w, page);
    await commitPage(ctx, result, step.fresh, client.pageLabel(w.next), step.cursor);
    if (step.loop) throw new PollError("cursor_loop", step.loop);
    if (step.done) {
      result.complete = true;
      return result;
    }
    w.tokens = step.tokens;
    w.next = page.next;
  }
  return result;
}
