import { sql } from "drizzle-orm";
import {
  blob,
  index,
  integer,
  primaryKey,
  real,
  sqliteTable,
  text,
  uniqueIndex,
} from "drizzle-orm/sqlite-core";

/**
 * Every table of the database, the one source of truth: `npm run db:generate` (drizzle-kit)
 * writes the migration for any change here, `npm run lint` fails when this file and the
 * migrations differ (scripts/check-migrations.mjs), and test/store/schema.test.ts checks the
 * migrated database column by column. Only the per-vendor views are generated elsewhere (from the
 * vendor registry, `npm run views`).
 *
 * Times are INTEGER epoch milliseconds (UTC) so range scans use the indexes; the API renders ISO.
 * Maps (actor, tags) and arrays (resources, enrichments) are JSON text. Vendor columns live in
 * sourceFields (JSON) and are exposed under their seed names by the per-source views.
 */

/**
 * The events, with the common columns (RunReveal-style). The key `rid` is time-ordered: the
 * event time in milliseconds times 2^20 plus the first 20 bits of the row id (src/store/keys.ts),
 * so inserts append instead of splitting random pages, a time range is a key range, and every
 * index below ends with it (ORDER BY rid is ORDER BY eventTime). The row id `id` (a SHA-256 of
 * sourceID and eventID) is UNIQUE: that index deduplicates (ON CONFLICT DO NOTHING) and serves
 * GET /v1/logs/:id. One stored event writes the row plus three index entries (`npm run bench`).
 * The `dst*` columns of the common schema are always null here (no vendor reports a
 * destination): the views and the API show them as null without storing them. Vendor columns
 * the views can read from rawLog are not stored again: `sourceFields` holds only the others.
 * A rowid table keeps ~1-2 KB rows on their leaf pages; a WITHOUT ROWID table spilled them to
 * overflow pages and took ~3x the space (measured: 4.9 KB vs ~1.5 KB per event).
 */

export const logs = sqliteTable(
  "events",
  {
    rid: integer("rid").primaryKey(),
    id: text("id").notNull(),
    workspaceID: text("workspaceID").notNull().default(""),
    sourceType: text("sourceType").notNull(),
    sourceID: text("sourceID").notNull(),
    sourceTTL: integer("sourceTTL").notNull().default(0),
    receivedAt: integer("receivedAt").notNull(),
    eventTime: integer("eventTime").notNull(),
    eventName: text("eventName").notNull(),
    eventID: text("eventID").notNull(),
    readOnly: integer("readOnly"),
    srcIP: text("srcIP"),
    srcASOrganization: text("srcASOrganization"),
    srcASNumber: integer("srcASNumber"),
    srcASCountryCode: text("srcASCountryCode"),
    srcCity: text("srcCity"),
    srcConnectionType: text("srcConnectionType"),
    srcISP: text("srcISP"),
    srcLatitude: real("srcLatitude"),
    srcLongitude: real("srcLongitude"),
    srcUserType: text("srcUserType"),
    actor: text("actor").notNull().default("{}"),
    tags: text("tags").notNull().default("{}"),
    resources: text("resources").notNull().default("[]"),
    serviceName: text("serviceName").notNull().default(""),
    enrichments: text("enrichments").notNull().default("[]"),
    rawLog: text("rawLog").notNull(),
    rawLogRef: text("rawLogRef"),
    sourceFields: text("sourceFields").notNull().default("{}"),
  },
  (t) => [
    uniqueIndex("logs_id").on(t.id),
    index("logs_source").on(t.sourceID),
    index("logs_name").on(t.eventName),
  ],
);

/** A stored row without its internal key `rid` (src/store/keys.ts). */
export type LogRow = Omit<typeof logs.$inferSelect, "rid">;

/**
 * What could not be stored normally, with the input (inline, base64, or an R2 pointer), the stage
 * and the error. The id is deterministic so a retried bad body is kept once (`seen` counts). Bad
 * records of one input (a request body, a file chunk) are one entry holding them all (NDJSON,
 * inline or gzipped in R2); `records` is how many, each counted in `quarantined`.
 */
