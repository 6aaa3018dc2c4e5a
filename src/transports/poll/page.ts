import { type Framed, framedValue } from "../../parse/json";
import type { Pending } from "../../ports";
import type { PollContext, PollResult } from "./types";

export const emptyResult = (): PollResult => ({
  requests: 0,
  inserted: 0,
  duplicates: 0,
  quarantined: 0,
  complete: false,
});

/**
 * Commits one page's events and the cursor statement describing the walk after it, in one D1
 * batch: the cursor never moves past events that are not stored. Adds the counts to `result`.
 */
export async function commitPage(
  ctx: PollContext,
  result: PollResult,
  items: unknown[],
  page: string,
  cursor: Pending,
) {
  const records: Framed[] = items.map((value, i) => framedValue(`${page} [${i}]`, value));
  const c = await ctx.ports.ingest.records(ctx.source, records, { extra: () => [cursor] });
  result.inserted += c.inserted;
  result.duplicates += c.duplicates;
  result.quarantined += c.quarantined;
  return c;
}
