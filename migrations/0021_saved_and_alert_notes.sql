CREATE TABLE `alert_notes` (
	`id` text PRIMARY KEY NOT NULL,
	`alertId` text NOT NULL,
	`author` text NOT NULL,
	`at` integer NOT NULL,
	`text` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `alert_notes_alert` ON `alert_notes` (`alertId`,`at`);--> statement-breakpoint
CREATE TABLE `saved` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`name` text NOT NULL,
	`owner` text NOT NULL,
	`shared` integer DEFAULT 0 NOT NULL,
	`query` text NOT NULL,
	`createdAt` integer NOT NULL,
	`updatedAt` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `saved_kind_name` ON `saved` (`kind`,`name`);