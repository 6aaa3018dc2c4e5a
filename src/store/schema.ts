import { index, integer, primaryKey, real, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Every table in drizzle (typed reads and updates everywhere). The migrations are written by
 * hand (the rowid-keyed `logs` and the WITHOUT ROWID tables are outside what drizzle-kit
 * generates); test/store/schema.test.ts checks that each table here matches the migrated database,
 * column by column (name, type, NOT NULL, primary key), so the two cannot drift.
 */

export const logs = sqliteTable(
  "logs",
  {
    rid: integer("rid").primaryKey(),
    id: text("id").notNull(),
    workspaceID: text("workspaceID").notNull(),
    sourceType: text("sourceType").notNull(),
    sourceID: text("sourceID").notNull(),
    sourceTTL: integer("sourceTTL").notNull(),
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
    dstIP: text("dstIP"),
    dstASOrganization: text("dstASOrganization"),
    dstASNumber: integer("dstASNumber"),
    dstASCountryCode: text("dstASCountryCode"),
    dstCity: text("dstCity"),
    dstConnectionType: text("dstConnectionType"),
    dstISP: text("dstISP"),
    dstLatitude: real("dstLatitude"),
    dstLongitude: real("dstLongitude"),
    dstUserType: text("dstUserType"),
    actor: text("actor").notNull(),
    tags: text("tags").notNull(),
    resources: text("resources").notNull(),
    serviceName: text("serviceName").notNull(),
    enrichments: text("enrichments").notNull(),
    rawLog: text("rawLog").notNull(),
    rawLogRef: text("rawLogRef"),
    sourceFields: text("sourceFields").notNull(),
  },
  (t) => [
    index("logs_time").on(t.eventTime),
    index("logs_source_time").on(t.sourceID, t.eventTime),
    index("logs_name_time").on(t.eventName, t.eventTime),
  ],
);

/** A stored row without its internal key `rid` (derived from `id`, see ridOf). */
export type LogRow = Omit<typeof logs.$inferSelect, "rid">;

export const quarantine = sqliteTable("quarantine", {
  id: text("id").primaryKey(),
  sourceID: text("sourceID"),
  sourceType: text("sourceType"),
  stage: text("stage").notNull(),
  errorCode: text("errorCode").notNull(),
  error: text("error").notNull(),
  location: text("location"),
  raw: text("raw"),
  rawEncoding: text("rawEncoding").notNull(),
  rawRef: text("rawRef"),
  contentType: text("contentType"),
  receivedAt: integer("receivedAt").notNull(),
  lastSeenAt: integer("lastSeenAt").notNull(),
  seen: integer("seen").notNull(),
  status: text("status").notNull(),
  replayedAt: integer("replayedAt"),
  replayResult: text("replayResult"),
  records: integer("records").notNull(),
});

export type QuarantineRow = typeof quarantine.$inferSelect;

export const sourceStats = sqliteTable("source_stats", {
  sourceID: text("sourceID").primaryKey(),
  received: integer("received").notNull(),
  inserted: integer("inserted").notNull(),
  duplicates: integer("duplicates").notNull(),
  quarantined: integer("quarantined").notNull(),
  skipped: integer("skipped").notNull(),
  lastEventTime: integer("lastEventTime"),
  lastReceivedAt: integer("lastReceivedAt"),
  lastSuccessAt: integer("lastSuccessAt"),
  lastErrorAt: integer("lastErrorAt"),
  lastError: text("lastError"),
});

export type SourceStatsRow = typeof sourceStats.$inferSelect;

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
    recordsCommitted: integer("recordsCommitted").notNull(),
    received: integer("received").notNull(),
    quarantined: integer("quarantined").notNull(),
    invocations: integer("invocations").notNull(),
    startedAt: integer("startedAt").notNull(),
    updatedAt: integer("updatedAt").notNull(),
    finishedAt: integer("finishedAt"),
    lastError: text("lastError"),
  },
  (t) => [primaryKey({ columns: [t.bucket, t.key, t.eTag] })],
);

export const cursors = sqliteTable("cursors", {
  sourceID: text("sourceID").primaryKey(),
  leaseOwner: text("leaseOwner"),
  leaseUntil: integer("leaseUntil"),
  nextDueAt: integer("nextDueAt").notNull(),
  failures: integer("failures").notNull(),
  highWaterId: text("highWaterId"),
  highWaterTime: integer("highWaterTime"),
  windowTopId: text("windowTopId"),
  windowTopTime: integer("windowTopTime"),
  windowNext: text("windowNext"),
  requests: integer("requests").notNull(),
  lastRunAt: integer("lastRunAt"),
  lastSuccessAt: integer("lastSuccessAt"),
  lastStatus: text("lastStatus"),
  lastError: text("lastError"),
});

export type CursorRow = typeof cursors.$inferSelect;
