CREATE TABLE `pipelines` (
	`id` text PRIMARY KEY NOT NULL,
	`yaml` text NOT NULL,
	`name` text NOT NULL,
	`priority` integer NOT NULL,
	`updatedAt` integer NOT NULL,
	`updatedBy` text
);
