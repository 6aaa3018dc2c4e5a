/**
 * The ports: the small state interfaces the transports and the Sigma engine use, implemented in
 * src/store/ (D1, src/store/ports.ts) and handed to them by the entry wiring (src/index.ts,
 * src/app.ts). Types only: this module imports nothing of the store, so `transports → store`
 * and `detect → store` stay forbidden in lint (.dependency-cruiser.cjs) without exceptions.
 * Every implementation passes the conformance suite of test/store/ports-conformance.ts.
 */

import type { ErrorCode } from "./lib/errors";
import type { Framed } from "./parse/json";
import type { SourceRef } from "./vendors/types";

/**
 * A statement the store built, to commit in the same D1 batch as an input's rows (a file's
 * progress, a poller's cursor). Only src/store/ builds one; a transport hands it back to ingest.
 */
export type Pending = D1PreparedStatement;

/** A runtime detection rule as stored (table `rules`). */
export interface StoredRule {
  id: string;
  yaml: string;
  title: string;
  level: string;
  updatedAt: number;
  updatedBy: string | null;
}

/** A runtime processing pipeline as stored (table `pipelines`). */
export interface StoredPipeline {
  id: string;
  yaml: string;
  name: string;
  priority: number;
  updatedAt: number;
  updatedBy: string | null;
}

/**
 * Whether a rule file (bundled or runtime, by its id) is enabled (table `rule_states`): a file
 * without a state is enabled.
 */
export interface RuleState {
  id: string;
  enabled: boolean;
  updatedAt: number;
  updatedBy: string | null;
}

/** The stored rules and processing pipelines, as the Sigma engine (src/detect/) reads them. */
export interface RuleSource {
  /** Changes with every put and delete of a stored rule or pipeline, and every enable/disable. */
  version(): Promise<string>;
  list(): Promise<StoredRule[]>;
  pipelines(): Promise<StoredPipeline[]>;
  /** The rule files' enabled states (files without one are enabled). */
  states(): Promise<RuleState[]>;
}

/** One input kept whole in quarantine (a file, a message, a page), with why it failed. */
export interface WholeEntry {
  sourceID: string | null;
  sourceType: string | null;
  /** Where it failed: parse, normalize, store, route, fetch, dead-letter, records … */
  stage: string;
  errorCode: ErrorCode;
  error: string;
  /** Where in the input: "line 7", "[3]", an object key … */
  location: string | null;
  /** The input: text, or bytes that are not valid UTF-8 (kept as base64). */
  raw: string | Uint8Array;
  contentType?: string | null;
  /** Where the input already lives (e.g. `landing/<key>`), when it is not copied into `raw`. */
  rawRef?: string;
  /**
   * What makes this entry the same entry again (e.g. one object version): a later failure of
   * it updates the entry (pending again, new error) instead of adding another. Default: the
   * stage, error, location and input.
   */
  identity?: string;
}

/** Whole inputs kept aside (src/store/quarantine.ts). */
export interface Quarantine {
  /** Keeps `entry`, counted once however often it is seen; `health`: its failure too. */
  keepWhole(entry: WholeEntry, now: number, health?: boolean): Promise<void>;
}

/** Per-source counters and health (src/store/stats.ts). */
export interface SourceHealth {
  /** Records a failure in the source's health (best effort: it never hides the original error). */
  recordError(sourceID: string, message: string, now: number): Promise<void>;
  /** Counts objects or events skipped on purpose (vendor test objects, test events). */
  countSkipped(sourceID: string, skipped: number): Promise<void>;
}

/** An SNS subscription's state (table `subscriptions`). */
export interface Subscription {
  sourceID: string;
  topicArn: string;
  status: "pending" | "confirmed" | "unsubscribed";
  subscriptionArn: string | null;
  updatedAt: number;
  lastError: string | null;
}

