import { pathReader as getter } from "../lib/json-path";
import { PLAIN, plainText } from "../lib/plain-json";
import type { ReadNote } from "../model/read-note";
import {
  type DerivedMaps,
  type DerivedResource,
  type KeyPath,
  MAX_RESOURCE_ITEMS,
  type ViewDefinition,
} from "../model/view";

/**
 * The common maps (actor, tags, resources) are not stored twice either. A vendor whose view says
 * how they are built from plain paths of the raw record (`derived`, src/model/view.ts) gets, per
 * row, a marker in place of a map that this construction gives back exactly: '' (and '@' for an
 * actor whose email is its name, as emailFromName adds it). Every reader rebuilds the map from
 * rawLog: the API and detections in JS (`fullMaps`), the views, filters and facets in SQL
 * (`mapSql`). Both build the same JSON text, because a marker is stored only when
 * - the JS construction (`derive`) gives the very text toRow stores, and
 * - every string in it is written the same by JSON.stringify and by SQLite (`PLAIN`: no
 *   character either escapes), and no object key of the raw record is an integer (V8 orders
 *   those first; SQLite keeps the document's order).
 * The construction reads strings only (a number or an object at a path is left out, in JS and in
 * SQL), so a normalizer that writes numbers as text, maps values or adds tags stores those rows
 * whole. Rows stored before this (no marker) read as they are. test/store/derived.test.ts checks
 * SQL == JS == the stored text for every fixture event of every vendor.
 * One known gap, shared with the vendor columns read from rawLog (src/store/source-fields.ts): a
 * raw record with a key twice in one object (JSON.parse keeps the last, SQLite's paths the first).
 */

export const ACTOR_EMAIL = "@";

/** Keys V8 puts first in an object (array indexes), whatever the document's order. */
const INDEX_KEY = /^(0|[1-9][0-9]*)$/;

/** The most objects of a resource list the SQL reads (one term each: no json_each in a view). */
const MAX_ITEMS = MAX_RESOURCE_ITEMS;

type Get = (v: unknown) => unknown;
const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/** A non-empty plain string, else undefined (what the SQL reads: `str`). */
const str = (v: unknown): string | undefined =>
  typeof v === "string" && v !== "" && PLAIN.test(v) ? v : undefined;
/** A non-empty string that is not plain: the construction cannot say it (null), or undefined. */
const unsayable = (v: unknown) => typeof v === "string" && v !== "" && !PLAIN.test(v);

/** undefined: the construction cannot give this record's map exactly (store it whole). */
interface Compiled {
  actor?: (e: unknown) => Record<string, string> | undefined;
  tags?: (e: unknown) => Record<string, string> | undefined;
  resources?: (e: unknown) => string[] | undefined;
  email: boolean;
  /** toRow's decision, written as text (`storedMaps`): the marker for a map text, else undefined. */
  actorMarker?: (e: unknown, text: string) => string | undefined;
  /** Whether the text is the construction's (null: ask `tags`). */
  tagsMarker?: (e: unknown, text: string) => boolean | null;
  resourcesText?: (e: unknown, text: string) => boolean;
  /**
   * The same decisions on the normalizer's maps themselves, where sure (`storedMapTexts`):
   * the marker (true: ''), false where sure there is none (the text is stored), else null.
   */
  actorFast?: (e: unknown, actor: Record<string, unknown>) => string | false | null;
  tagsFast?: (e: unknown, tags: Record<string, unknown>) => boolean | null;
  resourcesFast?: (e: unknown, resources: readonly unknown[]) => boolean | null;
}

/**
 * What JSON.stringify writes with a backslash, or writes as it is where SQLite escapes it or
 * reads it otherwise: a map's text with none of these has plain strings only (`PLAIN`).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what it finds
const UNPLAIN = /[\\\u0000-\u001f\u007f\u2028\u2029\ud800-\udfff]/;

/** Where `s` ends if `text` has it at `pos`, else -1 (a compare with no string built). */
const past = (text: string, pos: number, s: string): number =>
  pos >= 0 && text.startsWith(s, pos) ? pos + s.length : -1;
/** Where a JSON string `"s"` ends if `text` has it at `pos` (`s` written as it is), else -1. */
const pastQuoted = (text: string, pos: number, s: string): number => {
  if (pos < 0 || text.charCodeAt(pos) !== 34 || !text.startsWith(s, pos + 1)) return -1;
  const end = pos + 1 + s.length;
  return text.charCodeAt(end) === 34 ? end + 1 : -1;
};

/**
 * The actor's construction as JSON text, compared with the normalizer's text: '' or '@' where
 * one of them is it, else undefined. A string is written as it is, so a text equal to it with
 * no quote in a string (which could write other members) and nothing UNPLAIN holds only plain
 * strings: what `actor` above gives, with no object built, stringified, nor a PLAIN test per
 * string. The text is compared piece by piece as the construction goes (nothing built; the
 * first difference ends it). undefined: keys twice (an object's rule).
 */
