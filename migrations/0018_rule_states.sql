CREATE TABLE `rule_states` (
	`id` text PRIMARY KEY NOT NULL,
	`enabled` integer NOT NULL,
	`updatedAt` integer NOT NULL,
	`updatedBy` text
);
--> statement-breakpoint
CREATE INDEX `correlation_windows_start` ON `correlation_windows` (`windowStart`);