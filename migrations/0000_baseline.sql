CREATE TABLE `cursors` (
	`sourceID` text PRIMARY KEY NOT NULL,
	`leaseOwner` text,
	`leaseUntil` integer,
	`nextDueAt` integer DEFAULT 0 NOT NULL,
	`failures` integer DEFAULT 0 NOT NULL,
	`highWaterId` text,
	`highWaterTime` integer,
	`windowTopId` text,
	`windowTopTime` integer,
	`windowNext` text,
	`requests` integer DEFAULT 0 NOT NULL,
	`lastRunAt` integer,
	`lastSuccessAt` integer,
	`lastStatus` text,
	`lastError` text
);
--> statement-breakpoint
CREATE TABLE `logs` (
	`rid` integer PRIMARY KEY NOT NULL,
	`id` text NOT NULL,
	`workspaceID` text DEFAULT '' NOT NULL,
	`sourceType` text NOT NULL,
	`sourceID` text NOT NULL,
	`sourceTTL` integer DEFAULT 0 NOT NULL,
	`receivedAt` integer NOT NULL,
	`eventTime` integer NOT NULL,
	`eventName` text NOT NULL,
	`eventID` text NOT NULL,
	`readOnly` integer,
	`srcIP` text,
	`srcASOrganization` text,
	`srcASNumber` integer,
	`srcASCountryCode` text,
	`srcCity` text,
	`srcConnectionType` text,
	`srcISP` text,
	`srcLatitude` real,
	`srcLongitude` real,
	`srcUserType` text,
	`dstIP` text,
	`dstASOrganization` text,
	`dstASNumber` integer,
	`dstASCountryCode` text,
	`dstCity` text,
	`dstConnectionType` text,
	`dstISP` text,
	`dstLatitude` real,
	`dstLongitude` real,
	`dstUserType` text,
	`actor` text DEFAULT '{}' NOT NULL,
	`tags` text DEFAULT '{}' NOT NULL,
	`resources` text DEFAULT '[]' NOT NULL,
	`serviceName` text DEFAULT '' NOT NULL,
	`enrichments` text DEFAULT '[]' NOT NULL,
	`rawLog` text NOT NULL,
	`rawLogRef` text,
	`sourceFields` text DEFAULT '{}' NOT NULL
);
--> statement-breakpoint
CREATE INDEX `logs_time` ON `logs` (`eventTime`);--> statement-breakpoint
CREATE INDEX `logs_source_time` ON `logs` (`sourceID`,`eventTime`);--> statement-breakpoint
CREATE INDEX `logs_name_time` ON `logs` (`eventName`,`eventTime`);--> statement-breakpoint
CREATE TABLE `objects` (
	`bucket` text NOT NULL,
	`key` text NOT NULL,
	`eTag` text NOT NULL,
	`sourceID` text NOT NULL,
	`status` text NOT NULL,
	`framing` text,
	`size` integer,
	`recordsCommitted` integer DEFAULT 0 NOT NULL,
	`received` integer DEFAULT 0 NOT NULL,
	`quarantined` integer DEFAULT 0 NOT NULL,
	`invocations` integer DEFAULT 0 NOT NULL,
	`startedAt` integer NOT NULL,
	`updatedAt` integer NOT NULL,
	`finishedAt` integer,
	`lastError` text,
	PRIMARY KEY(`bucket`, `key`, `eTag`)
);
--> statement-breakpoint
CREATE INDEX `objects_source_updated` ON `objects` (`sourceID`,`updatedAt`);--> statement-breakpoint
CREATE TABLE `quarantine` (
	`id` text PRIMARY KEY NOT NULL,
	`sourceID` text,
	`sourceType` text,
	`stage` text NOT NULL,
	`errorCode` text NOT NULL,
	`error` text NOT NULL,
	`location` text,
	`raw` text,
	`rawEncoding` text DEFAULT 'utf8' NOT NULL,
	`rawRef` text,
	`contentType` text,
	`receivedAt` integer NOT NULL,
	`lastSeenAt` integer NOT NULL,
	`seen` integer DEFAULT 1 NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`replayedAt` integer,
	`replayResult` text,
	`records` integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE INDEX `quarantine_received` ON `quarantine` (`receivedAt`);--> statement-breakpoint
CREATE INDEX `quarantine_status` ON `quarantine` (`status`,`receivedAt`);--> statement-breakpoint
CREATE TABLE `source_stats` (
	`sourceID` text PRIMARY KEY NOT NULL,
	`received` integer DEFAULT 0 NOT NULL,
	`inserted` integer DEFAULT 0 NOT NULL,
	`duplicates` integer DEFAULT 0 NOT NULL,
	`quarantined` integer DEFAULT 0 NOT NULL,
	`skipped` integer DEFAULT 0 NOT NULL,
	`lastEventTime` integer,
	`lastReceivedAt` integer,
	`lastSuccessAt` integer,
	`lastErrorAt` integer,
	`lastError` text
);
