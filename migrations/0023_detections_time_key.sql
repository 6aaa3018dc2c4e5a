-- Detections keyed by the event's time first (src/store/schema.ts): a commit's detections
-- append instead of landing on random pages of a (ruleId, eventId) key. Every existing row is
-- kept; each stays in the (rule, group, time) index (hit = 1), as before.
CREATE TABLE `__new_detections` (
	`ruleId` text NOT NULL,
	`eventId` text NOT NULL,
	`dedupKey` text NOT NULL,
	`value` text,
	`eventTime` integer NOT NULL,
	`commitId` text NOT NULL,
	`hit` integer DEFAULT 1 NOT NULL,
	PRIMARY KEY(`eventTime`, `eventId`, `ruleId`)
);
--> statement-breakpoint
INSERT INTO `__new_detections`("ruleId", "eventId", "dedupKey", "value", "eventTime", "commitId", "hit") SELECT "ruleId", "eventId", "dedupKey", "value", "eventTime", "commitId", 1 FROM `detections`;--> statement-breakpoint
DROP TABLE `detections`;--> statement-breakpoint
ALTER TABLE `__new_detections` RENAME TO `detections`;--> statement-breakpoint
CREATE INDEX `detections_group` ON `detections` (`ruleId`,`dedupKey`,`eventTime`) WHERE hit = 1;
