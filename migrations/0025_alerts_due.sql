-- The alert outbox by an index of the due alerts only (src/store/schema.ts alerts_due): the
-- claim and the no-destination sweep no longer read every alert ever made.
DROP INDEX `alerts_outbox`;--> statement-breakpoint
CREATE INDEX `alerts_due` ON `alerts` (`lastSeen`) WHERE version > notifiedVersion;