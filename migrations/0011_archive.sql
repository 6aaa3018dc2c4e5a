CREATE TABLE `archive_lease` (
	`id` integer PRIMARY KEY NOT NULL,
	`holder` text,
	`until` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE `archive_manifest` (
	`sourceID` text NOT NULL,
	`hour` integer NOT NULL,
	`part` integer NOT NULL,
	`key` text NOT NULL,
	`rows` integer NOT NULL,
	`bytes` integer NOT NULL,
	`minEventTime` integer NOT NULL,
	`maxEventTime` integer NOT NULL,
	`sha256` text NOT NULL,
	`createdAt` integer NOT NULL,
	PRIMARY KEY(`sourceID`, `hour`, `part`)
);
--> statement-breakpoint
CREATE TABLE `received_hours` (
	`sourceID` text NOT NULL,
	`hour` integer NOT NULL,
	`minEventTime` integer NOT NULL,
	`maxEventTime` integer NOT NULL,
	`doneReceivedAt` integer,
	`doneKey` text,
	`archivedThrough` integer,
	`parts` integer DEFAULT 0 NOT NULL,
	`verified` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`sourceID`, `hour`)
);
--> statement-breakpoint
-- The hours of the rows stored before this migration (one scan, once).
INSERT INTO `received_hours` (`sourceID`, `hour`, `minEventTime`, `maxEventTime`)
SELECT `sourceID`, (`receivedAt` / 3600000) * 3600000, min(`eventTime`), max(`eventTime`)
FROM `events` GROUP BY 1, 2;
--> statement-breakpoint
INSERT INTO `archive_lease` (`id`, `until`) VALUES (1, 0);
