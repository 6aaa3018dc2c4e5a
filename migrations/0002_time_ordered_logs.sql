-- The views read columns dropped below: drop them first (0003_views recreates them).
DROP VIEW IF EXISTS turbopuffer_audit_logs;--> statement-breakpoint
DROP VIEW IF EXISTS circleci_audit_logs;--> statement-breakpoint
DROP VIEW IF EXISTS airkit_audit_logs;--> statement-breakpoint
DROP VIEW IF EXISTS planetscale_logs;--> statement-breakpoint
DROP VIEW IF EXISTS turso_audit_logs;--> statement-breakpoint
-- Re-key stored rows to the time-ordered key (src/store/keys.ts): first out of the way (old keys
-- are >= 0), then to (clamped eventTime << 20) | the id's first 20 bits. A row whose new key
-- another row already took keeps its (negative, unique) interim key: still stored and found by
-- id, only out of time order.
UPDATE logs SET rid = -rid - 1;--> statement-breakpoint
UPDATE OR IGNORE logs SET rid = (min(max(eventTime, -8796093022208), 8796093022207) << 20) | ((instr('0123456789abcdef', substr(id, 1, 1)) - 1) << 16) | ((instr('0123456789abcdef', substr(id, 2, 1)) - 1) << 12) | ((instr('0123456789abcdef', substr(id, 3, 1)) - 1) << 8) | ((instr('0123456789abcdef', substr(id, 4, 1)) - 1) << 4) | ((instr('0123456789abcdef', substr(id, 5, 1)) - 1) << 0);--> statement-breakpoint
DROP INDEX `logs_time`;--> statement-breakpoint
DROP INDEX `logs_source_time`;--> statement-breakpoint
DROP INDEX `logs_name_time`;--> statement-breakpoint
CREATE UNIQUE INDEX `logs_id` ON `logs` (`id`);--> statement-breakpoint
CREATE INDEX `logs_source` ON `logs` (`sourceID`);--> statement-breakpoint
CREATE INDEX `logs_name` ON `logs` (`eventName`);--> statement-breakpoint
ALTER TABLE `logs` DROP COLUMN `dstIP`;--> statement-breakpoint
ALTER TABLE `logs` DROP COLUMN `dstASOrganization`;--> statement-breakpoint
ALTER TABLE `logs` DROP COLUMN `dstASNumber`;--> statement-breakpoint
ALTER TABLE `logs` DROP COLUMN `dstASCountryCode`;--> statement-breakpoint
ALTER TABLE `logs` DROP COLUMN `dstCity`;--> statement-breakpoint
ALTER TABLE `logs` DROP COLUMN `dstConnectionType`;--> statement-breakpoint
ALTER TABLE `logs` DROP COLUMN `dstISP`;--> statement-breakpoint
ALTER TABLE `logs` DROP COLUMN `dstLatitude`;--> statement-breakpoint
ALTER TABLE `logs` DROP COLUMN `dstLongitude`;--> statement-breakpoint
ALTER TABLE `logs` DROP COLUMN `dstUserType`;