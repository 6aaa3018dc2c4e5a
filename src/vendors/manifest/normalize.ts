import { canonicalJsonSha256 } from "../../lib/canonical-json";
import { plainString, plainText, sameJson } from "../../lib/plain-json";
import { NotedEvent } from "../../model/read-note";
import { type DerivedMaps, MAX_RESOURCE_ITEMS } from "../../model/view";
import {
  type Endpoint,
  emptyEndpoint,
  type NormalizedEvent,
  type Normalizer,
  sourceIp,
  TIME_MESSAGE,
  zodFailure,
} from "../event";
import { getter, readTime, text } from "./paths";
import { keyRewrite, Nesting, preparer } from "./prepare";
import type { Manifest, ManifestMap } from "./schema";
import { typesCheck } from "./types";
import { type Column, viewOf } from "./view";

/**
 * The normalizer a manifest's `map` and `view` describe (pure, like every normalizer). Every
 * path, template and rule is compiled into closures once per vendor, when the Worker starts:
 * an event costs its reads, never a split, a lookup of the manifest or a regex built anew.
 */

type Get = (v: unknown) => unknown;
type Read<T> = (e: Record<string, unknown>) => T;

const fail = (code: "invalid_event" | "invalid_time", message: string) =>
  ({ ok: false, code, message }) as const;

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

type NameSpec = ManifestMap["name"];
const placeholders = (template: string) =>
  [...template.matchAll(/\{([^{}]+)\}/g)].map((m) => (m[1] as string).trim());

/** A template compiled: its literal parts and the getters of its fields. */
function templateOf(template: string) {
  const names = placeholders(template);
  const gets = names.map(getter);
  const literals = template.split(/\{[^{}]+\}/);
  return {
    /** The filled text (a field of nothing: empty). */
    fill: (e: unknown) => {
      let out = literals[0] as string;
      for (let i = 0; i < gets.length; i++)
        out += (text((gets[i] as Get)(e)) ?? "") + (literals[i + 1] as string);
      return out;
    },
    /** Whether every field has a value. */
    complete: (e: unknown) => gets.every((g) => text(g(e)) !== null),
  };
}

/** The event name: a path, a template, or the first alternative that applies (null: none). */
function nameReader(spec: NameSpec): Read<string | null> {
  if (typeof spec === "string") {
    const get = getter(spec);
    return (e) => text(get(e));
  }
  if (!Array.isArray(spec)) {
    const t = templateOf(spec.template);
    return (e) => {
      const name = t.fill(e);
      return /[^.:_\-/\s]/.test(name) ? name : null;
    };
  }
  const alts = spec.map((alt) => {
    if (typeof alt === "string") {
      const get = getter(alt);
      return (e: unknown) => {
        const v = get(e);
        return v !== undefined && v !== null ? { name: text(v) } : null;
      };
    }
    const t = templateOf(alt.template);
    return (e: unknown) => (t.complete(e) ? { name: t.fill(e) } : null);
  });
  return (e) => {
    for (const alt of alts) {
      const found = alt(e);
      if (found) return found.name;
    }
    return null;
  };
}

/** What a missing name is called: "audit_action: missing (and no action)". */
function nameMessage(spec: NameSpec): string {
  if (!Array.isArray(spec)) return "the event name: missing";
  const [first, ...rest] = spec.filter((a): a is string => typeof a === "string");
  if (first === undefined) return "the event name: missing";
  return `${first}: missing${rest.length > 0 ? ` (and no ${rest.join(", ")})` : ""}`;
}

/**
 * What the readers found of the event they read last, for its note (src/model/read-note.ts):
 * whether its actor, tags and resources are the view's `derived` construction of the record,
 * every string plain, and the vendor fields that differ from the record's. Each reader of a
 * claimable part sets its own entry on every event (a normalize is synchronous, so the entries
 * are the event's until the note is made).
 */
const seen = {
  actor: null as string | null,
  tags: false,
  resources: false,
  /** The vendor fields to store (null: none), where the view reads rawLog. */
  stored: null as Record<string, unknown> | null,
};

/**
 * A raw value the derived construction and the normalizer read alike where it stands for a
 * string: missing, null, an object or a list (neither reads one as text), or a plain string; a
 * number or boolean (the normalizer writes it, the construction leaves it out) or a string that
 * is not plain is not.
 */
const sayable = (v: unknown) =>
  v === undefined || v === null || typeof v === "object" || plainString(v);

