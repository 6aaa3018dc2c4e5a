import type { SourceRef } from "../model/view";
import { indexCorrelations } from "./correlate";
import { matchRows } from "./evaluate";
import { type ReplayEvent, replayCorrelations } from "./replay";
import type { CorrelationRule, DetectionRule, Row, Rule } from "./types";

/**
 * A backtest (POST /v1/rules/test with `from`/`to`, docs/detections.md "Testing a rule"): rules
 * run over stored rows the production way, nothing stored or sent. Detection rules match each
 * row as a commit does (`matchRows`: logsource product and service, dedup key); correlations
 * decide their windows through the production evaluation over the memory store
 * (`replayCorrelations`). The alerts are those the matches and windows would have raised, each
 * (rule, dedup key) folded within its dedupMinutes as src/store/alerts.ts does, with event time
 * standing for arrival time. Rows come in pages from `read`, in event-time order; the work is
 * bounded by `limits` (`truncated` when a bound cut the range).
 */

export interface BacktestLimits {
  /** The most rows read. */
  maxScanned: number;
  /** The most events with a correlation hit replayed (the replay's cost grows with their square). */
  maxCorrelationEvents: number;
  /** Rows per read. */
  page: number;
  /** The most matching rows returned. */
  sample: number;
  /** The most alerts listed (`alertCount` counts them all). */
  alerts: number;
}

export const BACKTEST_LIMITS: BacktestLimits = {
  maxScanned: 50_000,
  maxCorrelationEvents: 2_000,
  page: 1_000,
  sample: 20,
  alerts: 100,
};

/** A stored row as far as a backtest needs it. */
export interface BacktestRow {
  id: string;
  eventTime: number;
  sourceType: string;
  sourceID: string;
}

export interface BacktestAlert {
  ruleId: string;
  /** The dedup key (a correlation: its group). */
  group: string;
  firstSeen: number;
  lastSeen: number;
  count: number;
}

export interface Backtest<R> {
  scanned: number;
  truncated: boolean;
  /** Event time of the last row read (the range is complete up to it when truncated). */
  scannedThrough: number | null;
  /** Detection rule → rows it matched; correlation rule → windows that fired. */
  matches: Record<string, number>;
  alertCount: number;
  alerts: BacktestAlert[];
  sample: Array<{ row: R; ruleIds: string[] }>;
}

/** What can be said in SQL about the rows the rules may match: one source type or id, or none. */
export function scopeOf(rules: readonly Rule[]): {
  sourceType?: string;
  sourceID?: string;
  none: boolean;
} {
  const ds = rules.filter((r): r is DetectionRule => r.kind === "detection" && r.reachable);
  if (ds.length === 0) return { none: true };
  const one = (vs: Array<string | null>) => {
    const set = new Set(vs);
    const [v] = set;
    return set.size === 1 && v !== null ? v : undefined;
  };
  return {
    sourceType: one(ds.map((d) => d.product)),
    sourceID: one(ds.map((d) => d.service)),
    none: false,
  };
}

interface Candidate {
  ruleId: string;
  group: string;
  time: number;
  dedupMinutes: number;
}

/** One alert per (rule, dedup key) within dedupMinutes of its first match (src/store/alerts.ts). */
export function foldAlerts(candidates: readonly Candidate[]): BacktestAlert[] {
  const open = new Map<string, BacktestAlert>();
  const out: BacktestAlert[] = [];
  const sorted = [...candidates].sort((a, b) => a.time - b.time);
  for (const c of sorted) {
    const k = JSON.stringify([c.ruleId, c.group]);
    const a = open.get(k);
    if (a && a.firstSeen > c.time - c.dedupMinutes * 60_000) {
      a.count += 1;
      a.lastSeen = c.time;
      continue;
    }
    const created = {
      ruleId: c.ruleId,
      group: c.group,
      firstSeen: c.time,
      lastSeen: c.time,
      count: 1,
    };
    open.set(k, created);
    out.push(created);
  }
  return out;
}

export async function backtest<R extends BacktestRow>(
  rules: readonly Rule[],
  read: (after: R | undefined, limit: number) => Promise<R[]>,
  ruleRow: (row: R) => Row,
  limits: BacktestLimits = BACKTEST_LIMITS,
): Promise<Backtest<R>> {
  const detections = rules.filter((r): r is DetectionRule => r.kind === "detection");
  const correlations = rules.filter((r): r is CorrelationRule => r.kind === "correlation");
  const active = { detections, correlations: indexCorrelations(correlations) };
  const matches: Record<string, number> = Object.fromEntries(rules.map((r) => [r.id, 0]));
  const candidates: Candidate[] = [];
  const sample: Backtest<R>["sample"] = [];
  const replay: ReplayEvent[] = [];
  let scanned = 0;
  let truncated = false;
  let last: R | undefined;
  const none = scopeOf(rules).none;
  while (!none) {
    const want = Math.min(limits.page, limits.maxScanned - scanned);
    const rows = await read(last, want + 1);
    const page = rows.slice(0, want);
    const more = rows.length > want;
    scanned += page.length;
    last = page[page.length - 1] ?? last;
    // A commit is one source's rows: group the page by source, in order.
    const bySource = new Map<string, R[]>();
    for (const r of page) {
      const k = JSON.stringify([r.sourceType, r.sourceID]);
      const list = bySource.get(k);
      if (list) list.push(r);
      else bySource.set(k, [r]);
    }
    const ruleIds = new Map<string, string[]>();
    const hitEvents = new Set<string>();
    for (const rows of bySource.values()) {
      const [first] = rows as [R];
      const source: SourceRef = { type: first.sourceType, id: first.sourceID };
      for (const m of matchRows(active, source, rows, ruleRow)) {
        if (m.correlation) {
          hitEvents.add(m.eventId);
          continue;
        }
        matches[m.ruleId] = (matches[m.ruleId] ?? 0) + 1;
        ruleIds.set(m.eventId, [...(ruleIds.get(m.eventId) ?? []), m.ruleId]);
        if (!m.silent)
          candidates.push({
            ruleId: m.ruleId,
            group: m.dedupKey,
            time: m.eventTime,
            dedupMinutes: m.dedupMinutes,
          });
      }
    }
    for (const r of page) {
      const ids = ruleIds.get(r.id);
      if (ids && sample.length < limits.sample) sample.push({ row: r, ruleIds: ids });
      if (hitEvents.has(r.id))
        replay.push({
          id: r.id,
          time: r.eventTime,
          row: ruleRow(r),
          source: { type: r.sourceType, id: r.sourceID },
        });
    }
    if (!more) break;
    if (scanned >= limits.maxScanned || replay.length >= limits.maxCorrelationEvents) {
      truncated = true;
      break;
    }
  }
  if (replay.length > 0) {
    const byId = new Map(correlations.map((c) => [c.id, c]));
    for (const f of await replayCorrelations(rules, replay)) {
      matches[f.ruleId] = (matches[f.ruleId] ?? 0) + 1;
      const c = byId.get(f.ruleId);
      if (f.alerted && c)
        candidates.push({
          ruleId: f.ruleId,
          group: f.group,
          time: f.window.time,
          dedupMinutes: c.dedupMinutes,
        });
    }
  }
  const alerts = foldAlerts(candidates);
  return {
    scanned,
    truncated,
    scannedThrough: last?.eventTime ?? null,
    matches,
    alertCount: alerts.length,
    alerts: alerts.slice(0, limits.alerts),
    sample,
  };
}
