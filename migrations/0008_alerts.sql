CREATE TABLE `alerts` (
	`id` text PRIMARY KEY NOT NULL,
	`ruleId` text NOT NULL,
	`title` text NOT NULL,
	`level` text NOT NULL,
	`dedupKey` text NOT NULL,
	`sourceID` text,
	`firstSeen` integer NOT NULL,
	`lastSeen` integer NOT NULL,
	`count` integer NOT NULL,
	`eventIds` text NOT NULL,
	`status` text DEFAULT 'open' NOT NULL,
	`destinations` text,
	`version` integer DEFAULT 1 NOT NULL,
	`notifiedVersion` integer DEFAULT 0 NOT NULL,
	`delivery` text DEFAULT 'pending' NOT NULL
);
--> statement-breakpoint
CREATE INDEX `alerts_rule_key` ON `alerts` (`ruleId`,`dedupKey`,`firstSeen`);--> statement-breakpoint
CREATE INDEX `alerts_outbox` ON `alerts` (`notifiedVersion`,`version`);--> statement-breakpoint
CREATE INDEX `alerts_first_seen` ON `alerts` (`firstSeen`);--> statement-breakpoint
CREATE TABLE `detections` (
	`ruleId` text NOT NULL,
	`eventId` text NOT NULL,
	`dedupKey` text NOT NULL,
	`value` text,
	`eventTime` integer NOT NULL,
	`commitId` text NOT NULL,
	PRIMARY KEY(`ruleId`, `eventId`)
);
--> statement-breakpoint
CREATE INDEX `detections_group` ON `detections` (`ruleId`,`dedupKey`,`eventTime`);