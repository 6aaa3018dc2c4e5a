CREATE TABLE `destination_health` (
	`destinationID` text PRIMARY KEY NOT NULL,
	`delivered` integer DEFAULT 0 NOT NULL,
	`failed` integer DEFAULT 0 NOT NULL,
	`lastSuccessAt` integer,
	`lastErrorAt` integer,
	`lastError` text
);
