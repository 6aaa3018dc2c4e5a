CREATE TABLE `correlation_windows` (
	`ruleId` text NOT NULL,
	`dedupKey` text NOT NULL,
	`windowStart` integer NOT NULL,
	`time` integer NOT NULL,
	`eventId` text NOT NULL,
	`hits` integer NOT NULL,
	`token` text NOT NULL,
	`decidedAt` integer NOT NULL,
	PRIMARY KEY(`ruleId`, `dedupKey`, `windowStart`)
);