export const quarantine = sqliteTable(
  "quarantine",
  {
    id: text("id").primaryKey(),
    sourceID: text("sourceID"),
    sourceType: text("sourceType"),
    stage: text("stage").notNull(),
    errorCode: text("errorCode").notNull(),
    error: text("error").notNull(),
    location: text("location"),
    raw: text("raw"),
    rawEncoding: text("rawEncoding").notNull().default("utf8"),
    rawRef: text("rawRef"),
    contentType: text("contentType"),
    receivedAt: integer("receivedAt").notNull(),
    lastSeenAt: integer("lastSeenAt").notNull(),
    seen: integer("seen").notNull().default(1),
    status: text("status").notNull().default("pending"),
    replayedAt: integer("replayedAt"),
    replayResult: text("replayResult"),
    records: integer("records").notNull().default(1),
  },
  (t) => [
    index("quarantine_received").on(t.receivedAt),
    index("quarantine_status").on(t.status, t.receivedAt),
  ],
);

export type QuarantineRow = typeof quarantine.$inferSelect;

/**
 * One row per record a source kept in quarantine, by 128 bits of SHA-256 of its raw text (or of
 * a whole input's identity): a record seen again is kept once and counted as a duplicate.
 * `sourceID` is '' for input no source was found for; `entryID` is the entry that holds it.
 */
export const quarantineKeys = sqliteTable(
  "quarantine_keys",
  {
    sourceID: text("sourceID").notNull(),
    hash: text("hash").notNull(),
    entryID: text("entryID").notNull(),
    /** How many records the key stands for: 1, or a whole block's (src/store/quarantine.ts). */
    records: integer("records").notNull().default(1),
  },
  (t) => [
    uniqueIndex("quarantine_keys_source_hash").on(t.sourceID, t.hash),
    // a replay releases its entry's keys (store/quarantine-list.ts markReplay)
    index("quarantine_keys_entry").on(t.entryID),
  ],
);

/**
 * The events retention let go from D1 once the archive held them (src/store/retention.ts
 * deleteRows, in the same transaction): by event time and the first 128 bits of the id. The
 * insert of a commit skips an event found here (counted as a duplicate), so one delivered again
 * after its row left D1 is not stored, archived or detected a second time; only events older
 * than the newest one here are looked up. WITHOUT ROWID in its migration (0029): the key is the
 * row, about 30 bytes. Kept while any source's archive may hold the event (retention prunes it
 * past the longest ttlDays).
 */
export const goneIds = sqliteTable(
  "gone_ids",
  {
    eventTime: integer("eventTime").notNull(),
    h: blob("h", { mode: "buffer" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.eventTime, t.h] })],
);

/** Per-source counters and health, updated in the same batch as the rows they count. */
export const sourceStats = sqliteTable("source_stats", {
  sourceID: text("sourceID").primaryKey(),
  received: integer("received").notNull().default(0),
  inserted: integer("inserted").notNull().default(0),
  duplicates: integer("duplicates").notNull().default(0),
  quarantined: integer("quarantined").notNull().default(0),
  skipped: integer("skipped").notNull().default(0),
  lastEventTime: integer("lastEventTime"),
  lastReceivedAt: integer("lastReceivedAt"),
  lastSuccessAt: integer("lastSuccessAt"),
  lastErrorAt: integer("lastErrorAt"),
  lastError: text("lastError"),
});

export type SourceStatsRow = typeof sourceStats.$inferSelect;

/**
 * One row per object version (key + eTag): how many records are committed, so a redelivered
 * message for a finished object does nothing and a half-done one resumes after its last commit.
 * Updated in the same D1 batch as the rows it counts.
 */
export const objects = sqliteTable(
  "objects",
  {
    bucket: text("bucket").notNull(),
    key: text("key").notNull(),
    eTag: text("eTag").notNull(),
    sourceID: text("sourceID").notNull(),
    status: text("status").notNull(),
    framing: text("framing"),
    size: integer("size"),
    recordsCommitted: integer("recordsCommitted").notNull().default(0),
    received: integer("received").notNull().default(0),
    quarantined: integer("quarantined").notNull().default(0),
    invocations: integer("invocations").notNull().default(0),
    startedAt: integer("startedAt").notNull(),
    updatedAt: integer("updatedAt").notNull(),
    finishedAt: integer("finishedAt"),
    lastError: text("lastError"),
    /**
     * Where the next invocation starts reading a big file (src/transports/bucket/resume.ts):
     * set when an invocation hands the rest to a continuation, cleared when the file is done.
     */
    resume: text("resume"),
  },
  (t) => [
    primaryKey({ columns: [t.bucket, t.key, t.eTag] }),
    index("objects_source_updated").on(t.sourceID, t.updatedAt),
  ],
);

