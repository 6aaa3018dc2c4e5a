-- Baseline schema (the migrations before the first deploy, squashed; append-only from here).
-- One logs table with the common columns (RunReveal-style), quarantine, source stats, bucket
-- object progress, poller cursors, and the per-vendor views (generated: `npm run views`).
-- Times are INTEGER epoch milliseconds (UTC) so range scans use the indexes; the API renders ISO.
-- Maps (actor, tags) and arrays (resources, enrichments) are JSON text. Vendor columns live in
-- sourceFields (JSON) and are exposed under their seed names by the per-source views.
-- The table key `rid` is the first 63 bits of the row id (a SHA-256 of sourceID and eventID), so
-- the rowid itself deduplicates (ON CONFLICT(rid)) and no separate unique index is written: one
-- stored event writes the row plus one entry per secondary index (4 rows written; `npm run
-- bench`). A rowid table keeps ~1-2 KB rows on their leaf pages; a WITHOUT ROWID table spilled
-- them to overflow pages and took ~3x the space (measured: 4.9 KB vs ~1.5 KB per event).
CREATE TABLE logs (
  rid INTEGER PRIMARY KEY,
  id TEXT NOT NULL,
  workspaceID TEXT NOT NULL DEFAULT '',
  sourceType TEXT NOT NULL,
  sourceID TEXT NOT NULL,
  sourceTTL INTEGER NOT NULL DEFAULT 0,
  receivedAt INTEGER NOT NULL,
  eventTime INTEGER NOT NULL,
  eventName TEXT NOT NULL,
  eventID TEXT NOT NULL,
  readOnly INTEGER,
  srcIP TEXT,
  srcASOrganization TEXT,
  srcASNumber INTEGER,
  srcASCountryCode TEXT,
  srcCity TEXT,
  srcConnectionType TEXT,
  srcISP TEXT,
  srcLatitude REAL,
  srcLongitude REAL,
  srcUserType TEXT,
  dstIP TEXT,
  dstASOrganization TEXT,
  dstASNumber INTEGER,
  dstASCountryCode TEXT,
  dstCity TEXT,
  dstConnectionType TEXT,
  dstISP TEXT,
  dstLatitude REAL,
  dstLongitude REAL,
  dstUserType TEXT,
  actor TEXT NOT NULL DEFAULT '{}',
  tags TEXT NOT NULL DEFAULT '{}',
  resources TEXT NOT NULL DEFAULT '[]',
  serviceName TEXT NOT NULL DEFAULT '',
  enrichments TEXT NOT NULL DEFAULT '[]',
  rawLog TEXT NOT NULL,
  rawLogRef TEXT,
  sourceFields TEXT NOT NULL DEFAULT '{}'
);

-- Each index ends with the rowid implicitly: ORDER BY eventTime, rid walks it.
CREATE INDEX logs_time ON logs (eventTime);
CREATE INDEX logs_source_time ON logs (sourceID, eventTime);
CREATE INDEX logs_name_time ON logs (eventName, eventTime);