function actorMarkerOf(a: NonNullable<DerivedMaps["actor"]>) {
  const keys = a.pairs.map(([k]) => k);
  if (new Set(keys).size !== keys.length) return undefined;
  const heads = keys.map((k) => `${JSON.stringify(k)}:`);
  const gets = a.pairs.map(([, p]) => getter(p));
  const nameAt = keys.indexOf("name");
  const emailAt = keys.indexOf("email");
  const emailHead = ',"email":';
  return (e: unknown, text: string): string | undefined => {
    if (text.charCodeAt(0) !== 123) return undefined;
    let pos = 1;
    let name: string | undefined;
    let email = false;
    for (let i = 0; i < gets.length; i++) {
      const v = (gets[i] as Get)(e);
      if (typeof v !== "string" || v === "") continue;
      // a quote in a string could write the text of other members: not plain, no marker
      if (v.includes('"')) return undefined;
      if (pos > 1) pos = text.charCodeAt(pos) === 44 ? pos + 1 : -1;
      pos = pastQuoted(text, past(text, pos, heads[i] as string), v);
      if (pos < 0) return undefined;
      if (i === nameAt) name = v;
      else if (i === emailAt) email = true;
    }
    if (pos === text.length - 1 && text.charCodeAt(pos) === 125) return "";
    if (a.email && name !== undefined && !email) {
      const end = pastQuoted(text, past(text, pos, emailHead), name);
      if (end === text.length - 1 && text.charCodeAt(end) === 125) return ACTOR_EMAIL;
    }
    return undefined;
  };
}

/** A resource spec's paths, read with getters made once per view. */
const resourceReaders = (specs: readonly DerivedResource[]) =>
  specs.map((r) => ({
    get: getter(r.path),
    typeGet: r.typePath ? getter(r.typePath) : null,
    fallback: r.type ?? r.path,
    idGet: r.idKey ? getter(r.idKey) : null,
    typeKeyGet: r.typeKey ? getter(r.typeKey) : null,
  }));
type ResourceReader = ReturnType<typeof resourceReaders>[number];

const named = (t: unknown, or: string) => (typeof t === "string" && t !== "" ? t : or);

/**
 * The `type:id` items toRow's two decisions (`resourcesTextOf`, `resourcesFastOf`) compare, in
 * the order the construction writes them from `e`, each given to `each` (false from it stops the
 * walk). False where the decision cannot be made so: `each` said no, a type left out is not plain
 * (`unsayable`), or a list is longer than MAX_ITEMS.
 */
function eachResource(
  readers: readonly ResourceReader[],
  e: unknown,
  each: (type: string, id: string) => boolean,
): boolean {
  for (const r of readers) {
    const v = r.get(e);
    const t = r.typeGet ? r.typeGet(e) : undefined;
    const type = named(t, r.fallback);
    if (typeof v === "string" && v !== "") {
      if (!each(type, v)) return false;
      continue;
    }
    if (unsayable(t)) return false;
    if (r.idGet === null || !Array.isArray(v)) continue;
    if (v.length > MAX_ITEMS) return false;
    for (const it of v) {
      if (!isObject(it)) continue;
      const iv = r.idGet(it);
      const ik = r.typeKeyGet ? r.typeKeyGet(it) : undefined;
      if (typeof iv === "string" && iv !== "") {
        if (!each(named(ik, type), iv)) return false;
      } else if (unsayable(ik)) return false;
    }
  }
  return true;
}

/**
 * The resources' construction as JSON text (as `resourcesOf` gives it, unless that is undefined),
 * compared with the normalizer's piece by piece (nothing built; the first difference ends it):
 * true where they are the same. A string it writes is checked by that compare and UNPLAIN, one it
 * leaves out (a type with no id) by `unsayable`, as there. undefined: a fixed type that is not
 * plain (the slow path says).
 */
function resourcesTextOf(specs: readonly DerivedResource[]) {
  if (specs.some((r) => !PLAIN.test(r.type ?? r.path))) return undefined;
  const readers = resourceReaders(specs);
  /** Where `"type:id"` (after a comma unless first) ends in `text` at `pos`, else -1. */
  const item = (text: string, pos: number, type: string, id: string): number => {
    let p = pos;
    if (p > 1) p = text.charCodeAt(p) === 44 ? p + 1 : -1;
    if (p < 0 || text.charCodeAt(p) !== 34) return -1;
    p = past(text, p + 1, type);
    if (p < 0 || text.charCodeAt(p) !== 58) return -1;
    p = past(text, p + 1, id);
    return p >= 0 && text.charCodeAt(p) === 34 ? p + 1 : -1;
  };
  return (e: unknown, text: string): boolean => {
    if (text.charCodeAt(0) !== 91) return false;
    let pos = 1;
    const same = eachResource(readers, e, (type, id) => {
      if (id.includes('"') || type.includes('"')) return false;
      pos = item(text, pos, type, id);
      return pos >= 0;
    });
    return same && pos === text.length - 1 && text.charCodeAt(pos) === 93;
  };
}

/**
 * The tags' construction (`tags` below) compared with the normalizer's text piece by piece, as
 * the actor's: true where `JSON.stringify` of it is the text (given no UNPLAIN in the text, which
 * the caller checks: then every string compared is plain). A pair's key that the object at `from`
 * has too (it replaces that entry in place) is left to `tags` (null), as is a view whose pair
 * keys could not be written so (twice, `__proto__`, an index, not plain): undefined.
 */
