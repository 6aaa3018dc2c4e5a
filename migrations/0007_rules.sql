CREATE TABLE `rule_stats` (
	`ruleId` text PRIMARY KEY NOT NULL,
	`matches` integer DEFAULT 0 NOT NULL,
	`lastMatchAt` integer
);
--> statement-breakpoint
CREATE TABLE `rules` (
	`id` text PRIMARY KEY NOT NULL,
	`yaml` text NOT NULL,
	`title` text NOT NULL,
	`level` text NOT NULL,
	`updatedAt` integer NOT NULL,
	`updatedBy` text
);
