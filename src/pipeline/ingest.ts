import { loadDestinations } from "../alerts/destinations";
import { queueAlerts } from "../alerts/notify";
import { lastLoadedRules, loadRules, matchRows, type RulesInForce } from "../detect/evaluate";
import { describeError } from "../lib/errors";
import { type Spans, spans as spansOf } from "../lib/spans";
import type { Match } from "../model/match";
import type { Framed } from "../parse/json";
import type { WholeEntry } from "../ports";
import { detectionStatements, markGroupsNotifiedStatement } from "../store/alerts";
import { type CommitResult, commit } from "../store/ingest";
import type { QuarantinedRecord } from "../store/quarantine";
import { d1Rules, rulesUnchangedStatement } from "../store/rules";
import type { SourceRef } from "../vendors/types";
import { correlateCommit } from "./correlate";
import { type Prepared, type PrepareOptions, prepareRecords } from "./prepare";
import { preparedRuleRow } from "./rule-row";

/**
 * The one entry every transport uses (push, bucket files, pollers, replay): framed records of
 * one source → normalized, enriched rows and the group of records kept aside → one atomic D1
 * commit, together with the transport's own statements (a poller's cursor, a file's progress).
 */
interface IngestOptions extends PrepareOptions {
  now?: number;
  /** Statements committed in the same transaction, given what was prepared. */
  extra?: (prepared: Prepared) => D1PreparedStatement[];
  /**
   * Work that may finish after the caller's response (an HTTP request's `ctx.waitUntil`): the
   * alert outbox's queueing, so a push's response never waits for the queue. Without it (a
   * queue consumer, the cron), the commit awaits it. Handed the work to start (a function):
   * work never started is the cron sweep's (what a test of the isolate ending shows).
   */
  defer?: (work: () => Promise<unknown>) => void;
}

export async function ingest(
  env: Env,
  source: SourceRef,
  records: Iterable<Framed>,
  options: IngestOptions = {},
): Promise<CommitResult> {
  const now = options.now ?? Date.now();
  const spans = spansOf(profiling(env));
  // The rules this isolate last loaded (the commit checks their version in its transaction);
  // else they are read (one short D1 read) while the records are prepared.
  const rules = spans.time("detect_rules", () => rulesInForce(env));
  rules.catch(() => {}); // awaited (and thrown) by the commit
  const prepared = await prepareRecords(env, source, records, now, { ...options, spans });
  const result = await commitPrepared(env, source, prepared, now, {
    extra: options.extra?.(prepared),
    spans,
    rules,
    defer: options.defer,
  });
  if (spans.enabled) console.log(`spans ${JSON.stringify(spans)}`);
  return result;
}

/**
 * The rules this isolate last loaded, with no read (the commit checks their version in its
 * transaction); else they are read (one short D1 read).
 */
function rulesInForce(env: Env): Promise<RulesInForce> {
  const known = lastLoadedRules();
  return known ? Promise.resolve(known) : loadRules(d1Rules(env.DB));
}

/** Whether this Worker logs the spans of each ingest (the var PROFILE_SPANS, src/lib/spans.ts). */
const profiling = (env: Env) => (env as { PROFILE_SPANS?: string }).PROFILE_SPANS === "true";

/**
 * Commits the rows with what the detection rules matched among them (src/detect/evaluate.ts),
 * in one transaction; then queues the alerts it made or raised.
 */