function tagsMarkerOf(t: NonNullable<DerivedMaps["tags"]>) {
  const keys = t.pairs.map(([k]) => k);
  if (
    new Set(keys).size !== keys.length ||
    keys.some((k) => k === "__proto__" || INDEX_KEY.test(k) || !PLAIN.test(k))
  )
    return undefined;
  const from = t.from === undefined ? null : getter(t.from);
  const heads = keys.map((k) => `"${k}":`);
  const gets = t.pairs.map(([, p]) => getter(p));
  const own = Object.prototype.hasOwnProperty;
  return (e: unknown, text: string): boolean | null => {
    if (text.charCodeAt(0) !== 123) return false;
    let pos = 1;
    const o = from?.(e);
    if (isObject(o)) {
      for (const k of keys) if (own.call(o, k)) return null;
      for (const k in o) {
        const v = o[k];
        if (typeof v !== "string" || k === "__proto__" || INDEX_KEY.test(k)) return false;
        if (k.includes('"') || v.includes('"')) return false;
        if (pos > 1) pos = text.charCodeAt(pos) === 44 ? pos + 1 : -1;
        pos = pastQuoted(text, pos, k);
        if (pos < 0 || text.charCodeAt(pos) !== 58) return false;
        pos = pastQuoted(text, pos + 1, v);
        if (pos < 0) return false;
      }
    }
    for (let i = 0; i < gets.length; i++) {
      const v = (gets[i] as Get)(e);
      if (typeof v !== "string" || v === "") continue;
      if (v.includes('"')) return false;
      if (pos > 1) pos = text.charCodeAt(pos) === 44 ? pos + 1 : -1;
      pos = pastQuoted(text, past(text, pos, heads[i] as string), v);
      if (pos < 0) return false;
    }
    return pos === text.length - 1 && text.charCodeAt(pos) === 125;
  };
}

/** Whether the object's own keys and JSON text are its plain members alone (no toJSON). */
const noToJSON = (o: object) => (o as { toJSON?: unknown }).toJSON === undefined;

/**
 * The answer of a fast decision that found the normalizer's map is not the construction's
 * sequence of strings (a key or a string differs, one is missing or one too many): false (no
 * marker, sure) where every value of the map is a string, else null (not sure). Its text is then
 * either written with an escape or with nothing UNPLAIN (each string as it is, none with a
 * quote), and the text `actorMarkerOf`, `tagsMarkerOf` or `resourcesTextOf` would compare is the
 * construction's strings written so: two such texts are the same only where the two sequences
 * are, and a text with an escape has no marker either. Slack's tags (its session id a number in
 * rawLog, a string in the map) were compared a second time as text.
 */
function notTheConstruction(map: Record<string, unknown>, names: readonly string[]): false | null {
  for (let i = 0; i < names.length; i++)
    if (typeof map[names[i] as string] !== "string") return null;
  return false;
}

/**
 * The actor's decision on the normalizer's object itself, before any JSON of it is written:
 * '' or '@' where its own keys are the construction's, in its order, each with the very string
 * the construction reads there, and every key and string is plain. Then JSON.stringify of it is
 * the construction's text, with nothing UNPLAIN in it: the marker `actorMarkerOf` gives that
 * text. false: sure there is none (`notTheConstruction`), the text is stored. null: not sure
 * (an undefined member, a string that is not plain, nothing read): the text is written and
 * decided as before.
 */
function actorFastOf(a: NonNullable<DerivedMaps["actor"]>) {
  const keys = a.pairs.map(([k]) => k);
  if (new Set(keys).size !== keys.length || !keys.every(plainText)) return undefined;
  const gets = a.pairs.map(([, p]) => getter(p));
  const nameAt = keys.indexOf("name");
  const emailAt = keys.indexOf("email");
  return (e: unknown, actor: Record<string, unknown>): string | false | null => {
    if (!noToJSON(actor)) return null;
    const names = Object.keys(actor);
    if (names.length === 0) return false; // "{}", stored as it is
    let j = 0;
    let name: string | undefined;
    let email = false;
    for (let i = 0; i < gets.length; i++) {
      const v = (gets[i] as Get)(e);
      if (typeof v !== "string" || v === "") continue;
      const k = keys[i] as string;
      if (names[j] !== k || actor[k] !== v) return notTheConstruction(actor, names);
      if (!plainText(v)) return null;
      j++;
      if (i === nameAt) name = v;
      else if (i === emailAt) email = true;
    }
    if (j === names.length) return "";
    // one member more: the email the marker '@' stands for, or not the construction's
    if (a.email && name !== undefined && !email && j === names.length - 1) {
      if (names[j] === "email" && actor.email === name) return ACTOR_EMAIL;
    }
    return notTheConstruction(actor, names);
  };
}

/** Whether `x` is the string `${type}:${id}` (compared, not built). */
const isItem = (x: unknown, type: string, id: string): boolean =>
  typeof x === "string" &&
  x.length === type.length + 1 + id.length &&
  x.charCodeAt(type.length) === 58 &&
  x.startsWith(type) &&
  x.endsWith(id);

/**
 * The resources' decision on the normalizer's array itself (as `actorFastOf`): true where its
 * items are the construction's `type:id` strings, in order, all plain; false where they are
 * strings, and not those (`notTheConstruction`). null: not sure (the text is written and decided
 * by `resourcesTextOf`).
 */
function resourcesFastOf(specs: readonly DerivedResource[]) {
  if (specs.some((r) => !PLAIN.test(r.type ?? r.path))) return undefined;
  const readers = resourceReaders(specs);
  // The list compared and the next item's index, for `each`: one function made here, not one
  // a row (a closure over the row's list, allocated and called through per item). The walk is
  // synchronous, and nothing it calls comes back here.
  let list: readonly unknown[] = [];
  let k = 0;
  let differs = false;
  const each = (type: string, id: string) => {
    if (!isItem(list[k], type, id)) {
      differs = true;
      return false;
    }
    if (!plainText(id) || !plainText(type)) return false;
    k++;
    return true;
  };
  return (e: unknown, res: readonly unknown[]): boolean | null => {
    if (!noToJSON(res)) return null;
    if (res.length === 0) return false; // "[]", stored as it is
    list = res;
    k = 0;
    differs = false;
    const same = eachResource(readers, e, each);
    list = [];
    if (same && k === res.length) return true;
    if (!differs && !(same && k !== res.length)) return null;
    for (let i = 0; i < res.length; i++) if (typeof res[i] !== "string") return null;
    return false;
  };
}

