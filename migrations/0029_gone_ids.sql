-- The events retention let go from D1 once archived (src/store/schema.ts goneIds): a commit skips
-- an event found here, so one delivered again after its row left D1 is stored once. WITHOUT ROWID:
-- the primary key is the row (about 30 bytes), with no second b-tree beside it.
CREATE TABLE `gone_ids` (
	`eventTime` integer NOT NULL,
	`h` blob NOT NULL,
	PRIMARY KEY(`eventTime`, `h`)
) WITHOUT ROWID;
