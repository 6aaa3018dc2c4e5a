CREATE TABLE `deliveries` (
	`sourceID` text NOT NULL,
	`messageId` text NOT NULL,
	`receivedAt` integer NOT NULL,
	PRIMARY KEY(`sourceID`, `messageId`)
);
--> statement-breakpoint
CREATE INDEX `deliveries_received` ON `deliveries` (`receivedAt`);--> statement-breakpoint
CREATE TABLE `subscriptions` (
	`sourceID` text NOT NULL,
	`topicArn` text NOT NULL,
	`status` text NOT NULL,
	`subscriptionArn` text,
	`updatedAt` integer NOT NULL,
	`lastError` text,
	PRIMARY KEY(`sourceID`, `topicArn`)
);