-- What could not be stored normally, with the input (inline, base64, or an R2 pointer), the
-- stage and the error. The id is deterministic so a retried bad body is kept once (seen counts).
CREATE TABLE quarantine (
  id TEXT NOT NULL PRIMARY KEY,
  sourceID TEXT,
  sourceType TEXT,
  stage TEXT NOT NULL,
  errorCode TEXT NOT NULL,
  error TEXT NOT NULL,
  location TEXT,
  raw TEXT,
  rawEncoding TEXT NOT NULL DEFAULT 'utf8',
  rawRef TEXT,
  contentType TEXT,
  receivedAt INTEGER NOT NULL,
  lastSeenAt INTEGER NOT NULL,
  seen INTEGER NOT NULL DEFAULT 1,
  status TEXT NOT NULL DEFAULT 'pending',
  replayedAt INTEGER,
  replayResult TEXT,
  -- Bad records of one input (a request body, a file chunk) are one entry holding them all
  -- (NDJSON, inline or gzipped in R2); `records` is how many, each counted in `quarantined`.
  records INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX quarantine_received ON quarantine (receivedAt);
CREATE INDEX quarantine_status ON quarantine (status, receivedAt);

-- Per-source counters and health, updated in the same batch as the rows they count.
CREATE TABLE source_stats (
  sourceID TEXT NOT NULL PRIMARY KEY,
  received INTEGER NOT NULL DEFAULT 0,
  inserted INTEGER NOT NULL DEFAULT 0,
  duplicates INTEGER NOT NULL DEFAULT 0,
  quarantined INTEGER NOT NULL DEFAULT 0,
  skipped INTEGER NOT NULL DEFAULT 0,
  lastEventTime INTEGER,
  lastReceivedAt INTEGER,
  lastSuccessAt INTEGER,
  lastErrorAt INTEGER,
  lastError TEXT
) WITHOUT ROWID;

-- One row per object version (key + eTag): how many records are committed, so a redelivered
-- message for a finished object does nothing and a half-done one resumes after its last commit.
-- Updated in the same D1 batch as the rows it counts.
CREATE TABLE objects (
  bucket TEXT NOT NULL,
  key TEXT NOT NULL,
  eTag TEXT NOT NULL,
  sourceID TEXT NOT NULL,
  status TEXT NOT NULL,
  framing TEXT,
  size INTEGER,
  recordsCommitted INTEGER NOT NULL DEFAULT 0,
  received INTEGER NOT NULL DEFAULT 0,
  quarantined INTEGER NOT NULL DEFAULT 0,
  invocations INTEGER NOT NULL DEFAULT 0,
  startedAt INTEGER NOT NULL,
  updatedAt INTEGER NOT NULL,
  finishedAt INTEGER,
  lastError TEXT,
  PRIMARY KEY (bucket, key, eTag)
) WITHOUT ROWID;
CREATE INDEX objects_source_updated ON objects (sourceID, updatedAt);

-- One row per poller source. The lease (leaseOwner, leaseUntil) is taken by a conditional
-- UPDATE, so two overlapping cron runs never poll one source at once; a crashed run's lease
-- expires. The walk fields move in the same D1 batch as the rows of the page they describe.
CREATE TABLE cursors (
  sourceID TEXT NOT NULL PRIMARY KEY,
  leaseOwner TEXT,
  leaseUntil INTEGER,
  nextDueAt INTEGER NOT NULL DEFAULT 0,
  failures INTEGER NOT NULL DEFAULT 0,
  -- newest event of the last completed walk (PlanetScale: its id; both: its time)
  highWaterId TEXT,
  highWaterTime INTEGER,
  -- the walk in progress: its newest event, and where to continue (starting_after / page number)
  windowTopId TEXT,
  windowTopTime INTEGER,
  windowNext TEXT,
  requests INTEGER NOT NULL DEFAULT 0,
  lastRunAt INTEGER,
  lastSuccessAt INTEGER,
  lastStatus TEXT,
  lastError TEXT
) WITHOUT ROWID;

-- The per-vendor views, generated from the vendor registry (`npm run views`).

-- turbopuffer_audit_logs: the 22 seed columns (12 common + 10 vendor).
DROP VIEW IF EXISTS turbopuffer_audit_logs;
CREATE VIEW turbopuffer_audit_logs AS
SELECT
  id, workspaceID, sourceID, strftime('%Y-%m-%dT%H:%M:%fZ', receivedAt / 1000.0, 'unixepoch') AS receivedAt, strftime('%Y-%m-%dT%H:%M:%fZ', eventTime / 1000.0, 'unixepoch') AS eventTime, eventName, eventID, srcIP, actor, resources, tags, rawLog,
  json_extract(sourceFields, '$.action') AS action, json_extract(sourceFields, '$.occurredAt') AS occurredAt, json_extract(sourceFields, '$.actorType') AS actorType, json_extract(sourceFields, '$.actorId') AS actorId, json_extract(sourceFields, '$.actorName') AS actorName, json_extract(sourceFields, '$.targets') AS targets, json_extract(sourceFields, '$.contextLocation') AS contextLocation, json_extract(sourceFields, '$.sessionId') AS sessionId, json_extract(sourceFields, '$.impersonator') AS impersonator, json_extract(sourceFields, '$.impersonationReason') AS impersonationReason
FROM logs WHERE sourceType = 'turbopuffer';

-- circleci_audit_logs: the 53 seed columns (36 common + 17 vendor).
DROP VIEW IF EXISTS circleci_audit_logs;
CREATE VIEW circleci_audit_logs AS
SELECT
  id, workspaceID, sourceType, sourceID, sourceTTL, strftime('%Y-%m-%dT%H:%M:%fZ', receivedAt / 1000.0, 'unixepoch') AS receivedAt, strftime('%Y-%m-%dT%H:%M:%fZ', eventTime / 1000.0, 'unixepoch') AS eventTime, eventName, eventID, readOnly, srcIP, srcASOrganization, srcASNumber, srcASCountryCode, srcCity, srcConnectionType, srcISP, srcLatitude, srcLongitude, srcUserType, dstIP, dstASOrganization, dstASNumber, dstASCountryCode, dstCity, dstConnectionType, dstISP, dstLatitude, dstLongitude, dstUserType, actor, tags, resources, serviceName, enrichments, rawLog,
  json_extract(sourceFields, '$.auditLogId') AS auditLogId, json_extract(sourceFields, '$.version') AS version, json_extract(sourceFields, '$.occurredAt') AS occurredAt, json_extract(sourceFields, '$.action') AS action, json_extract(sourceFields, '$.actorId') AS actorId, json_extract(sourceFields, '$.actorType') AS actorType, json_extract(sourceFields, '$.actorName') AS actorName, json_extract(sourceFields, '$.targetId') AS targetId, json_extract(sourceFields, '$.targetType') AS targetType, json_extract(sourceFields, '$.targetName') AS targetName, json_extract(sourceFields, '$.scopeId') AS scopeId, json_extract(sourceFields, '$.scopeType') AS scopeType, json_extract(sourceFields, '$.scopeName') AS scopeName, json_extract(sourceFields, '$.success') AS success, json_extract(sourceFields, '$.requestId') AS requestId, json_extract(sourceFields, '$.payload') AS payload, json_extract(sourceFields, '$.metadata') AS metadata
FROM logs WHERE sourceType = 'circleci';

-- airkit_audit_logs: the 36 common columns + the 29 Airkit export columns, camelCase with the prefix "airkit" (ORGANIZATION_ID -> airkitOrganizationId).
DROP VIEW IF EXISTS airkit_audit_logs;
CREATE VIEW airkit_audit_logs AS
SELECT
  id, workspaceID, sourceType, sourceID, sourceTTL, strftime('%Y-%m-%dT%H:%M:%fZ', receivedAt / 1000.0, 'unixepoch') AS receivedAt, strftime('%Y-%m-%dT%H:%M:%fZ', eventTime / 1000.0, 'unixepoch') AS eventTime, eventName, eventID, readOnly, srcIP, srcASOrganization, srcASNumber, srcASCountryCode, srcCity, srcConnectionType, srcISP, srcLatitude, srcLongitude, srcUserType, dstIP, dstASOrganization, dstASNumber, dstASCountryCode, dstCity, dstConnectionType, dstISP, dstLatitude, dstLongitude, dstUserType, actor, tags, resources, serviceName, enrichments, rawLog,
  json_extract(sourceFields, '$.airkitOrganizationId') AS airkitOrganizationId, json_extract(sourceFields, '$.airkitEventId') AS airkitEventId, json_extract(sourceFields, '$.airkitEventYear') AS airkitEventYear, json_extract(sourceFields, '$.airkitEventMonth') AS airkitEventMonth, json_extract(sourceFields, '$.airkitEventDate') AS airkitEventDate, json_extract(sourceFields, '$.airkitEventTime') AS airkitEventTime, json_extract(sourceFields, '$.airkitRootScopeUserId') AS airkitRootScopeUserId, json_extract(sourceFields, '$.airkitUserId') AS airkitUserId, json_extract(sourceFields, '$.airkitEmail') AS airkitEmail, json_extract(sourceFields, '$.airkitAppId') AS airkitAppId, json_extract(sourceFields, '$.airkitBranchId') AS airkitBranchId, json_extract(sourceFields, '$.airkitDeployId') AS airkitDeployId, json_extract(sourceFields, '$.airkitSavepointId') AS airkitSavepointId, json_extract(sourceFields, '$.airkitSavepointRevision') AS airkitSavepointRevision, json_extract(sourceFields, '$.airkitResourceType') AS airkitResourceType, json_extract(sourceFields, '$.airkitResourceId') AS airkitResourceId, json_extract(sourceFields, '$.airkitDomain') AS airkitDomain, json_extract(sourceFields, '$.airkitDatastoreId') AS airkitDatastoreId, json_extract(sourceFields, '$.airkitApiKeyId') AS airkitApiKeyId, json_extract(sourceFields, '$.airkitNotifierId') AS airkitNotifierId, json_extract(sourceFields, '$.airkitSamlId') AS airkitSamlId, json_extract(sourceFields, '$.airkitWebhookId') AS airkitWebhookId, json_extract(sourceFields, '$.airkitAdapterId') AS airkitAdapterId, json_extract(sourceFields, '$.airkitEmbedId') AS airkitEmbedId, json_extract(sourceFields, '$.airkitRoleId') AS airkitRoleId, json_extract(sourceFields, '$.airkitService') AS airkitService, json_extract(sourceFields, '$.airkitServiceRevision') AS airkitServiceRevision, json_extract(sourceFields, '$.airkitLoginType') AS airkitLoginType, json_extract(sourceFields, '$.airkitEventType') AS airkitEventType
FROM logs WHERE sourceType = 'airkit';

-- planetscale_logs: the 52 seed columns (36 common + 16 vendor). The vendor's `location` ("Chicago, IL") is the common srcCity and stays in rawLog.
DROP VIEW IF EXISTS planetscale_logs;
CREATE VIEW planetscale_logs AS
SELECT
  id, workspaceID, sourceType, sourceID, sourceTTL, strftime('%Y-%m-%dT%H:%M:%fZ', receivedAt / 1000.0, 'unixepoch') AS receivedAt, strftime('%Y-%m-%dT%H:%M:%fZ', eventTime / 1000.0, 'unixepoch') AS eventTime, eventName, eventID, readOnly, srcIP, srcASOrganization, srcASNumber, srcASCountryCode, srcCity, srcConnectionType, srcISP, srcLatitude, srcLongitude, srcUserType, dstIP, dstASOrganization, dstASNumber, dstASCountryCode, dstCity, dstConnectionType, dstISP, dstLatitude, dstLongitude, dstUserType, actor, tags, resources, serviceName, enrichments, rawLog,
  json_extract(sourceFields, '$.psId') AS psId, json_extract(sourceFields, '$.psAuditAction') AS psAuditAction, json_extract(sourceFields, '$.psAction') AS psAction, json_extract(sourceFields, '$.psActorId') AS psActorId, json_extract(sourceFields, '$.psActorType') AS psActorType, json_extract(sourceFields, '$.psActorDisplayName') AS psActorDisplayName, json_extract(sourceFields, '$.psAuditableId') AS psAuditableId, json_extract(sourceFields, '$.psAuditableType') AS psAuditableType, json_extract(sourceFields, '$.psAuditableDisplayName') AS psAuditableDisplayName, json_extract(sourceFields, '$.psTargetId') AS psTargetId, json_extract(sourceFields, '$.psTargetType') AS psTargetType, json_extract(sourceFields, '$.psTargetDisplayName') AS psTargetDisplayName, json_extract(sourceFields, '$.psRemoteIp') AS psRemoteIp, json_extract(sourceFields, '$.psCreatedAt') AS psCreatedAt, json_extract(sourceFields, '$.psUpdatedAt') AS psUpdatedAt, json_extract(sourceFields, '$.psMetadata') AS psMetadata
FROM logs WHERE sourceType = 'planetscale';

-- turso_audit_logs: the 36 common columns + the 11 fields of a Turso audit-log entry, prefix "turso".
DROP VIEW IF EXISTS turso_audit_logs;
CREATE VIEW turso_audit_logs AS
SELECT
  id, workspaceID, sourceType, sourceID, sourceTTL, strftime('%Y-%m-%dT%H:%M:%fZ', receivedAt / 1000.0, 'unixepoch') AS receivedAt, strftime('%Y-%m-%dT%H:%M:%fZ', eventTime / 1000.0, 'unixepoch') AS eventTime, eventName, eventID, readOnly, srcIP, srcASOrganization, srcASNumber, srcASCountryCode, srcCity, srcConnectionType, srcISP, srcLatitude, srcLongitude, srcUserType, dstIP, dstASOrganization, dstASNumber, dstASCountryCode, dstCity, dstConnectionType, dstISP, dstLatitude, dstLongitude, dstUserType, actor, tags, resources, serviceName, enrichments, rawLog,
  json_extract(sourceFields, '$.tursoCode') AS tursoCode, json_extract(sourceFields, '$.tursoMessage') AS tursoMessage, json_extract(sourceFields, '$.tursoOrigin') AS tursoOrigin, json_extract(sourceFields, '$.tursoAuthor') AS tursoAuthor, json_extract(sourceFields, '$.tursoCreatedAt') AS tursoCreatedAt, json_extract(sourceFields, '$.tursoData') AS tursoData, json_extract(sourceFields, '$.tursoIp') AS tursoIp, json_extract(sourceFields, '$.tursoCity') AS tursoCity, json_extract(sourceFields, '$.tursoCountryCode') AS tursoCountryCode, json_extract(sourceFields, '$.tursoLatitude') AS tursoLatitude, json_extract(sourceFields, '$.tursoLongitude') AS tursoLongitude
FROM logs WHERE sourceType = 'turso';
