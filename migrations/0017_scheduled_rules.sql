CREATE TABLE `scheduled_runs` (
	`ruleId` text PRIMARY KEY NOT NULL,
	`lastRunAt` integer NOT NULL,
	`token` text NOT NULL,
	`finishedAt` integer,
	`lastRows` integer,
	`lastTruncated` integer,
	`lastError` text,
	`lastErrorAt` integer
);
--> statement-breakpoint
ALTER TABLE `alerts` ADD `context` text;