function resourcesReader(map: ManifestMap, claimable: boolean): Read<string[]> {
  const specs = map.resources.map((r) => ({
    get: getter(r.path),
    typeGet: r.typePath ? getter(r.typePath) : null,
    fallback: r.type ?? null,
    path: r.path,
    idGet: r.idKey ? getter(r.idKey) : null,
    typeKeyGet: r.typeKey ? getter(r.typeKey) : null,
  }));
  return (e) => {
    const out: string[] = [];
    // (the construction's: the same items, from strings only, all plain; src/store/derived.ts)
    let plain = claimable;
    for (let i = 0; i < specs.length; i++) {
      const r = specs[i] as (typeof specs)[number];
      const v = r.get(e);
      const t = r.typeGet ? r.typeGet(e) : undefined;
      if (plain && !sayable(t)) plain = false;
      const type = (r.typeGet ? text(t) : null) ?? r.fallback;
      const id = text(v);
      if (id !== null) {
        if (plain && !plainString(v)) plain = false;
        out.push(`${type ?? r.path}:${id}`);
        continue;
      }
      if (r.idGet === null) continue;
      // (one object, read as a list of one here, is no list to the construction)
      if (plain && (isObject(v) || (Array.isArray(v) && v.length > MAX_RESOURCE_ITEMS)))
        plain = false;
      for (const item of Array.isArray(v) ? v : isObject(v) ? [v] : []) {
        const iv = r.idGet(item);
        const ik = r.typeKeyGet ? r.typeKeyGet(item) : undefined;
        if (plain && !sayable(ik)) plain = false;
        const itemId = text(iv);
        const itemType = (r.typeKeyGet ? text(ik) : null) ?? type ?? r.path;
        if (itemId !== null) {
          if (plain && !plainString(iv)) plain = false;
          out.push(`${itemType}:${itemId}`);
        }
      }
    }
    seen.resources = plain && out.length > 0;
    return out;
  };
}

function readOnlyReader(
  map: ManifestMap,
): (e: Record<string, unknown>, name: string) => boolean | null {
  const rule = map.readOnly;
  if (!rule) return () => null;
  if ("names" in rule) {
    const names = new Set(rule.names);
    return (_, name) => names.has(name);
  }
  if ("reads" in rule) {
    const reads = new Set(rule.reads);
    return (_, name) => (reads.has(name) ? true : null);
  }
  if ("writes" in rule) {
    const writes = new Set(rule.writes);
    return (_, name) => (writes.has(name) ? false : null);
  }
  if ("pattern" in rule) {
    const pattern = new RegExp(rule.pattern);
    return (_, name) => pattern.test(name);
  }
  const get = getter(rule.path);
  const values = new Set(rule.values);
  return (e) => {
    const v = text(get(e));
    return v === null ? null : values.has(v);
  };
}

/** A number, or a numeric string read as one; else null. */
export const numberOf = (v: unknown) => {
  const n = typeof v === "number" ? v : typeof v === "string" && v !== "" ? Number(v) : NaN;
  return Number.isFinite(n) ? n : null;
};

/** The event's time: `path`, else each fallback in turn (epoch ms, or null), compiled. */
export function timeReader(map: ManifestMap): (e: unknown) => number | null {
  const gets = [map.time.path, ...map.time.fallback].map(getter);
  const { format } = map.time;
  return (e) => {
    for (const get of gets) {
      const t = readTime(get(e), format);
      if (t !== null) return t;
    }
    return null;
  };
}

const TIME_READERS = new WeakMap<ManifestMap, (e: unknown) => number | null>();

/** The event's time: `path`, else each fallback in turn (epoch ms, or null). */
export const eventTime = (map: ManifestMap, e: unknown) => {
  let read = TIME_READERS.get(map);
  if (!read) {
    read = timeReader(map);
    TIME_READERS.set(map, read);
  }
  return read(e);
};

/** An actor name that is an email address (actorMap's test, src/vendors/event.ts). */
const EMAIL = /^[^@\s]+@[^@\s]+$/;

/**
 * The actor: its parts that are set, as text, in the manifest's order; with `emailFromName`,
 * `email` after them when the name is an email address and no part is the email (actorMap,
 * src/vendors/event.ts, written out: one object, no map of parts before it). The compiled
 * readers keep their keys and getters in parallel arrays, read by index: no tuple destructured
 * per field per event.
 */