/**
 * One row per poller source. The lease (leaseOwner, leaseUntil) is taken by a conditional UPDATE,
 * so two overlapping cron runs never poll one source at once; a crashed run's lease expires. The
 * walk fields move in the same D1 batch as the rows of the page they describe: `highWater*` is
 * the newest event of the last completed walk (PlanetScale: its id; both: its time), `window*`
 * the walk in progress (its newest event, and where to continue: starting_after / page number).
 */
export const cursors = sqliteTable("cursors", {
  sourceID: text("sourceID").primaryKey(),
  leaseOwner: text("leaseOwner"),
  leaseUntil: integer("leaseUntil"),
  nextDueAt: integer("nextDueAt").notNull().default(0),
  failures: integer("failures").notNull().default(0),
  highWaterId: text("highWaterId"),
  highWaterTime: integer("highWaterTime"),
  windowTopId: text("windowTopId"),
  windowTopTime: integer("windowTopTime"),
  windowNext: text("windowNext"),
  requests: integer("requests").notNull().default(0),
  lastRunAt: integer("lastRunAt"),
  lastSuccessAt: integer("lastSuccessAt"),
  lastStatus: text("lastStatus"),
  lastError: text("lastError"),
  /** The continuation tokens the walk in progress has followed (JSON array): a repeat is a loop. */
  windowTokens: text("windowTokens"),
});

export type CursorRow = typeof cursors.$inferSelect;

/**
 * Messages already handled from a vendor bucket's announcer (SNS MessageId, Pub/Sub messageId,
 * SQS MessageId): a redelivery is a no-op. Written after the message's objects are enqueued, so
 * a failure before that leaves it to the sender's retry; kept 14 days (the retention cron).
 */
export const deliveries = sqliteTable(
  "deliveries",
  {
    sourceID: text("sourceID").notNull(),
    messageId: text("messageId").notNull(),
    receivedAt: integer("receivedAt").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.sourceID, t.messageId] }),
    index("deliveries_received").on(t.receivedAt),
  ],
);

/** SNS subscriptions of S3 sources, as shown in GET /v1/sources. */
export const subscriptions = sqliteTable(
  "subscriptions",
  {
    sourceID: text("sourceID").notNull(),
    topicArn: text("topicArn").notNull(),
    /** pending (confirmation failed), confirmed, unsubscribed. */
    status: text("status").notNull(),
    subscriptionArn: text("subscriptionArn"),
    updatedAt: integer("updatedAt").notNull(),
    lastError: text("lastError"),
  },
  (t) => [primaryKey({ columns: [t.sourceID, t.topicArn] })],
);

/**
 * Detection rules added at runtime (PUT /v1/rules/:id): the Sigma YAML as sent (one or more
 * documents), checked before it is stored. The starter pack of rules/ is bundled, not stored.
 */
export const rules = sqliteTable("rules", {
  id: text("id").primaryKey(),
  yaml: text("yaml").notNull(),
  title: text("title").notNull(),
  level: text("level").notNull(),
  updatedAt: integer("updatedAt").notNull(),
  updatedBy: text("updatedBy"),
});

/**
 * Processing pipelines added at runtime (PUT /v1/pipelines/:id): pySigma YAML as sent, checked
 * before it is stored; every rule is compiled through them. rules/pipelines/ is bundled.
 */
export const pipelines = sqliteTable("pipelines", {
  id: text("id").primaryKey(),
  yaml: text("yaml").notNull(),
  name: text("name").notNull(),
  priority: integer("priority").notNull(),
  updatedAt: integer("updatedAt").notNull(),
  updatedBy: text("updatedBy"),
});

