import { loadSources } from "../config";
import { coldObjects } from "../store/archive-tiers";
import {
  type KeyedRow,
  type LogFilter,
  type LogQuery,
  queryHotPage,
  queryLogs,
} from "../store/query";
import {
  type ColdHit,
  compare,
  completeRows,
  DEFAULT_BUDGET,
  edgeCursor,
  type ReadBudget,
  type ReadStats,
  readColdPage,
} from "./read";

/**
 * GET /v1/logs over both tiers (issue 28; docs/archive.md "Reading across tiers"). D1 answers
 * every hour that is not cold, the archive every cold one (src/store/archive-tiers.ts): one page
 * merges the two in the query's order, so a page may hold rows of both, and the keyset cursor
 * goes on across them. The archive's part is bounded (objects, bytes, rows, time); when a bound
 * cut it, the page ends where the answer is still complete and its cursor continues from there.
 */

/** How many cold objects one page lists (it reads at most the budget's maxObjects of them). */
const LISTED = 400;

export interface TierMeta {
  /** The tiers that were read for this page. */
  tiers: Array<"hot" | "archive">;
  /** Rows of the page from each tier. */
  rows: { hot: number; archive: number };
  archive?: {
    objects: number;
    bytes: number;
    rowsScanned: number;
    /** The bound that cut this page short; `nextCursor` continues after it. */
    cut?: ReadStats["cut"];
  };
}

export interface TierPage {
  rows: KeyedRow[];
  /** Where the next page starts (the last row's (t, key), or a cut's edge), or null at the end. */
  next: { t: number; key: string } | null;
  meta: TierMeta;
}

/** The sources a filter names (undefined: every source). */
export function sourcesOf(env: Env, q: LogFilter): string[] | undefined {
  if (!q.sourceID && !q.sourceType) return undefined;
  const ids = loadSources(env)
    .filter(
      (s) => (!q.sourceID || s.id === q.sourceID) && (!q.sourceType || s.type === q.sourceType),
    )
    .map((s) => s.id);
  // a source no longer configured may still have archived hours
  return q.sourceID && !q.sourceType && !ids.includes(q.sourceID) ? [q.sourceID] : ids;
}

const sortKey = (q: LogQuery, r: KeyedRow) => ({
  t: q.timeField === "eventTime" ? r.eventTime : r.receivedAt,
  key: BigInt(r.key),
});

export async function queryTiers(
  env: Env,
  q: LogQuery,
  budget: ReadBudget = {
    ...DEFAULT_BUDGET,
    deadline: Date.now() + DEFAULT_BUDGET.ms,
  },
): Promise<TierPage> {
  const sourceIDs = sourcesOf(env, q);
  const need = q.limit + 1;
  // the cold-hour check and D1's page in one round trip
  const { cold, rows: hot } =
    sourceIDs?.length === 0
      ? { cold: false, rows: await queryLogs(env.DB, { ...q, limit: need }) }
      : await queryHotPage(env.DB, { ...q, limit: need }, sourceIDs);
  if (!cold) {
    const page = hot.slice(0, q.limit);
    const last = page[page.length - 1];
    return {
      rows: page,
      next: hot.length > q.limit && last ? afterOf(q, last) : null,
      meta: { tiers: ["hot"], rows: { hot: page.length, archive: 0 } },
    };
  }
  const range = { from: q.from, to: q.to };
  if (q.after) {
    if (q.order === "desc")
      range.to = Math.min(range.to ?? Number.POSITIVE_INFINITY, q.after.t + 1);
    else range.from = Math.max(range.from ?? Number.NEGATIVE_INFINITY, q.after.t);
  }
  const objects = await coldObjects(env.DB, {
    sourceIDs,
    timeField: q.timeField,
    order: q.order,
    from: range.from,
    to: range.to,
    limit: LISTED,
  });
  const coldPage = await readColdPage(
    env.ARCHIVE,
    objects,
    q,
    need,
    budget,
    objects.length < LISTED,
  );
  // merge: hot rows, then cold hits, in order; a row of a hour read from both tiers (cooled,
  // then unverified) once
  type Item = { hot?: KeyedRow; cold?: ColdHit; t: number; key: bigint; id: string };
  // A tier that gave all `need` rows asked may hold more after its last: the merged answer is
  // complete only up to the first such last row (a row of both tiers merged once could leave
  // fewer than `limit` rows, and the next page must start there, not after the other tier's).
  const hotLast = hot.length >= need ? hot[hot.length - 1] : undefined;
  const coldLast = coldPage.hits.length >= need ? coldPage.hits.at(-1) : undefined;
  const bounds = [
    ...(hotLast ? [sortKey(q, hotLast)] : []),
    ...(coldLast ? [{ t: coldLast.t, key: coldLast.key }] : []),
  ].sort((a, b) => compare(q, a, b));
  const bound = bounds[0];
  const items: Item[] = [
    ...hot.map((r) => ({ hot: r, ...sortKey(q, r), id: r.id })),
    ...coldPage.hits.map((h) => ({ cold: h, t: h.t, key: h.key, id: h.id })),
  ]
    .filter((it) => coldPage.cutAt === undefined || cutBefore(q, it.t, coldPage.cutAt))
    .filter((it) => bound === undefined || compare(q, it, bound) <= 0)
    .sort((a, b) => compare(q, a, b));
  const merged: Item[] = [];
  for (const it of items) {
    const prev = merged[merged.length - 1];
    if (prev && prev.id === it.id && prev.key === it.key) continue;
    merged.push(it);
  }
  const page = merged.slice(0, q.limit);
  const stats = coldPage.stats;
  const full = await completeRows(
    env.ARCHIVE,
    page.flatMap((it) => (it.cold ? [it.cold] : [])),
    stats,
  );
  const rows = page.map((it) => (it.hot ?? full.get(it.cold as ColdHit)) as KeyedRow);
  const last = rows[rows.length - 1];
  // more after this page: beyond `limit` rows, or before a cut of the archive's read (its edge),
  // or after a tier's last row (bound) when the cut, if any, comes later
  const next =
    merged.length > q.limit && last
      ? afterOf(q, last)
      : coldPage.cutAt !== undefined &&
          (bound === undefined || !cutBefore(q, bound.t, coldPage.cutAt))
        ? edgeCursor(q, coldPage.cutAt)
        : bound !== undefined && last
          ? afterOf(q, last)
          : null;
  const archiveRows = page.filter((it) => it.cold).length;
  return {
    rows,
    next,
    meta: {
      tiers: stats.objects > 0 ? ["hot", "archive"] : ["hot"],
      rows: { hot: rows.length - archiveRows, archive: archiveRows },
      archive: {
        objects: stats.objects,
        bytes: stats.bytes,
        rowsScanned: stats.rowsScanned,
        ...(stats.cut ? { cut: stats.cut } : {}),
      },
    },
  };
}

/** Whether time t lies before a cut's edge in the query's order (is complete). */
const cutBefore = (q: LogQuery, t: number, edge: number) =>
  q.order === "desc" ? t > edge : t < edge;

const afterOf = (q: LogQuery, r: KeyedRow) => ({
  t: q.timeField === "eventTime" ? r.eventTime : r.receivedAt,
  key: r.key,
});