/** Whether a key is one V8 puts first (an array index): `INDEX_KEY`, tested only from a digit. */
const indexKey = (k: string) => {
  const c = k.charCodeAt(0);
  return c >= 48 && c <= 57 && INDEX_KEY.test(k);
};

/**
 * The tags' decision on the normalizer's object itself (as `actorFastOf`): true where its own
 * keys and strings are those of the object at `from` then the pairs', in order, all plain (the
 * caller still asks for a raw text with no backslash where there is a `from`); false where sure
 * they are not (`notTheConstruction`). null: not sure (the text is written and decided by
 * `tagsMarkerOf`).
 */
function tagsFastOf(t: NonNullable<DerivedMaps["tags"]>) {
  const keys = t.pairs.map(([k]) => k);
  if (
    new Set(keys).size !== keys.length ||
    keys.some((k) => k === "__proto__" || INDEX_KEY.test(k) || !PLAIN.test(k))
  )
    return undefined;
  const from = t.from === undefined ? null : getter(t.from);
  const gets = t.pairs.map(([, p]) => getter(p));
  const own = Object.prototype.hasOwnProperty;
  return (e: unknown, tags: Record<string, unknown>): boolean | null => {
    if (!noToJSON(tags)) return null;
    const names = Object.keys(tags);
    if (names.length === 0) return false; // "{}", stored as it is
    let j = 0;
    const o = from?.(e);
    if (isObject(o)) {
      for (const k of keys) if (own.call(o, k)) return null;
      for (const k in o) {
        const v = o[k];
        if (typeof v !== "string" || k === "__proto__" || indexKey(k)) return null;
        if (names[j] !== k || tags[k] !== v) return notTheConstruction(tags, names);
        if (!plainText(k) || !plainText(v)) return null;
        j++;
      }
    }
    for (let i = 0; i < gets.length; i++) {
      const v = (gets[i] as Get)(e);
      if (typeof v !== "string" || v === "") continue;
      const k = keys[i] as string;
      if (names[j] !== k || tags[k] !== v) return notTheConstruction(tags, names);
      if (!plainText(v)) return null;
      j++;
    }
    if (j === names.length) return true;
    return notTheConstruction(tags, names);
  };
}

function pairsOf(pairs: readonly KeyPath[]) {
  const keys = pairs.map(([k]) => k);
  const gets = pairs.map(([, p]) => getter(p));
  return (e: unknown, out: Record<string, string>): boolean => {
    for (let i = 0; i < gets.length; i++) {
      const v = (gets[i] as Get)(e);
      if (unsayable(v)) return false;
      const s = str(v);
      if (s !== undefined) out[keys[i] as string] = s;
    }
    return true;
  };
}

function resourcesOf(specs: readonly DerivedResource[]) {
  const compiled = resourceReaders(specs);
  return (e: unknown): string[] | undefined => {
    const out: string[] = [];
    for (const r of compiled) {
      const v = r.get(e);
      const t = r.typeGet ? r.typeGet(e) : undefined;
      if (unsayable(t) || unsayable(v)) return undefined;
      const type = str(t) ?? r.fallback;
      if (!PLAIN.test(type)) return undefined;
      const id = str(v);
      if (id !== undefined) {
        out.push(`${type}:${id}`);
        continue;
      }
      if (r.idGet === null || !Array.isArray(v)) continue;
      if (v.length > MAX_ITEMS) return undefined;
      for (const item of v) {
        if (!isObject(item)) continue;
        const iv = r.idGet(item);
        const it = r.typeKeyGet ? r.typeKeyGet(item) : undefined;
        if (unsayable(iv) || unsayable(it)) return undefined;
        const itemId = str(iv);
        if (itemId !== undefined) out.push(`${str(it) ?? type}:${itemId}`);
      }
    }
    return out;
  };
}

function compile(d: DerivedMaps): Compiled {
  const out: Compiled = { email: d.actor?.email ?? false };
  if (d.actor) {
    const fill = pairsOf(d.actor.pairs);
    out.actor = (e) => {
      const actor: Record<string, string> = {};
      return fill(e, actor) ? actor : undefined;
    };
  }
  if (d.tags) {
    const from = d.tags.from === undefined ? null : getter(d.tags.from);
    const fill = pairsOf(d.tags.pairs);
    out.tags = (e) => {
      const tags: Record<string, string> = {};
      const o = from?.(e);
      if (isObject(o))
        for (const k in o) {
          const v = o[k];
          if (typeof v !== "string" || !PLAIN.test(v) || !PLAIN.test(k) || INDEX_KEY.test(k))
            return undefined;
          if (k === "__proto__") return undefined;
          tags[k] = v;
        }
      return fill(e, tags) ? tags : undefined;
    };
  }
  if (d.resources) out.resources = resourcesOf(d.resources);
  if (d.actor) out.actorMarker = actorMarkerOf(d.actor);
  if (d.tags) out.tagsMarker = tagsMarkerOf(d.tags);
  if (d.resources) out.resourcesText = resourcesTextOf(d.resources);
  if (d.actor) out.actorFast = actorFastOf(d.actor);
  if (d.tags) out.tagsFast = tagsFastOf(d.tags);
  if (d.resources) out.resourcesFast = resourcesFastOf(d.resources);
  return out;
}

