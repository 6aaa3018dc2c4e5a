-- How many records a quarantine key stands for (1, or a block's): what a replay releases from the
-- source's counters (src/store/quarantine-list.ts releaseStatements).
ALTER TABLE `quarantine_keys` ADD `records` integer DEFAULT 1 NOT NULL;