async function commitPrepared(
  env: Env,
  source: SourceRef,
  prepared: Prepared,
  now: number,
  {
    extra = [],
    spans = spansOf(false),
    rules,
    defer,
    first = [],
  }: {
    extra?: D1PreparedStatement[];
    spans?: Spans;
    rules?: Promise<RulesInForce>;
    defer?: (work: () => Promise<unknown>) => void;
    /** Statements the transaction starts with (a replay's release). */
    first?: D1PreparedStatement[];
  } = {},
): Promise<CommitResult> {
  // The rules in force: as loaded, or read now; then the matching (pure).
  let inForce =
    prepared.rows.length > 0
      ? await spans.time("detect_rules_wait", () => rules ?? rulesInForce(env))
      : null;
  const asRule = preparedRuleRow(prepared);
  let matches: Match[];
  let result: CommitResult;
  const nowhere = loadDestinations(env).length === 0;
  for (let attempt = 1; ; attempt++) {
    const active = inForce?.active;
    matches = active
      ? spans.time("detect_match", () => matchRows(active, source, prepared.rows, asRule))
      : [];
    spans.count("matches", matches.length);
    const commitId = crypto.randomUUID();
    const found = matches;
    const detections = spans.time("detect_statements", () =>
      detectionStatements(env.DB, found, source.id, now, commitId),
    );
    spans.count("detection_statements", detections.length);
    // The commit fails, whole, if the rules are no longer the ones matched.
    const unchanged = inForce ? [rulesUnchangedStatement(env.DB, inForce.version)] : [];
    // With no destination configured nothing is ever sent: the commit's alerts are marked
    // notified in its own transaction (no write after it).
    const groups = nowhere ? alertingGroups(found) : [];
    const settled = groups.length > 0 ? [markGroupsNotifiedStatement(env.DB, groups, now)] : [];
    try {
      result = await commit(env, {
        sourceID: source.id,
        sourceType: source.type,
        ...prepared,
        now,
        extra: [...extra, ...unchanged, ...detections, ...settled],
        first,
        spans,
      });
      break;
    } catch (err) {
      // A rule, pipeline or rule state changed since this isolate loaded them (nothing was
      // written): matched again with the rules now in force. Any other failure is thrown.
      if (!inForce || attempt >= 3) throw err;
      const current = await loadRules(d1Rules(env.DB)).catch(() => inForce);
      if (current?.version === inForce.version) throw err;
      inForce = current;
      spans.count("rules_changed", 1);
    }
  }
  // The hits are committed: their correlation windows are decided now, over what D1 holds
  // (every commit of a group's hits reads after its own write, so the last one sees them all).
  const fired = await spans
    .time("correlate", () => correlateCommit(env, matches, source.id, now))
    .catch((err) => {
      console.error(
        `correlations not evaluated (the next hit of the group does): ${describeError(err)}`,
      );
      return 0;
    });
  // The rows and alerts are committed (the alerts table is the outbox): queueing them may fail,
  // or never run (the isolate ends first), and the cron's sweep queues what is left behind. So
  // a caller that can (a push) lets it run after its response.
  if (fired > 0 || (!nowhere && matches.some((m) => !m.silent))) {
    const queue = () =>
      queueAlerts(env).catch((err) =>
        console.error(`alerts not queued yet (the cron retries): ${describeError(err)}`),
      );
    if (defer) {
      spans.count("alert_outbox_deferred", 1);
      defer(queue);
    } else await spans.time("alert_outbox", queue);
  }
  return result;
}

/** The (rule, dedup key) groups of the matches that raise alerts, once each. */
function alertingGroups(matches: readonly Match[]): Array<readonly [string, string]> {
  const seen = new Map<string, readonly [string, string]>();
  for (const m of matches)
    if (!m.silent) seen.set(`${m.ruleId}\u0000${m.dedupKey}`, [m.ruleId, m.dedupKey]);
  return [...seen.values()];
}

/**
 * All or nothing (replay): the records are stored only if every one of them passes; else
 * nothing is written and the first failure says why.
 */
export async function ingestAll(
  env: Env,
  source: SourceRef,
  records: Iterable<Framed>,
  /** Statements the commit's transaction starts with (a replay's release: replay.ts). */
  first: D1PreparedStatement[] = [],
): Promise<{ ok: true; result: CommitResult } | { ok: false; failure: QuarantinedRecord | null }> {
  const now = Date.now();
  const prepared = await prepareRecords(env, source, records, now, { keepOnce: false });
  const failure = prepared.quarantine[0]?.group?.first;
  if (failure) return { ok: false, failure };
  if (prepared.received === 0) return { ok: false, failure: null };
  return {
    ok: true,
    result: await commitPrepared(env, source, prepared, now, { first }),
  };
}

/**
 * An input that could not be framed at all (a push body that is not UTF-8 or not JSON): kept
 * whole in quarantine as one record received, through the same commit as framed records.
 */
export async function ingestUnframed(
  env: Env,
  source: SourceRef,
  entry: WholeEntry,
  now: number,
): Promise<CommitResult> {
  return commit(env, {
    sourceID: source.id,
    sourceType: source.type,
    now,
    rows: [],
    received: 1,
    quarantine: [entry],
  });
}
