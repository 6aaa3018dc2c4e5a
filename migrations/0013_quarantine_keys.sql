CREATE TABLE `quarantine_keys` (
	`sourceID` text NOT NULL,
	`hash` text NOT NULL,
	`entryID` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `quarantine_keys_source_hash` ON `quarantine_keys` (`sourceID`,`hash`);