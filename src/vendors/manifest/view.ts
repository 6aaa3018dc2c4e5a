import type { DerivedMaps, KeyPath } from "../../model/view";
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

const VIEWS = new WeakMap<Manifest, ViewDefinition & { paths: Column[] }>();

/**
 * The manifest's view, made once: the vendor's view and its normalizer share its `rawPaths` and
 * `derived` (a normalizer's note names them, src/model/read-note.ts).
 */
export function viewOf(m: Manifest): ViewDefinition & { paths: Column[] } {
  let view = VIEWS.get(m);
  if (view === undefined) {
    view = makeView(m);
    VIEWS.set(m, view);
  }
  return view;
}

function makeView(m: Manifest): ViewDefinition & { paths: Column[] } {
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
    ...(m.view.rawLog && { derived: derivedOf(m) }),
    paths,
  };
}

/** Keys SQLite may write as literals and read back with `$.key`. */
const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
const plain = (pairs: KeyPath[]) => pairs.every(([k, p]) => KEY.test(k) && SQL_PATH.test(p));

/**
 * The common maps the store may read from rawLog (src/store/derived.ts): the actor, tags and
 * resources of `map` where they are plain paths SQLite reads as written (a tag of mapped values
 * is not). A row stores them anyway where they differ (a number written as text, a key rewritten).
 */
function derivedOf(m: Manifest): DerivedMaps {
  const { map } = m;
  const out: { -readonly [K in keyof DerivedMaps]: DerivedMaps[K] } = {};
  const actor = Object.entries(map.actor);
  if (actor.length > 0 && plain(actor)) out.actor = { pairs: actor, email: map.emailFromName };
  const tagSpecs = Object.entries(map.tags);
  const tags = tagSpecs.flatMap(([k, v]) => (typeof v === "string" ? [[k, v] as KeyPath] : []));
  if (map.userAgent) tags.push(["userAgent", map.userAgent]);
  if (
    tags.length === tagSpecs.length + (map.userAgent ? 1 : 0) &&
    plain(tags) &&
    (map.tagsFrom === undefined || SQL_PATH.test(map.tagsFrom)) &&
    (tags.length > 0 || map.tagsFrom !== undefined)
  )
    out.tags = { ...(map.tagsFrom !== undefined && { from: map.tagsFrom }), pairs: tags };
  const resources = map.resources.map((r) => ({
    path: r.path,
    ...(r.type !== undefined && { type: r.type }),
    ...(r.typePath !== undefined && { typePath: r.typePath }),
    ...(r.idKey !== undefined && { idKey: r.idKey }),
    ...(r.typeKey !== undefined && { typeKey: r.typeKey }),
  }));
  if (
    resources.length > 0 &&
    resources.every((r) =>
      [r.path, r.typePath, r.idKey, r.typeKey].every((p) => p === undefined || SQL_PATH.test(p)),
    )
  )
    out.resources = resources;
  return out;
}
