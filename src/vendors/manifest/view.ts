import type { ViewDefinition } from "../types";
import type { Manifest } from "./schema";

/** A manifest's view: its columns named `<prefix><Path>` and read from rawLog where SQL can. */

/**
 * "actor.alternateId" → "ActorAlternateId", "_document_id" → "DocumentId", "@timestamp" →
 * "Timestamp", "SAVEPOINT_REVISION" → "SavepointRevision" (a word with no lower case is a word).
 */
const pascal = (path: string) =>
  path
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]?.toUpperCase() + (/[a-z]/.test(w) ? w.slice(1) : w.slice(1).toLowerCase()))
    .join("");

/** Paths SQLite's JSON path syntax reads as written ($.a.b): plain keys only. */
const SQL_PATH = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/** A column: its name, its path, how its value is read ("number": a numeric string too), and its default. */
export type Column = [name: string, path: string, as?: "number" | "string", fallback?: unknown];

export function viewOf(m: Manifest): ViewDefinition & { paths: Column[] } {
  const paths = m.view.columns.map(
    (c): Column =>
      typeof c === "string"
        ? [m.view.prefix + pascal(c), c]
        : [c.name ?? m.view.prefix + pascal(c.path), c.path, c.as, c.default],
  );
  return {
    name: m.view.name,
    description: m.view.description,
    common: (m.view.common ?? "all") as ViewDefinition["common"],
    columns: paths.map(([c]) => c),
    ...(m.view.rawLog && {
      // (the store keeps a value in sourceFields only where it differs from rawLog's)
      rawPaths: Object.fromEntries(
        paths.filter(([, p]) => SQL_PATH.test(p)).map(([c, p]) => [c, p]),
      ),
    }),
    paths,
  };
}
