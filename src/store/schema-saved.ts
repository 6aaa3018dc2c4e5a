import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * What analysts keep (issue 30): saved searches and saved SQL, and notes on alerts. Both are
 * written with an id the client chose (PUT /v1/saved/:id, a note's id in its POST body), so a
 * retried request writes the row once.
 */

/**
 * A saved Logs search (`query`: the explorer URL's query string, e.g. `since=24h&actor=ada`) or
 * a saved SQL query (`query`: the SQL). `owner` is who saved it (a token's name or an Access
 * email); `shared` 1 lists it to every reader, 0 only to its owner.
 */
export const saved = sqliteTable(
  "saved",
  {
    id: text("id").primaryKey(),
    kind: text("kind").notNull(),
    name: text("name").notNull(),
    owner: text("owner").notNull(),
    shared: integer("shared").notNull().default(0),
    query: text("query").notNull(),
    createdAt: integer("createdAt").notNull(),
    updatedAt: integer("updatedAt").notNull(),
  },
  (t) => [index("saved_kind_name").on(t.kind, t.name)],
);

/** A note on an alert: who wrote what, when. Append-only; read per alert, oldest first. */
export const alertNotes = sqliteTable(
  "alert_notes",
  {
    id: text("id").primaryKey(),
    alertId: text("alertId").notNull(),
    author: text("author").notNull(),
    at: integer("at").notNull(),
    text: text("text").notNull(),
  },
  (t) => [index("alert_notes_alert").on(t.alertId, t.at)],
);