/**
 * Whether a rule file is enabled (POST /v1/rules/:id/enable|disable), bundled and runtime files
 * alike, keyed by the file's id (bundled files are not rows of `rules`): no row is enabled. Kept
 * apart from `rules`, so the state survives a PUT of the file's YAML and a redeploy. `updatedAt`
 * rises with every change (it is part of the rules' version every isolate reads).
 */
export const ruleStates = sqliteTable("rule_states", {
  id: text("id").primaryKey(),
  enabled: integer("enabled").notNull(),
  updatedAt: integer("updatedAt").notNull(),
  updatedBy: text("updatedBy"),
});

/** How often each rule matched, and when last (bundled and runtime rules alike). */
export const ruleStats = sqliteTable("rule_stats", {
  ruleId: text("ruleId").primaryKey(),
  matches: integer("matches").notNull().default(0),
  lastMatchAt: integer("lastMatchAt"),
});

/**
 * Which rule matched which event (and, for correlations, the group and counted value): the
 * primary key is what makes a redelivered or re-pushed event never match twice. `commitId`
 * marks the rows of one commit, so that commit's alert statements act only on new matches.
 *
 * The key leads with the event's time, so a commit's detections append like its events do (the
 * `events` key is time-ordered too). Keyed by (ruleId, eventId), the 250 detections of a push
 * landed on ~200 random pages of a key that grows with every match, which cost a push with a
 * quarter of its events matching more than the rows themselves (issue 27: 280 more pages
 * written per commit, 1,067 vs 788, after 60 such pushes). The time is the event's: a
 * detection of an event whose id is stored with another time is not written (a re-push with a
 * changed time is the stored event's duplicate), so the key is one per (rule, event).
 * `hit` (1) marks a correlation's hit, the only rows the window decisions read by (rule, group,
 * time): plain detections (0) write no entry in that index.
 */
export const detections = sqliteTable(
  "detections",
  {
    ruleId: text("ruleId").notNull(),
    eventId: text("eventId").notNull(),
    dedupKey: text("dedupKey").notNull(),
    value: text("value"),
    eventTime: integer("eventTime").notNull(),
    commitId: text("commitId").notNull(),
    hit: integer("hit").notNull().default(1),
  },
  (t) => [
    primaryKey({ columns: [t.eventTime, t.eventId, t.ruleId] }),
    index("detections_group").on(t.ruleId, t.dedupKey, t.eventTime).where(sql`hit = 1`),
  ],
);

/**
 * The correlation windows that fired (src/detect/windows.ts), one per (rule, group, start): the
 * key is what makes a window alert once however many evaluations (commits, cron runs) decide
 * it. `token` marks the evaluation that recorded it, so only that one raises its alert and
 * writes its hits into the correlations chaining it. `time`/`eventId`: when and at which event
 * it fired.
 */
export const correlationWindows = sqliteTable(
  "correlation_windows",
  {
    ruleId: text("ruleId").notNull(),
    dedupKey: text("dedupKey").notNull(),
    windowStart: integer("windowStart").notNull(),
    time: integer("time").notNull(),
    eventId: text("eventId").notNull(),
    hits: integer("hits").notNull(),
    token: text("token").notNull(),
    decidedAt: integer("decidedAt").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.ruleId, t.dedupKey, t.windowStart] }),
    // Retention deletes windows no evaluation reads any more, oldest first (src/retention.ts).
    index("correlation_windows_start").on(t.windowStart),
  ],
);

/**
 * One alert per (rule, dedup key) within the rule's dedupMinutes from its first match: later
 * matches raise `count` and `lastSeen`. `version` counts changes; `notifiedVersion` is the last
 * one queued for the destinations (the outbox: a sweep queues what is behind, under a claim).
 */
