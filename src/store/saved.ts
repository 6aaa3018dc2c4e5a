import { and, asc, eq, or } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { alertNotes, saved } from "./schema";

/**
 * Saved searches and saved SQL (routes/saved.ts), and notes on alerts (routes/alerts.ts). Each
 * row's id is chosen by the client, so a retried write lands on the same row: a saved item is an
 * upsert by id (only its owner may replace it), a note is inserted once (ON CONFLICT DO NOTHING).
 */

export type SavedKind = "search" | "sql";

export interface SavedItem {
  id: string;
  kind: SavedKind;
  name: string;
  owner: string;
  shared: boolean;
  query: string;
  createdAt: number;
  updatedAt: number;
}

type Row = typeof saved.$inferSelect;
const item = (r: Row): SavedItem => ({ ...r, kind: r.kind as SavedKind, shared: r.shared === 1 });

/** What `viewer` may see: every shared item and its own, by kind then name. */
export async function listSaved(
  db: D1Database,
  viewer: string,
  kind?: SavedKind,
): Promise<SavedItem[]> {
  const rows = await drizzle(db)
    .select()
    .from(saved)
    .where(
      and(
        kind ? eq(saved.kind, kind) : undefined,
        or(eq(saved.shared, 1), eq(saved.owner, viewer)),
      ),
    )
    .orderBy(asc(saved.kind), asc(saved.name), asc(saved.id))
    .limit(1000);
  return rows.map(item);
}

export async function getSaved(db: D1Database, id: string): Promise<SavedItem | null> {
  const [row] = await drizzle(db).select().from(saved).where(eq(saved.id, id)).limit(1);
  return row ? item(row) : null;
}

/**
 * Creates or replaces item `id` for `owner`. Returns "created", "replaced", or "forbidden" when
 * another owner's item has that id (nothing is written). One statement: the upsert's WHERE keeps
 * another owner's row as it is.
 */
export async function putSaved(
  db: D1Database,
  input: Omit<SavedItem, "createdAt" | "updatedAt">,
  now: number,
): Promise<{ outcome: "created" | "replaced" | "forbidden"; item: SavedItem | null }> {
  const before = await getSaved(db, input.id);
  if (before && before.owner !== input.owner) return { outcome: "forbidden", item: before };
  const values = { ...input, shared: input.shared ? 1 : 0, createdAt: now, updatedAt: now };
  const [row] = await drizzle(db)
    .insert(saved)
    .values(values)
    .onConflictDoUpdate({
      target: saved.id,
      set: {
        kind: values.kind,
        name: values.name,
        shared: values.shared,
        query: values.query,
        updatedAt: now,
      },
      setWhere: eq(saved.owner, input.owner),
    })
    .returning();
  if (!row) return { outcome: "forbidden", item: await getSaved(db, input.id) };
  return { outcome: before ? "replaced" : "created", item: item(row) };
}

/** Deletes `owner`'s item `id`: "deleted", "missing", or "forbidden" (another owner's). */
export async function deleteSaved(
  db: D1Database,
  id: string,
  owner: string,
): Promise<"deleted" | "missing" | "forbidden"> {
  const r = await drizzle(db)
    .delete(saved)
    .where(and(eq(saved.id, id), eq(saved.owner, owner)))
    .returning({ id: saved.id });
  if (r.length > 0) return "deleted";
  return (await getSaved(db, id)) ? "forbidden" : "missing";
}

export interface AlertNote {
  id: string;
  alertId: string;
  author: string;
  at: number;
  text: string;
}

/**
 * Adds a note once: a retry with the same id stores nothing more and returns the stored note
 * (`created` false). A note id already used on another alert is reported as such (null).
 */
export async function addAlertNote(
  db: D1Database,
  note: AlertNote,
): Promise<{ created: boolean; note: AlertNote } | null> {
  const orm = drizzle(db);
  const inserted = await orm
    .insert(alertNotes)
    .values(note)
    .onConflictDoNothing({ target: alertNotes.id })
    .returning();
  if (inserted[0]) return { created: true, note: inserted[0] };
  const [row] = await orm.select().from(alertNotes).where(eq(alertNotes.id, note.id)).limit(1);
  return row && row.alertId === note.alertId ? { created: false, note: row } : null;
}

/** An alert's notes, oldest first. */
export async function alertNotesOf(db: D1Database, alertId: string): Promise<AlertNote[]> {
  return drizzle(db)
    .select()
    .from(alertNotes)
    .where(eq(alertNotes.alertId, alertId))
    .orderBy(asc(alertNotes.at), asc(alertNotes.id))
    .limit(500);
}
