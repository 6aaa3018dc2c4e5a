-- A replay releases its entry's keys (src/store/quarantine-list.ts markReplay): found by entry.
CREATE INDEX `quarantine_keys_entry` ON `quarantine_keys` (`entryID`);
