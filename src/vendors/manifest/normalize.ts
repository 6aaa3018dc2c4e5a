import { canonicalJsonSha256 } from "../../lib/canonical-json";
import {
  type Endpoint,
  emptyEndpoint,
  type Normalizer,
  sourceIp,
  TIME_MESSAGE,
  zodFailure,
} from "../event";
import { getter, readTime, text } from "./paths";
import { keyRewrite, Nesting, preparer } from "./prepare";
import type { Manifest, ManifestMap } from "./schema";
import { typesCheck } from "./types";
import { viewOf } from "./view";

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

function resourcesReader(map: ManifestMap): Read<string[]> {
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
    for (let i = 0; i < specs.length; i++) {
      const r = specs[i] as (typeof specs)[number];
      const v = r.get(e);
      const type = (r.typeGet ? text(r.typeGet(e)) : null) ?? r.fallback;
      const id = text(v);
      if (id !== null) {
        out.push(`${type ?? r.path}:${id}`);
        continue;
      }
      if (r.idGet === null) continue;
      for (const item of Array.isArray(v) ? v : isObject(v) ? [v] : []) {
        const itemId = text(r.idGet(item));
        const itemType = (r.typeKeyGet ? text(r.typeKeyGet(item)) : null) ?? type ?? r.path;
        if (itemId !== null) out.push(`${itemType}:${itemId}`);
      }
    }
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
function actorReader(map: ManifestMap): Read<Record<string, string>> {
  const entries = Object.entries(map.actor);
  const keys = entries.map(([k]) => k);
  const gets = entries.map(([, p]) => getter(p));
  const email = map.emailFromName;
  return (e) => {
    const actor: Record<string, string> = {};
    for (let i = 0; i < gets.length; i++) {
      const v = text((gets[i] as Get)(e));
      if (v) actor[keys[i] as string] = v;
    }
    if (email && !actor.email && actor.name && EMAIL.test(actor.name)) actor.email = actor.name;
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

function tagsReader(map: ManifestMap): (e: Record<string, unknown>) => Record<string, string> {
  const from = map.tagsFrom ? getter(map.tagsFrom) : null;
  const entries = Object.entries(map.tags);
  const keys = entries.map(([k]) => k);
  const gets = entries.map(([, spec]) => getter(typeof spec === "string" ? spec : spec.path));
  const mappings = entries.map(([, spec]) =>
    typeof spec === "string" ? null : new Map(Object.entries(spec.values)),
  );
  const ua = map.userAgent ? getter(map.userAgent) : null;
  return (e) => {
    const out: Record<string, string> = {};
    if (from) {
      const v = from(e);
      if (isObject(v)) stringEntries(v, out);
    }
    for (let i = 0; i < gets.length; i++) {
      const v = text((gets[i] as Get)(e));
      if (v === null) continue;
      const values = mappings[i];
      if (!values) out[keys[i] as string] = v;
      else {
        const mapped = values.get(v);
        if (mapped !== undefined) out[keys[i] as string] = mapped;
      }
    }
    const agent = ua ? text(ua(e)) : null;
    if (agent) out.userAgent = agent;
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

/** The view's columns read from the event: `as` a number or a string, `default` for nothing. */
function sourceFieldsReader(m: Manifest): Read<Record<string, unknown>> {
  // In parallel arrays read by index, one loop doing each column's read: no closure per column
  // wrapped around its path's (a call per column per event).
  const columns = viewOf(m).paths;
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
  return (e) => {
    const out = { ...template };
    for (let i = 0; i < gets.length; i++) {
      let v = (gets[i] as Get)(e);
      const kind = kinds[i];
      if (kind === AS_IS) v = v ?? null;
      else if (kind === AS_NUMBER) v = numberOf(v ?? null);
      else if (typeof v !== "string") v = null;
      if (v === null) {
        const copy = copies[i];
        // (the copy of the template holds null already)
        if (!copy) continue;
        v = copy();
      }
      out[names[i] as string] = v;
    }
    return out;
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
  const actorOf = actorReader(map);
  const srcOf = srcReader(map);
  const tagsOf = tagsReader(map);
  const resourcesOf = resourcesReader(map);
  const fieldsOf = sourceFieldsReader(m);
  const serviceName = m.type;
  const notAnEvent = `event: not a ${m.name} event object`;

  return {
    isEvent: isEventOf(m),

    async normalize({ value: received, raw }) {
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
      return {
        ok: true,
        event: {
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
        },
      };
    },
  };
}