const COMPILED = new WeakMap<DerivedMaps, Compiled>();
/** The last one asked for (a batch is one vendor's rows): no WeakMap lookup a row. */
let last: { d: DerivedMaps; c: Compiled } | undefined;
function compiled(d: DerivedMaps): Compiled {
  if (last?.d === d) return last.c;
  let c = COMPILED.get(d);
  if (!c) {
    c = compile(d);
    COMPILED.set(d, c);
  }
  last = { d, c };
  return c;
}

/**
 * The texts to store for a row's maps (`texts`: JSON.stringify of the normalizer's), given the
 * record the normalizer read (whose text is rawLog): a marker where the construction gives the
 * same text, else the text. An empty map stays "{}" or "[]" (read with no work).
 */
export function storedMaps(
  view: ViewDefinition,
  parsed: unknown,
  rawLog: string,
  texts: { actor: string; tags: string; resources: string },
): { actor: string; tags: string; resources: string } {
  const d = view.derived;
  if (!d) return texts;
  const c = compiled(d);
  return {
    actor: actorStored(c, parsed, texts.actor),
    tags: tagsStored(c, d, parsed, rawLog, texts.tags),
    resources: resourcesStored(c, parsed, texts.resources),
  };
}

/** The actor's stored text, given JSON.stringify of the normalizer's (`storedMaps`). */
function actorStored(c: Compiled, parsed: unknown, actor: string): string {
  if (actor === "{}") return actor;
  if (c.actorMarker) {
    const m = c.actorMarker(parsed, actor);
    if (m !== undefined && !UNPLAIN.test(actor)) return m;
  } else if (c.actor) {
    const a = c.actor(parsed);
    if (a) {
      if (JSON.stringify(a) === actor) return "";
      if (c.email && a.name !== undefined && a.email === undefined) {
        a.email = a.name;
        if (JSON.stringify(a) === actor) return ACTOR_EMAIL;
      }
    }
  }
  return actor;
}

/** The tags' stored text, given JSON.stringify of the normalizer's (`storedMaps`). */
function tagsStored(
  c: Compiled,
  d: DerivedMaps,
  parsed: unknown,
  rawLog: string,
  tags: string,
): string {
  if (!c.tags || tags === "{}") return tags;
  const same = c.tagsMarker ? c.tagsMarker(parsed, tags) : null;
  const marker =
    same === null ? JSON.stringify(c.tags(parsed)) === tags : same && !UNPLAIN.test(tags);
  // SQLite writes the object at `from` with the raw text's escapes: only a raw text with none
  return marker && (d.tags?.from === undefined || !rawLog.includes("\\")) ? "" : tags;
}

/** The resources' stored text, given JSON.stringify of the normalizer's (`storedMaps`). */
function resourcesStored(c: Compiled, parsed: unknown, resources: string): string {
  if (resources === "[]") return resources;
  if (c.resourcesText) {
    if (c.resourcesText(parsed, resources) && !UNPLAIN.test(resources)) return "";
  } else if (c.resources) {
    const r = c.resources(parsed);
    if (r && JSON.stringify(r) === resources) return "";
  }
  return resources;
}

/**
 * `storedMaps` of the normalizer's maps themselves (toRow): the same texts, where a map's
 * marker is decided on the map as it is (`actorFastOf` and the others), with no JSON of it
 * written; a map it is not sure of is written and decided as `storedMaps` does.
 */
export function storedMapTexts(
  view: ViewDefinition,
  parsed: unknown,
  rawLog: string,
  maps: { actor: object; tags: object; resources: readonly unknown[] },
  note?: ReadNote,
): { actor: string; tags: string; resources: string } {
  const d = view.derived;
  if (!d)
    return {
      actor: JSON.stringify(maps.actor),
      tags: JSON.stringify(maps.tags),
      resources: JSON.stringify(maps.resources),
    };
  const c = compiled(d);
  // What the normalizer found of these very maps, read from this record for this construction
  // (src/model/read-note.ts): the fast decisions' answers, with no path read again.
  const known = note !== undefined && note.derived === d ? note : undefined;
  // (a map that is not an object, or not an array, whatever its type says: its text decides)
  const a =
    known !== undefined && known.actor === maps.actor && c.actorFast
      ? known.actorMarker
      : c.actorFast && isObject(maps.actor)
        ? c.actorFast(parsed, maps.actor as Record<string, unknown>)
        : null;
  const actor =
    typeof a === "string"
      ? a
      : a === false
        ? JSON.stringify(maps.actor)
        : actorStored(c, parsed, JSON.stringify(maps.actor));
  const t =
    known !== undefined && known.tags === maps.tags && c.tagsFast
      ? true
      : isObject(maps.tags)
        ? c.tagsFast?.(parsed, maps.tags as Record<string, unknown>)
        : null;
  const tags =
    t === true && (d.tags?.from === undefined || !rawLog.includes("\\"))
      ? ""
      : t === false
        ? JSON.stringify(maps.tags)
        : tagsStored(c, d, parsed, rawLog, JSON.stringify(maps.tags));
  const r =
    known !== undefined && known.resources === maps.resources && c.resourcesFast
      ? true
      : Array.isArray(maps.resources)
        ? c.resourcesFast?.(parsed, maps.resources)
        : null;
  const resources =
    r === true
      ? ""
      : r === false
        ? JSON.stringify(maps.resources)
        : resourcesStored(c, parsed, JSON.stringify(maps.resources));
  return { actor, tags, resources };
}

