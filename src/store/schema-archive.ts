import { integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * The R2 archive's bookkeeping (issue 16; src/archive/). Re-exported by schema.ts, so drizzle-kit
 * and the migrations see these tables with the rest.
 */

/**
 * Which hours (by receivedAt) of a source hold rows, and how far each is archived. The commit
 * that stores rows upserts its hour here in the same batch: one counter row per commit, not per
 * event. `minEventTime`/`maxEventTime` bound the key range the archive job scans for the hour
 * (the table is keyed by event time, not by receivedAt). The watermark (`doneReceivedAt`,
 * `doneKey`) is the last row archived, in (receivedAt, key) order; `parts` counts the objects.
 */
export const receivedHours = sqliteTable(
  "received_hours",
  {
    sourceID: text("sourceID").notNull(),
    hour: integer("hour").notNull(),
    minEventTime: integer("minEventTime").notNull(),
    maxEventTime: integer("maxEventTime").notNull(),
    doneReceivedAt: integer("doneReceivedAt"),
    doneKey: text("doneKey"),
    /** Rows up to this receivedAt (exclusive) are archived: the hour's end once it is closed. */
    archivedThrough: integer("archivedThrough"),
    parts: integer("parts").notNull().default(0),
    /**
     * 1 once the hour is archived to its end and D1 holds exactly as many of its rows as the
     * manifest: then, and only then, its rows may leave D1 (src/retention.ts).
     */
    verified: integer("verified").notNull().default(0),
    /**
     * 1 once retention deleted (or is about to delete) any of the hour's rows from D1 (set before
     * the delete): from then on the archive is the hour's tier for every query (issue 28; "an hour
     * is read from exactly one tier"). Never reset while the archive holds the hour.
     */
    cooled: integer("cooled").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.sourceID, t.hour] })],
);

/** One archive object: written to R2 first, then recorded here (exactly once per key). */
export const archiveManifest = sqliteTable(
  "archive_manifest",
  {
    sourceID: text("sourceID").notNull(),
    hour: integer("hour").notNull(),
    part: integer("part").notNull(),
    key: text("key").notNull(),
    rows: integer("rows").notNull(),
    bytes: integer("bytes").notNull(),
    minEventTime: integer("minEventTime").notNull(),
    maxEventTime: integer("maxEventTime").notNull(),
    sha256: text("sha256").notNull(),
    createdAt: integer("createdAt").notNull(),
    /**
     * The part's rows per event-time hour, JSON `[[hourStart, count], …]` (issue 28): a
     * histogram over archived hours reads these, not the Parquet. Null for parts written before.
     */
    eventHours: text("eventHours"),
    /**
     * The sum of the part's rows' keys' low 32 bits (`rid & 0xffffffff`: the id's bits and the
     * event time's low ones), which verification compares with the hour's rows in D1 beside
     * their count: equal counts alone let a row gone from D1 and a late one not archived pass
     * for each other. Null for parts written before (those hours verify by count alone).
     */
    ridSum: integer("ridSum"),
  },
  (t) => [primaryKey({ columns: [t.sourceID, t.hour, t.part] })],
);

/** One row: the lease that lets a single archive run work at a time. */
export const archiveLease = sqliteTable("archive_lease", {
  id: integer("id").primaryKey(),
  holder: text("holder"),
  until: integer("until").notNull().default(0),
});