/** Announcer messages already handled (SNS, SQS, Pub/Sub), and SNS subscriptions. */
export interface Deliveries {
  seen(sourceID: string, messageId: string): Promise<boolean>;
  /** Marks a message handled; false when another request marked it first. */
  record(sourceID: string, messageId: string, now: number): Promise<boolean>;
  saveSubscription(s: Subscription): Promise<void>;
}

/** One version of one bucket object. */
export interface ObjectRef {
  bucket: string;
  key: string;
  eTag: string;
}

/** A bucket object's progress (table `objects`). */
export interface ObjectProgress extends ObjectRef {
  sourceID: string;
  status: "in_progress" | "done" | "skipped" | "failed";
  recordsCommitted: number;
  invocations: number;
  lastError: string | null;
  resume: string | null;
}

/** What a committed chunk of a file moves its progress to. */
export interface ChunkProgress {
  recordsCommitted: number;
  received: number;
  quarantined: number;
  framing: string | null;
  done: boolean;
  now: number;
  /** Where a continuation starts (kept as it was when absent; cleared when done). */
  resume?: string;
}

/** Per-object progress of bucket files (src/store/objects.ts). */
export interface ObjectProgressStore {
  get(o: ObjectRef): Promise<ObjectProgress | null>;
  /** Marks the start of an invocation on an object (creating its row on first sight). */
  start(o: ObjectRef & { sourceID: string; size: number | null }, now: number): Promise<void>;
  /** Progress after a committed chunk: committed in the same batch as the chunk's rows. */
  chunkDone(o: ObjectRef, p: ChunkProgress): Pending;
  /** Marks an object version skipped and counts it in the source's stats, once. */
  skip(o: ObjectRef & { sourceID: string }, now: number): Promise<void>;
  finish(
    o: ObjectRef & { sourceID: string },
    status: "done" | "skipped" | "failed",
    now: number,
    error?: string | null,
  ): Promise<void>;
  /** Records a failed attempt's error (best effort). */
  recordError(o: ObjectRef, error: string, now: number): Promise<void>;
  /** Clears a failed object version's progress, so a replay reads it again from the start. */
  clearFailed(key: string, eTag: string): Promise<void>;
}

/** One poller source's state (a row of table `cursors`). */
export interface CursorState {
  sourceID: string;
  leaseOwner: string | null;
  leaseUntil: number | null;
  nextDueAt: number;
  failures: number;
  highWaterId: string | null;
  highWaterTime: number | null;
  windowTopId: string | null;
  windowTopTime: number | null;
  windowNext: string | null;
  requests: number;
  lastRunAt: number | null;
  lastSuccessAt: number | null;
  lastStatus: string | null;
  lastError: string | null;
  /** The continuation tokens the walk in progress has followed (JSON array). */
  windowTokens: string | null;
}

/** A walk's newest event so far, and the requests it made. */
export interface WalkTop {
  topId: string | null;
  topTime: number | null;
  requests: number;
}

/** A run's end: schedule and health. */
export interface RunEnd {
  nextDueAt: number;
  ok: boolean;
  status: string;
  error: string | null;
  now: number;
  requests?: number;
}

/**
 * The poll walker's state (src/store/cursors.ts): lease, schedule and walk. The walk's
 * statements only apply while `owner` holds the lease; each commits with its page's events.
 */
export interface Cursors {
  load(sourceID: string): Promise<CursorState>;
  /** Takes the source's lease if it is free (or expired) and the source is due; true if taken. */
  acquireLease(sourceID: string, owner: string, now: number): Promise<boolean>;
  /** The walk moved on: its newest event, where to continue, and the tokens it has followed. */
  progress(
    sourceID: string,
    owner: string,
    w: WalkTop & { next: string | null; tokens: readonly string[] },
  ): Pending;
  /** The walk reached stored events: its newest event becomes the high-water mark. */
  complete(sourceID: string, owner: string, w: WalkTop): Pending;
  /** The walk is abandoned (the vendor's paging looped): the next one starts at the head. */
  restart(sourceID: string, owner: string, requests: number): Pending;
  /** Ends a run: schedule, health, and the lease released. */
  finishRun(sourceID: string, owner: string, r: RunEnd): Promise<void>;
}