/** rawLog parsed (undefined: it is not JSON). */
export function parseRaw(rawLog: string): unknown {
  try {
    return JSON.parse(rawLog);
  } catch {
    return undefined;
  }
}

/** rawLog parsed once, when first asked for, by every reader of a row (src/store/present.ts). */
export function onceParsed(rawLog: string): () => unknown {
  let done = false;
  let raw: unknown;
  return () => {
    if (!done) {
      raw = parseRaw(rawLog);
      done = true;
    }
    return raw;
  };
}

/** Whether a stored map column holds a marker (a map is at least "{}" or "[]"). */
export const isMarker = (text: string | null): boolean => text === "" || text === ACTOR_EMAIL;

/**
 * A row's maps as JSON text, markers rebuilt from rawLog (`parse`: rawLog parsed, shared with
 * the caller's other reads of it). A marker with no view to read it by (a vendor since removed) reads as empty.
 */
export function fullMaps(
  view: ViewDefinition | undefined,
  row: { actor: string; tags: string; resources: string; rawLog: string },
  parse: () => unknown = () => parseRaw(row.rawLog),
): { actor: string; tags: string; resources: string } {
  const { actor, tags, resources } = row;
  if (!isMarker(actor) && tags !== "" && resources !== "") return { actor, tags, resources };
  const built = builtMaps(view, row, parse);
  return {
    actor: built.actor === undefined ? actor : JSON.stringify(built.actor),
    tags: built.tags === undefined ? tags : JSON.stringify(built.tags),
    resources: built.resources === undefined ? resources : JSON.stringify(built.resources),
  };
}

/**
 * The maps a row holds as markers, built from rawLog (the others undefined: read the column);
 * a marker with no view to read it by (a vendor since removed) is an empty map.
 */
export function builtMaps(
  view: ViewDefinition | undefined,
  row: { actor: string; tags: string; resources: string; rawLog: string },
  parse: () => unknown = () => parseRaw(row.rawLog),
): { actor?: Record<string, string>; tags?: Record<string, string>; resources?: string[] } {
  const { actor, tags, resources } = row;
  const out: ReturnType<typeof builtMaps> = {};
  if (!isMarker(actor) && tags !== "" && resources !== "") return out;
  const d = view?.derived;
  const raw = d ? parse() : undefined;
  const c = d && raw !== undefined ? compiled(d) : undefined;
  if (isMarker(actor)) {
    const a = c?.actor?.(raw) ?? {};
    if (actor === ACTOR_EMAIL && a.name !== undefined) a.email = a.name;
    out.actor = a;
  }
  if (tags === "") out.tags = c?.tags?.(raw) ?? {};
  if (resources === "") out.resources = c?.resources?.(raw) ?? [];
  return out;
}

// ---- SQL ----

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;
/** The plain non-empty string at a path of JSON `doc`, else NULL (`str`). */
const strSql = (doc: string, path: string) =>
  `CASE json_type(${doc}, '$.${path}') WHEN 'text' THEN nullif(${doc} ->> '$.${path}', '') END`;

/**
 * `"key":"value"` with a comma before it, for the plain non-empty string at a path, else ''. A
 * marker row's strings are plain (no character JSON escapes), so quotes around one are
 * JSON.stringify's text of it: the maps are written by concatenation, not json_object and
 * json_patch (which build and parse a JSON value per call: most of what a view paid per row).
 */
const memberSql = (key: string, path: string) =>
  `coalesce(${lit(`,${JSON.stringify(key)}:"`)} || ${strSql("rawLog", path)} || '"', '')`;

/** `{...}` of the members' SQL (each '' or starting with a comma). */
const braced = (members: readonly string[]) =>
  members.length === 0 ? `'{}'` : `'{' || substr(${members.join(" || ")}, 2) || '}'`;

const objectSql = (pairs: readonly KeyPath[]) => braced(pairs.map(([k, p]) => memberSql(k, p)));

function actorSql(d: NonNullable<DerivedMaps["actor"]>, column: string): string {
  const members = d.pairs.map(([k, p]) => memberSql(k, p));
  const name = d.pairs.find(([k]) => k === "name");
  // '@': the email is the name, last (the map has no email of its own)
  const email =
    d.email && name
      ? ` WHEN '${ACTOR_EMAIL}' THEN ${braced([...members, memberSql("email", name[1])])}`
      : "";
  return `CASE ${column} WHEN '' THEN ${braced(members)}${email} ELSE ${column} END`;
}

function tagsSql(d: NonNullable<DerivedMaps["tags"]>, column: string): string {
  if (d.from === undefined)
    return `CASE ${column} WHEN '' THEN ${objectSql(d.pairs)} ELSE ${column} END`;
  // the object as the raw text has it, minified (a marker row's has string values and no escape);
  // a pair may replace one of its keys in place, hence json_patch
  const from = `CASE json_type(rawLog, '$.${d.from}') WHEN 'object' THEN rawLog -> '$.${d.from}' ELSE '{}' END`;
  const built = d.pairs.length === 0 ? from : `json_patch(${from}, ${objectSql(d.pairs)})`;
  return `CASE ${column} WHEN '' THEN ${built} ELSE ${column} END`;
}

