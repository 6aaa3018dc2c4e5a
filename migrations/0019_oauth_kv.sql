CREATE TABLE `oauth_kv` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL,
	`metadata` text,
	`expiresAt` integer
);
--> statement-breakpoint
CREATE INDEX `oauth_kv_expires` ON `oauth_kv` (`expiresAt`);