function actorReader(map: ManifestMap, claimable: boolean): Read<Record<string, string>> {
  const entries = Object.entries(map.actor);
  const keys = entries.map(([k]) => k);
  const gets = entries.map(([, p]) => getter(p));
  const email = map.emailFromName;
  return (e) => {
    const actor: Record<string, string> = {};
    // (the construction's: its strings, all plain, and '@' for the email that is the name)
    let plain = claimable;
    let set = 0;
    for (let i = 0; i < gets.length; i++) {
      const r = (gets[i] as Get)(e);
      const v = text(r);
      if (v) {
        actor[keys[i] as string] = v;
        if (plain && !plainString(r)) plain = false;
        set++;
      }
    }
    let marker = "";
    if (email && !actor.email && actor.name && EMAIL.test(actor.name)) {
      actor.email = actor.name;
      marker = "@";
    }
    seen.actor = plain && set > 0 ? marker : null;
    return actor;
  };
}

/** stringMap (src/vendors/event.ts), inlined: a JSON object's entries as text. */
function stringEntries(obj: Record<string, unknown>, out: Record<string, string>) {
  for (const k in obj) {
    const v = obj[k];
    if (v === undefined || v === null) continue;
    out[k] = typeof v === "string" ? v : JSON.stringify(v);
  }
}

/** An array index (V8 puts such keys first, whatever the document's order). */
const INDEX_KEY = /^(0|[1-9][0-9]*)$/;

const own = Object.prototype.hasOwnProperty;

/**
 * Its number of keys where the object at `tagsFrom` is what the construction reads as it is:
 * strings only, every key and string plain, no key V8 moves (an index) or that an object takes
 * otherwise (`__proto__`, `toJSON`), none of the pairs' keys; else -1.
 */
function fromPlain(o: Record<string, unknown>, pairKeys: readonly string[]): number {
  let n = 0;
  for (const k in o) {
    const v = o[k];
    if (!plainString(v) || !plainText(k)) return -1;
    if (k === "__proto__" || k === "toJSON" || INDEX_KEY.test(k)) return -1;
    n++;
  }
  for (let i = 0; i < pairKeys.length; i++) if (own.call(o, pairKeys[i] as string)) return -1;
  return n;
}

function tagsReader(
  map: ManifestMap,
  claimable: boolean,
): (e: Record<string, unknown>) => Record<string, string> {
  const from = map.tagsFrom ? getter(map.tagsFrom) : null;
  const entries = Object.entries(map.tags);
  const keys = entries.map(([k]) => k);
  const gets = entries.map(([, spec]) => getter(typeof spec === "string" ? spec : spec.path));
  const mappings = entries.map(([, spec]) =>
    typeof spec === "string" ? null : new Map(Object.entries(spec.values)),
  );
  const ua = map.userAgent ? getter(map.userAgent) : null;
  const pairKeys = ua ? [...keys, "userAgent"] : keys;
  return (e) => {
    const out: Record<string, string> = {};
    // (the construction's: the object at `from` as it is, then the pairs' strings, all plain)
    let plain = claimable;
    let set = 0;
    if (from) {
      const v = from(e);
      if (isObject(v)) {
        if (plain) {
          set = fromPlain(v, pairKeys);
          if (set < 0) plain = false;
        }
        stringEntries(v, out);
      }
    }
    for (let i = 0; i < gets.length; i++) {
      const r = (gets[i] as Get)(e);
      const v = text(r);
      if (v === null) continue;
      if (plain && !plainString(r)) plain = false;
      set++;
      const values = mappings[i];
      if (!values) out[keys[i] as string] = v;
      else {
        const mapped = values.get(v);
        if (mapped !== undefined) out[keys[i] as string] = mapped;
      }
    }
    if (ua) {
      const r = ua(e);
      const agent = text(r);
      if (agent) {
        if (plain && !plainString(r)) plain = false;
        out.userAgent = agent;
        set++;
      }
    }
    // (an empty map is "{}", no marker)
    seen.tags = plain && set > 0;
    return out;
  };
}

/** The source endpoint: its IP address (the first path present), and the mapped geo fields. */
function srcReader(map: ManifestMap): Read<Endpoint> {
  const ips = (map.srcIp === undefined ? [] : [map.srcIp].flat()).map(getter);
  const ip: Read<string | null> =
    ips.length === 0
      ? () => null
      : (e) => {
          for (const get of ips) {
            const v = get(e);
            if (v !== undefined && v !== null) return text(v);
          }
          return null;
        };
  const { city, countryCode, latitude, longitude } = map.geo;
  const city_ = city ? getter(city) : null;
  const country = countryCode ? getter(countryCode) : null;
  const lat = latitude ? getter(latitude) : null;
  const lon = longitude ? getter(longitude) : null;
  if (!city_ && !country && !lat && !lon) return (e) => sourceIp(ip(e));
  return (e) => {
    const src = sourceIp(ip(e));
    if (city_) src.city = text(city_(e));
    if (country) src.asCountryCode = text(country(e));
    if (lat) src.latitude = numberOf(lat(e));
    if (lon) src.longitude = numberOf(lon(e));
    return src;
  };
}