function resourcesSql(specs: readonly DerivedResource[], column: string): string {
  // Each resource a JSON string with a comma before it, or '', concatenated: no json_each, which
  // the SQL gate reads as a scan of a built value (src/sql/cost.ts), in a view. A marker row's
  // strings are plain, so quotes around them are JSON.stringify's text.
  const items = specs.map((r) => {
    const type = r.typePath
      ? `coalesce(${strSql("rawLog", r.typePath)}, ${lit(r.type ?? r.path)})`
      : lit(r.type ?? r.path);
    const string = (t: string, id: string) => `coalesce(',"' || ${t} || ':' || ${id} || '"', '')`;
    if (!r.idKey) return string(type, strSql("rawLog", r.path));
    const at = `'$.${r.path}'`;
    // the objects of an array (a marker row's has at most MAX_ITEMS), read only as far as its
    // length: a row does not look up items it has not
    let each = "''";
    for (let k = MAX_ITEMS - 1; k >= 0; k--) {
      const item = `${r.path}[${k}]`;
      const itemType = r.typeKey
        ? `coalesce(${strSql("rawLog", `${item}.${r.typeKey}`)}, ${type})`
        : type;
      const one = string(itemType, strSql("rawLog", `${item}.${r.idKey}`));
      each = `CASE WHEN json_array_length(rawLog, ${at}) > ${k} THEN ${one} || ${each} ELSE '' END`;
    }
    return `CASE json_type(rawLog, ${at}) WHEN 'text' THEN ${string(type, `nullif(rawLog ->> ${at}, '')`)} WHEN 'array' THEN ${each} ELSE '' END`;
  });
  return `CASE ${column} WHEN '' THEN '[' || substr(${items.join(" || ")}, 2) || ']' ELSE ${column} END`;
}

export type MapColumn = "actor" | "tags" | "resources";

/** The SQL of a map column of one vendor's rows (`column`: the stored column, e.g. `actor`). */
export function mapSql(view: ViewDefinition, name: MapColumn, column: string = name): string {
  const d = view.derived;
  if (name === "actor" && d?.actor) return actorSql(d.actor, column);
  if (name === "tags" && d?.tags) return tagsSql(d.tags, column);
  if (name === "resources" && d?.resources) return resourcesSql(d.resources, column);
  return column;
}

/** A vendor's view by its source type, as the registry hands them to the store. */
export interface TypedView {
  type: string;
  view: ViewDefinition;
}

/** The SQL of a map column over every vendor's rows: by source type where it holds a marker. */
export function anyMapSql(
  specs: readonly TypedView[],
  name: MapColumn,
  column: string = name,
  sourceType = "sourceType",
): string {
  const cases = specs
    .filter((s) => s.view.derived?.[name])
    .map((s) => `WHEN ${lit(s.type)} THEN ${mapSql(s.view, name, column)}`);
  if (cases.length === 0) return column;
  const markers = name === "actor" ? `('', '${ACTOR_EMAIL}')` : `('')`;
  return `CASE WHEN ${column} IN ${markers} THEN CASE ${sourceType} ${cases.join(" ")} ELSE ${column} END ELSE ${column} END`;
}

/** A raw text that writes every string as it is (no escape in it). */
const NO_ESCAPE = `instr(rawLog, '\\') = 0`;

/**
 * Whether a row's actor map has the value `param` (a bound parameter, once per use): for a marker
 * row, whether one of the construction's strings is it (no map built: the strings a marker row
 * reads are the map's values, and a marker's email is its name); for the others, any value of
 * the stored map. The value is never '' in a built map, so '' never matches a marker row.
 * A marker row whose raw text has no backslash writes each string as it is, so one that has not
 * the value anywhere (instr, exact and case-sensitive as `=` is) is read no further: most rows
 * are answered with no parse of rawLog.
 */
export function anyActorHasSql(specs: readonly TypedView[], param: () => string): string {
  const stored = () => `EXISTS (SELECT 1 FROM json_each(actor) WHERE json_each.value = ${param()})`;
  const cases = specs.flatMap((s) => {
    const a = s.view.derived?.actor;
    if (!a) return [];
    const paths = [...new Set(a.pairs.map(([, p]) => p))];
    // a string at the path equal to the value (->> gives a number as a number, which no text
    // equals; an object as JSON text, hence the type); a CASE's WHENs are tried in order
    const terms = paths.map(
      (p) =>
        `WHEN rawLog ->> '$.${p}' = ${param()} AND json_type(rawLog, '$.${p}') = 'text' THEN 1`,
    );
    return [`WHEN ${lit(s.type)} THEN CASE ${terms.join(" ")} ELSE 0 END`];
  });
  if (cases.length === 0) return stored();
  // a built map has no '' (text() drops it): 0 or 1, never NULL, so a NOT (an excluded actor)
  // keeps a row whose paths are missing
  return `CASE WHEN actor IN ('', '${ACTOR_EMAIL}') THEN CASE WHEN ${param()} = '' THEN 0 WHEN ${NO_ESCAPE} AND instr(rawLog, ${param()}) = 0 THEN 0 ELSE CASE sourceType ${cases.join(" ")} ELSE 0 END END ELSE ${stored()} END`;
}

