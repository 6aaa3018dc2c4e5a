import type { ViewDefinition } from "../types";
import type { Manifest } from "./schema";

/** A manifest's view: its columns named `<prefix><Path>` and read from rawLog where SQL can. */

/** "actor.alternateId" → "ActorAlternateId", "_document_id" → "DocumentId", "@timestamp" → "Timestamp". */
const pascal = (path: string) =>
  path
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]?.toUpperCase() + w.slice(1))
    .join("");

/** Paths SQLite's JSON path syntax reads as written ($.a.b): plain keys only. */
const SQL_PATH = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/** A column: its name, its path, and how its value is read ("number": a numeric string too). */
type Column = [name: string, path: string, as?: "number"];

export function viewOf(m: Manifest): ViewDefinition & { paths: Column[] } {
  const paths = m.view.columns.map(
    (c): Column =>
      typeof c === "string"
        ? [m.view.prefix + pascal(c), c]
        : [c.name ?? m.view.prefix + pascal(c.path), c.path, c.as],
  );
  return {
    name: m.view.name,
    description: m.view.description,
    common: "all",
    columns: paths.map(([c]) => c),
    rawPaths: Object.fromEntries(paths.filter(([, p]) => SQL_PATH.test(p))),
    paths,
  };
}