/**
 * A fresh copy of a column's default each time (structuredClone's; an empty list or object, the
 * usual defaults, made as a literal, a primitive as it is).
 */
function copyOf(fallback: unknown): () => unknown {
  if (fallback === null || typeof fallback !== "object") return () => fallback;
  if (Array.isArray(fallback) && fallback.length === 0) return () => [];
  if (Object.getPrototypeOf(fallback) === Object.prototype && Object.keys(fallback).length === 0)
    return () => ({});
  return () => structuredClone(fallback);
}

/** How a view column's value is read: as it is, as a number, or as a string. */
const AS_IS = 0;
const AS_NUMBER = 1;
const AS_STRING = 2;

/**
 * The view's columns read from the event: `as` a number or a string, `default` for nothing.
 * `rawPaths` (claimable): the fields of them to store are noted too (`seen.stored`), those
 * whose value is not the record's at the view's path (src/store/source-fields.ts `isStored`).
 */
function sourceFieldsReader(
  columns: readonly Column[],
  rawPaths: Readonly<Record<string, string>> | undefined,
): Read<Record<string, unknown>> {
  // In parallel arrays read by index, one loop doing each column's read: no closure per column
  // wrapped around its path's (a call per column per event).
  const names = columns.map(([name]) => name);
  const gets = columns.map(([, path]) => getter(path));
  const kinds = columns.map(([, , as]) =>
    as === "number" ? AS_NUMBER : as === "string" ? AS_STRING : AS_IS,
  );
  const copies = columns.map(([, , , fallback]) =>
    fallback === undefined ? null : copyOf(fallback),
  );
  // Every column is set on every event, in the view's order: each event's object is a copy of
  // one with those keys (made by JSON.parse, so V8 keeps it in fast mode), then its values are
  // set. An object given a score of keys one by one through computed keys becomes a dictionary
  // in V8 (GitHub's 22 columns, Airkit's 29), slower to fill and to stringify. (Column names are
  // camelCase identifiers, never "__proto__", which a new object would take as its prototype.)
  const template = JSON.parse(
    JSON.stringify(Object.fromEntries(names.map((name) => [name, null]))),
  ) as Record<string, unknown>;
  const claimable = fieldsClaimable(columns, rawPaths);
  // whether the view reads each column from rawLog at the path it is read from here
  const raws = columns.map(([name, path]) => rawPaths?.[name] === path);
  return (e) => {
    const out = { ...template };
    let stored: Record<string, unknown> | null = null;
    for (let i = 0; i < gets.length; i++) {
      const r = (gets[i] as Get)(e);
      const kind = kinds[i];
      let v = kind === AS_IS ? (r ?? null) : kind === AS_NUMBER ? numberOf(r ?? null) : r;
      if (kind === AS_STRING && typeof v !== "string") v = null;
      if (v === null) {
        const copy = copies[i];
        // (the copy of the template holds null already)
        if (copy) v = copy();
      }
      if (v !== null) out[names[i] as string] = v;
      if (claimable && (!raws[i] || (v !== r && !sameJson(v, r)))) {
        stored ??= {};
        stored[names[i] as string] = v;
      }
    }
    if (claimable) seen.stored = stored;
    return out;
  };
}

/** Whether the fields to store can be noted: a view that reads rawLog, each column named once. */
const fieldsClaimable = (
  columns: readonly Column[],
  rawPaths: Readonly<Record<string, string>> | undefined,
) => rawPaths !== undefined && new Set(columns.map(([name]) => name)).size === columns.length;

/** Keys an object takes otherwise than as its own plain member. */
const ODD_KEY = (k: string) => k === "__proto__" || k === "toJSON" || INDEX_KEY.test(k);

/**
 * Which maps of this manifest's events may be noted as the view's construction: where the view
 * derives them, from keys and fixed types the store's fast decisions take (src/store/derived.ts).
 */
