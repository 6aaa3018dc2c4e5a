import { canonicalJson, sha256Hex } from "../../lib/hash";
import {
  accepted,
  actorMap,
  type Endpoint,
  type Normalizer,
  sourceIp,
  stringMap,
  TIME_MESSAGE,
  zodFailure,
} from "../event";
import { at, fill, readTime, text } from "./paths";
import type { Manifest, ManifestMap } from "./schema";
import { typesSchema } from "./types";
import { viewOf } from "./view";

/** The normalizer a manifest's `map` and `view` describe (pure, like every normalizer). */

const fail = (code: "invalid_event" | "invalid_time", message: string) =>
  ({ ok: false, code, message }) as const;

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

type NameSpec = ManifestMap["name"];
const placeholders = (template: string) =>
  [...template.matchAll(/\{([^{}]+)\}/g)].map((m) => (m[1] as string).trim());

/** The event name: a path, a template, or the first alternative that applies (null: none). */
function nameOf(spec: NameSpec, e: Record<string, unknown>): string | null {
  if (typeof spec === "string") return text(at(e, spec));
  if (!Array.isArray(spec)) {
    const name = fill(spec.template, (p) => text(at(e, p)));
    return /[^.:_\-/\s]/.test(name) ? name : null;
  }
  for (const alt of spec) {
    if (typeof alt === "string") {
      const v = at(e, alt);
      if (v !== undefined && v !== null) return text(v);
    } else if (placeholders(alt.template).every((p) => text(at(e, p)) !== null)) {
      return fill(alt.template, (p) => text(at(e, p)));
    }
  }
  return null;
}

/** What a missing name is called: "audit_action: missing (and no action)". */
function nameMessage(spec: NameSpec): string {
  if (!Array.isArray(spec)) return "the event name: missing";
  const [first, ...rest] = spec.filter((a): a is string => typeof a === "string");
  if (first === undefined) return "the event name: missing";
  return `${first}: missing${rest.length > 0 ? ` (and no ${rest.join(", ")})` : ""}`;
}

function resourcesOf(map: ManifestMap, e: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const r of map.resources) {
    const v = at(e, r.path);
    const type = (r.typePath ? text(at(e, r.typePath)) : null) ?? r.type ?? null;
    const id = text(v);
    if (id !== null) {
      out.push(`${type ?? r.path}:${id}`);
      continue;
    }
    for (const item of Array.isArray(v) ? v : isObject(v) ? [v] : []) {
      const itemId = r.idKey ? text(at(item, r.idKey)) : null;
      const itemType = (r.typeKey ? text(at(item, r.typeKey)) : null) ?? type ?? r.path;
      if (itemId !== null) out.push(`${itemType}:${itemId}`);
    }
  }
  return out;
}

function readOnlyOf(map: ManifestMap, e: Record<string, unknown>, name: string): boolean | null {
  const rule = map.readOnly;
  if (!rule) return null;
  if ("names" in rule) return rule.names.includes(name);
  if ("pattern" in rule) return new RegExp(rule.pattern).test(name);
  const v = text(at(e, rule.path));
  return v === null ? null : rule.values.includes(v);
}

/** A number, or a numeric string read as one; else null. */
export const numberOf = (v: unknown) => {
  const n = typeof v === "number" ? v : typeof v === "string" && v !== "" ? Number(v) : NaN;
  return Number.isFinite(n) ? n : null;
};

/** The event's time: `path`, else each fallback in turn (epoch ms, or null). */
export const eventTime = (map: ManifestMap, e: unknown) => {
  for (const p of [map.time.path, ...map.time.fallback]) {
    const t = readTime(at(e, p), map.time.format);
    if (t !== null) return t;
  }
  return null;
};

/** An actor part or tag: text, and "" is nothing. */
const parts = (paths: Record<string, string>, e: unknown) =>
  Object.fromEntries(Object.entries(paths).map(([k, p]) => [k, text(at(e, p))]));

function tagsOf(map: ManifestMap, e: Record<string, unknown>, ua: string | null) {
  const from = map.tagsFrom ? at(e, map.tagsFrom) : undefined;
  const tags = stringMap(isObject(from) ? from : {});
  for (const [k, v] of Object.entries(parts(map.tags, e))) if (v !== null) tags[k] = v;
  if (ua) tags.userAgent = ua;
  return tags;
}

/** The source endpoint: its IP address, and the geo fields the manifest maps (only those). */
function srcOf(map: ManifestMap, e: Record<string, unknown>): Endpoint {
  const { city, countryCode, latitude, longitude } = map.geo;
  return {
    ...sourceIp(map.srcIp ? text(at(e, map.srcIp)) : null),
    ...(city && { city: text(at(e, city)) }),
    ...(countryCode && { asCountryCode: text(at(e, countryCode)) }),
    ...(latitude && { latitude: numberOf(at(e, latitude)) }),
    ...(longitude && { longitude: numberOf(at(e, longitude)) }),
  };
}

export function manifestNormalizer(m: Manifest): Normalizer {
  const { map } = m;
  const view = viewOf(m);
  const types = typesSchema(map.types);
  const idPath = "path" in map.id ? map.id.path : null;
  const eventKeys = map.isEvent ?? [[...(idPath === null ? [] : [idPath]), map.time.path]];
  return {
    isEvent: (v) => eventKeys.some((keys) => keys.every((k) => at(v, k) !== undefined)),

    async normalize({ value, raw }) {
      const checked = types?.safeParse(value);
      if (checked && !checked.success) return zodFailure(checked.error.issues);
      if (!isObject(value)) return fail("invalid_event", `event: not a ${m.name} event object`);
      const eventID =
        idPath === null ? await sha256Hex(canonicalJson(value)) : text(at(value, idPath));
      if (eventID === null) return fail("invalid_event", `${idPath}: missing (the event id)`);
      const time = eventTime(map, value);
      if (time === null)
        return fail(
          "invalid_time",
          `${map.time.path}: missing or ${map.time.format === "iso" ? TIME_MESSAGE : `not an ${map.time.format} time`}`,
        );
      const eventName = nameOf(map.name, value);
      if (!eventName) return fail("invalid_event", nameMessage(map.name));
      const named = parts(map.actor, value);
      const actor = map.emailFromName
        ? actorMap(named)
        : (Object.fromEntries(Object.entries(named).filter(([, v]) => v)) as Record<
            string,
            string
          >);
      return accepted({
        eventID,
        eventName,
        eventTime: time,
        readOnly: readOnlyOf(map, value, eventName),
        serviceName: m.type,
        src: srcOf(map, value),
        actor,
        tags: tagsOf(map, value, map.userAgent ? text(at(value, map.userAgent)) : null),
        resources: resourcesOf(map, value),
        rawLog: raw,
        sourceFields: Object.fromEntries(
          view.paths.map(([column, p, as]) => {
            const v = at(value, p) ?? null;
            return [column, as === "number" ? numberOf(v) : v];
          }),
        ),
      });
    },
  };
}
