import type { Framed } from "../parse/json";
import { prepareRecords } from "../pipeline";
import { commit } from "../store/ingest";
import type { PollContext } from "./types";

/**
 * Commits one page's events and the cursor statement describing the walk after it, in one D1
 * batch: the cursor never moves past events that are not stored.
 */
export async function commitPage(
  ctx: PollContext,
  items: unknown[],
  page: string,
  cursor: D1PreparedStatement,
) {
  const records: Framed[] = items.map((value, i) => ({
    location: `${page} [${i}]`,
    raw: JSON.stringify(value),
    ok: true,
    value,
  }));
  const now = Date.now();
  const prepared = await prepareRecords(ctx.env, ctx.source, records, now);
  return commit(ctx.env, {
    sourceID: ctx.source.id,
    sourceType: ctx.source.type,
    ...prepared,
    received: records.length,
    now,
    extra: [cursor],
  });
}