function claimableMaps(map: ManifestMap, d: DerivedMaps | undefined) {
  const tagKeys = [...Object.keys(map.tags), ...(map.userAgent ? ["userAgent"] : [])];
  return {
    actor: d?.actor !== undefined && !Object.keys(map.actor).some(ODD_KEY),
    tags:
      d?.tags !== undefined &&
      new Set(tagKeys).size === tagKeys.length &&
      !tagKeys.some((k) => ODD_KEY(k) || !plainText(k)),
    resources: d?.resources?.every((r) => plainText(r.type ?? r.path)) ?? false,
  };
}

/** Whether an object is one event: it has every path of one of the lists. */
function isEventOf(m: Manifest): Normalizer["isEvent"] {
  const { map } = m;
  const idPath = "path" in map.id ? map.id.path : null;
  const lists = (map.isEvent ?? [[...(idPath === null ? [] : [idPath]), map.time.path]]).map(
    (keys) => keys.map(getter),
  );
  const has = (v: unknown) => lists.some((gets) => gets.every((g) => g(v) !== undefined));
  // Keys in any case (no `when`: every object is prepared): its keys are read rewritten.
  const rename = map.prepare?.when ? null : keyRewrite(map.prepare);
  if (!rename) return has;
  return (v) => {
    const renamed: Record<string, unknown> = {};
    for (const k in v) renamed[rename(k)] = v[k];
    return has(renamed);
  };
}

export function manifestNormalizer(m: Manifest): Normalizer {
  const { map } = m;
  const types = typesCheck(map.types);
  const prepare = preparer(map.prepare);
  const idPath = "path" in map.id ? map.id.path : null;
  const idGet = idPath === null ? null : getter(idPath);
  const hashWhenMissing = "fallback" in map.id && map.id.fallback === "canonical_json";
  const time = timeReader(map);
  const timeMessage = `${map.time.path}: missing or ${map.time.format === "iso" ? TIME_MESSAGE : `not an ${map.time.format} time`}`;
  const nameOf = nameReader(map.name);
  const missingName = nameMessage(map.name);
  const readOnlyOf = readOnlyReader(map);
  const view = viewOf(m);
  const { rawPaths, derived } = view;
  const claims = claimableMaps(map, derived);
  const fieldsClaim = fieldsClaimable(view.paths, rawPaths);
  const noting = fieldsClaim || claims.actor || claims.tags || claims.resources;
  const actorOf = actorReader(map, claims.actor);
  const srcOf = srcReader(map);
  const tagsOf = tagsReader(map, claims.tags);
  const resourcesOf = resourcesReader(map, claims.resources);
  const fieldsOf = sourceFieldsReader(view.paths, rawPaths);
  const serviceName = m.type;
  const notAnEvent = `event: not a ${m.name} event object`;

  return {
    isEvent: isEventOf(m),

    normalize({ value: received, raw }) {
      const value = prepare ? prepare(received) : received;
      if (value instanceof Nesting)
        return { ok: false, code: "nesting_too_deep", message: value.message };
      if (types && !types.ok(value)) {
        const issues = types.issues(value);
        if (issues.length > 0) return zodFailure(issues);
      }
      if (!isObject(value)) return fail("invalid_event", notAnEvent);
      let eventID = idGet === null ? null : text(idGet(value));
      if (eventID === null && (idGet === null || hashWhenMissing))
        eventID = canonicalJsonSha256(received);
      if (eventID === null) return fail("invalid_event", `${idPath}: missing (the event id)`);
      const eventTime = time(value);
      if (eventTime === null) return fail("invalid_time", timeMessage);
      const eventName = nameOf(value);
      if (!eventName) return fail("invalid_event", missingName);
      // accepted()'s shape, written out: one object literal, no spread of a fresh object
      const event: NormalizedEvent = {
        eventID,
        eventName,
        eventTime,
        readOnly: readOnlyOf(value, eventName),
        serviceName,
        src: srcOf(value),
        actor: actorOf(value),
        tags: tagsOf(value),
        resources: resourcesOf(value),
        rawLog: raw,
        sourceFields: fieldsOf(value),
        dst: emptyEndpoint(),
        enrichments: [],
      };
      // What the readers found of the record as received (not of a prepared copy): toRow's
      // decisions on the fields and maps, made as they were read (src/model/read-note.ts).
      if (!noting || value !== received) return { ok: true, event };
      return {
        ok: true,
        event: new NotedEvent(event, {
          parsed: received,
          rawPaths,
          derived,
          fields: fieldsClaim ? event.sourceFields : null,
          stored: seen.stored,
          actor: seen.actor === null ? null : event.actor,
          actorMarker: seen.actor ?? "",
          tags: seen.tags ? event.tags : null,
          resources: seen.resources ? event.resources : null,
        }),
      };
    },
  };
}