export const alerts = sqliteTable(
  "alerts",
  {
    id: text("id").primaryKey(),
    ruleId: text("ruleId").notNull(),
    title: text("title").notNull(),
    level: text("level").notNull(),
    dedupKey: text("dedupKey").notNull(),
    sourceID: text("sourceID"),
    firstSeen: integer("firstSeen").notNull(),
    lastSeen: integer("lastSeen").notNull(),
    count: integer("count").notNull(),
    eventIds: text("eventIds").notNull(),
    status: text("status").notNull().default("open"),
    destinations: text("destinations"),
    version: integer("version").notNull().default(1),
    notifiedVersion: integer("notifiedVersion").notNull().default(0),
    delivery: text("delivery").notNull().default("pending"),
    /** A scheduled rule's alert: the query's row that opened it (JSON object); else null. */
    context: text("context"),
    /**
     * When a sender claimed the versions after notifiedVersion for queueing (null: unclaimed).
     * notifiedVersion moves only once the queue took them; a claim older than the lease
     * (src/store/alerts.ts NOTIFY_LEASE_MS) is taken again, so a sender that died between its
     * claim and its send loses nothing.
     */
    notifyClaimedAt: integer("notifyClaimedAt"),
    /**
     * When a version was last queued to the destinations (null: never, or before this column):
     * the next version waits until src/store/alerts.ts UPDATE_EVERY_MS after it.
     */
    notifiedAt: integer("notifiedAt"),
    /**
     * The version a claim queues (null: none pending). Kept by a claim that ran out or was given
     * back, so the sender that takes it over queues that same version (the same webhook-id, which
     * receivers deduplicate) before any newer one: a sender that died after its send, while the
     * alert was raised again, never makes a second alert.created under another id.
     */
    notifyClaimedVersion: integer("notifyClaimedVersion"),
  },
  (t) => [
    index("alerts_rule_key").on(t.ruleId, t.dedupKey, t.firstSeen),
    // The outbox: only the alerts with a version not yet notified, by lastSeen (the order they
    // are claimed in). `version > notifiedVersion` compares two columns, which no index on them
    // serves: the claim and the no-destination sweep read every alert ever made (100,000
    // alerts: 3.6 ms and 100,000 rows read per claim in SQLite; with this index 0.01 ms).
    index("alerts_due").on(t.lastSeen).where(sql`version > notifiedVersion`),
    index("alerts_first_seen").on(t.firstSeen),
  ],
);

/**
 * Scheduled rules' runs (src/pipeline/scheduled.ts), one row per rule: `lastRunAt` (the cron
 * tick of the last run) is claimed by compare-and-set, so a rule runs once per interval however
 * many isolates fire the cron; `token` marks the run that claimed it (its alerts are guarded by
 * it). The outcome of the last finished run: `lastError` (null when it succeeded), `lastRows`.
 */
export const scheduledRuns = sqliteTable("scheduled_runs", {
  ruleId: text("ruleId").primaryKey(),
  lastRunAt: integer("lastRunAt").notNull(),
  token: text("token").notNull(),
  finishedAt: integer("finishedAt"),
  lastRows: integer("lastRows"),
  /** 1 when the last run returned more rows than it alerts on (MAX_ALERTS_PER_RUN). */
  lastTruncated: integer("lastTruncated"),
  lastError: text("lastError"),
  lastErrorAt: integer("lastErrorAt"),
});

/** Health of each alert destination (GET /v1/sources `destinations`). */
export const destinationHealth = sqliteTable("destination_health", {
  destinationID: text("destinationID").primaryKey(),
  delivered: integer("delivered").notNull().default(0),
  failed: integer("failed").notNull().default(0),
  lastSuccessAt: integer("lastSuccessAt"),
  lastErrorAt: integer("lastErrorAt"),
  lastError: text("lastError"),
});
export * from "./schema-archive";

/**
 * The OAuth provider's storage (@cloudflare/workers-oauth-provider, src/store/oauth-kv.ts): its
 * key-value records (clients, grants, tokens by hash, consent transactions) in D1 instead of a
 * KV namespace. `expiresAt` (epoch seconds, as KV's `expiration`) hides a record once passed; the
 * hourly cron deletes those rows. `metadata` is KV's key metadata (JSON).
 */
export const oauthKv = sqliteTable(
  "oauth_kv",
  {
    key: text("key").primaryKey(),
    value: text("value").notNull(),
    metadata: text("metadata"),
    expiresAt: integer("expiresAt"),
  },
  (t) => [index("oauth_kv_expires").on(t.expiresAt)],
);
export * from "./schema-saved";