/** What one commit of an input did: received = inserted + duplicates + quarantined. */
export interface IngestCounts {
  received: number;
  inserted: number;
  duplicates: number;
  quarantined: number;
  /** Records this commit put in quarantine, kept before or not (quarantined counts the new ones). */
  keptAside: number;
  rowsWritten: number;
}

export interface SinkOptions {
  now?: number;
  /** Prefix of the location of records kept aside (e.g. a file's key and a space). */
  where?: string;
  /** Extra tags on every row (e.g. `auditflareOrigin: upload`). */
  tags?: Record<string, string>;
  /**
   * The transport's own statements (a cursor, a file's progress), committed in the same D1
   * transaction as the records; `keptAside` is the number of this input's records kept aside.
   */
  extra?: (keptAside: number) => Pending[];
}

/**
 * Where a transport hands what arrived (src/pipeline/sink.ts): framed records of one source →
 * normalized, enriched, matched rows and the records kept aside, in one atomic commit.
 */
export interface IngestSink {
  records(
    source: SourceRef,
    records: Iterable<Framed>,
    options?: SinkOptions,
  ): Promise<IngestCounts>;
  /** An input that could not be framed at all: kept whole as one record received. */
  unframed(source: SourceRef, entry: WholeEntry, now: number): Promise<IngestCounts>;
}

/** The state ports the store implements (src/store/ports.ts builds the D1 ones). */
export interface StatePorts {
  quarantine: Quarantine;
  health: SourceHealth;
  deliveries: Deliveries;
  objects: ObjectProgressStore;
  cursors: Cursors;
}

/** Every port a transport may be handed: the state ports and the ingest sink (src/wiring.ts). */
export interface Ports extends StatePorts {
  ingest: IngestSink;
}

/**
 * How a route reaches the ports of a request's environment; with the request's `ctx`, the sink
 * may finish work after the response (the alert outbox, src/pipeline/ingest.ts).
 */
export type PortsOf = (env: Env, ctx?: Pick<ExecutionContext, "waitUntil">) => Ports;

/** One hit of a correlation as stored: an event its referenced rules matched (src/detect/windows.ts). */
export interface CorrelationHit {
  id: string;
  time: number;
  value: string | null;
}

/** A correlation window that fired (src/detect/windows.ts FiredWindow) and what it makes. */
export interface WindowFiring {
  start: number;
  time: number;
  eventId: string;
  eventIds: string[];
  hits: number;
  /** Hits of the correlations that reference this one (chained), in their groups. */
  chained: { ruleId: string; group: string; value: string | null }[];
}

/** The alert a correlation's windows raise, deduplicated like any alert (dedupMinutes). */
export interface CorrelationAlert {
  ruleId: string;
  title: string;
  level: string;
  dedupMinutes: number;
  destinations: string[] | null;
  sourceID: string | null;
}

/** Correlation hits and decided windows (src/store/correlations.ts; memory: src/detect/memory-store.ts). */
export interface CorrelationStore {
  /** One group's hits with time in [from, to), by time, at most `limit`. */
  hits(
    ruleId: string,
    group: string,
    from: number,
    to: number,
    limit: number,
  ): Promise<CorrelationHit[]>;
  /** The starts in [from, to] of the group's windows already recorded. */
  decided(ruleId: string, group: string, from: number, to: number): Promise<Set<number>>;
  /** Groups of the rule with a hit in [from, to), at most `limit`. */
  groups(ruleId: string, from: number, to: number, limit: number): Promise<string[]>;
  /**
   * Records each window once per (rule, group, start) however many callers race, and for the
   * windows this call recorded (returned, by start) raises the alert (when `alert`) and writes
   * the chained hits, in one transaction.
   */
  fire(
    ruleId: string,
    group: string,
    windows: WindowFiring[],
    alert: CorrelationAlert | null,
    now: number,
  ): Promise<number[]>;
}
