-- The sum of a part's rows' keys' low 32 bits (src/store/archive.ts ridSumOf): verifyHour compares it
-- with the hour's rows in D1 beside their count. Null for parts written before.
ALTER TABLE `archive_manifest` ADD `ridSum` integer;