/** What JSON writes around and between a map's strings (and the one character that escapes). */
const JSON_PUNCTUATION = /["\\{}[\]:,]/;

/** LIKE's case folding (SQLite's built-in LIKE folds ASCII letters only). */
export const foldAscii = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

/** The strings a vendor's construction writes into map `name` itself (not read from rawLog). */
function literalsOf(d: DerivedMaps, name: MapColumn): string[] {
  if (name === "actor" && d.actor)
    return [...d.actor.pairs.map(([k]) => k), ...(d.actor.email ? ["email"] : [])];
  if (name === "tags" && d.tags) return d.tags.pairs.map(([k]) => k);
  if (name === "resources" && d.resources) return d.resources.map((r) => r.type ?? r.path);
  return [];
}

/**
 * Whether free text `needle` (a LIKE of `%needle%`, LIKE's own characters escaped) can skip map
 * `name` of this vendor's marker rows whose raw text has no backslash, because there it matches
 * the rebuilt map's text only where it matches rawLog, which free text searches too:
 * - the map's text is JSON of strings, each either read from rawLog (the construction's) or a
 *   literal of the view (its keys, the '@' marker's "email", a resource's fixed type), with only
 *   punctuation `"{}[]:,` around and between them, no space, and no escape (a marker row's strings
 *   are plain);
 * - a needle with none of that punctuation and no backslash matches inside one of those strings;
 * - one that is inside no literal (as LIKE folds case) matches inside a string read from rawLog;
 * - a raw text with no backslash writes that string as it is: the needle is in rawLog too.
 * Any other needle, or a raw text with a backslash (an escape may write the string otherwise),
 * rebuilds the map and matches it as before.
 */
export function textInRawOnly(view: ViewDefinition, name: MapColumn, needle: string): boolean {
  const d = view.derived;
  if (!d?.[name] || needle === "" || JSON_PUNCTUATION.test(needle)) return false;
  const n = foldAscii(needle);
  return !literalsOf(d, name).some((l) => foldAscii(l).includes(n));
}

/**
 * Free text's test of the actor and resources over every vendor's rows (`matched`: the test of
 * one text, a LIKE of `%needle%` or its long-needle form, src/store/query.ts), of each map's SQL. A row of a vendor for which
 * the needle is `textInRawOnly` for each map it builds, with a marker and a raw text with no
 * backslash, builds none: a marker map reads as no match (there a match of it is a match of
 * rawLog, which the same OR tries first), a stored one is matched as it is. One instr of rawLog
 * a row, whichever of its maps are markers.
 */
export function anyMapsLikeSql(
  specs: readonly TypedView[],
  needle: string,
  matched: (sql: string) => string,
): string {
  const full = `${matched(anyMapSql(specs, "actor"))} OR ${matched(anyMapSql(specs, "resources"))}`;
  const maps = ["actor", "resources"] as const;
  const skip = specs
    .filter(
      (s) =>
        maps.some((m) => s.view.derived?.[m]) &&
        maps.every((m) => !s.view.derived?.[m] || textInRawOnly(s.view, m, needle)),
    )
    .map((s) => lit(s.type));
  if (skip.length === 0) return full;
  return `CASE WHEN (actor IN ('', '${ACTOR_EMAIL}') OR resources = '') AND sourceType IN (${skip.join(", ")}) AND ${NO_ESCAPE} THEN (actor NOT IN ('', '${ACTOR_EMAIL}') AND ${matched("actor")}) OR (resources <> '' AND ${matched("resources")}) ELSE ${full} END`;
}

/** The actor's email, else its name, else its id (the explorer's actor facet), by source type. */
export function anyActorWhoSql(specs: readonly TypedView[]): string {
  const stored = `coalesce(actor ->> '$.email', actor ->> '$.name', actor ->> '$.id')`;
  const cases = specs.flatMap((s) => {
    const a = s.view.derived?.actor;
    if (!a) return [];
    const path = (k: string) => a.pairs.find(([key]) => key === k)?.[1];
    const who = (keys: string[]) => {
      const ps = keys.map(path).filter((p): p is string => p !== undefined);
      const reads = ps.map((p) => strSql("rawLog", p));
      if (reads.length < 2) return reads[0] ?? "NULL";
      return `coalesce(${reads.join(", ")})`;
    };
    // '@': no email of its own, the name is the email
    return [
      `WHEN ${lit(s.type)} THEN CASE actor WHEN '' THEN ${who(["email", "name", "id"])} ELSE ${who(["name"])} END`,
    ];
  });
  if (cases.length === 0) return stored;
  return `CASE WHEN actor IN ('', '${ACTOR_EMAIL}') THEN CASE sourceType ${cases.join(" ")} END ELSE ${stored} END`;
}

let registered: readonly TypedView[] = [];

/**
 * The vendors whose markers the filters and facets read (src/store/query.ts, explore.ts): the
 * registry hands them in when the Worker starts (src/catalog.ts), as it hands the views.
 */
export function registerDerived(specs: readonly TypedView[]): void {
  registered = specs;
}

/** anyActorHasSql over every registered vendor's rows. */
export const registeredActorHasSql = (param: () => string) => anyActorHasSql(registered, param);

/** anyActorWhoSql over every registered vendor's rows. */
export const registeredActorWhoSql = () => anyActorWhoSql(registered);

/** The SQL of a map column over every registered vendor's rows. */
export const registeredMapSql = (name: MapColumn, column?: string) =>
  anyMapSql(registered, name, column);

/** anyMapsLikeSql over every registered vendor's rows. */
export const registeredMapsLikeSql = (needle: string, matched: (sql: string) => string) =>
  anyMapsLikeSql(registered, needle, matched);
