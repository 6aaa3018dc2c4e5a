import { canonicalJson, sha256Hex } from "../../lib/hash";
import { accepted, actorMap, type Normalizer, sourceIp, stringMap, TIME_MESSAGE } from "../event";
import { at, fill, readTime, text } from "./paths";
import type { Manifest, ManifestMap } from "./schema";
import { viewOf } from "./view";

/** The normalizer a manifest's `map` and `view` describe (pure, like every normalizer). */

const fail = (code: "invalid_event" | "invalid_time", message: string) =>
  ({ ok: false, code, message }) as const;

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

function nameOf(map: ManifestMap, e: Record<string, unknown>): string | null {
  if (typeof map.name === "string") return text(at(e, map.name));
  const name = fill(map.name.template, (p) => text(at(e, p)));
  return /[^.:_\-/\s]/.test(name) ? name : null;
}

function resourcesOf(map: ManifestMap, e: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const r of map.resources) {
    const v = at(e, r.path);
    const type = r.type ?? (r.typePath ? text(at(e, r.typePath)) : null);
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

const number = (v: unknown) => {
  const n = typeof v === "number" ? v : typeof v === "string" && v !== "" ? Number(v) : NaN;
  return Number.isFinite(n) ? n : null;
};

export function manifestNormalizer(m: Manifest): Normalizer {
  const { map } = m;
  const view = viewOf(m);
  const idPath = "path" in map.id ? map.id.path : null;
  return {
    isEvent: (v) =>
      (idPath === null || at(v, idPath) !== undefined) && at(v, map.time.path) !== undefined,

    async normalize({ value, raw }) {
      if (!isObject(value)) return fail("invalid_event", `event: not a ${m.name} event object`);
      const eventID =
        idPath === null ? await sha256Hex(canonicalJson(value)) : text(at(value, idPath));
      if (eventID === null) return fail("invalid_event", `${idPath}: missing (the event id)`);
      const eventTime = readTime(at(value, map.time.path), map.time.format);
      if (eventTime === null)
        return fail(
          "invalid_time",
          `${map.time.path}: missing or ${map.time.format === "iso" ? TIME_MESSAGE : `not an ${map.time.format} time`}`,
        );
      const eventName = nameOf(map, value);
      if (eventName === null) return fail("invalid_event", "the event name: missing");
      const actor = actorMap(
        Object.fromEntries(Object.entries(map.actor).map(([k, p]) => [k, text(at(value, p))])),
      );
      const tags = stringMap(
        Object.fromEntries(Object.entries(map.tags).map(([k, p]) => [k, at(value, p)])),
      );
      const ua = map.userAgent ? text(at(value, map.userAgent)) : null;
      if (ua) tags.userAgent = ua;
      const geo = map.geo;
      return accepted({
        eventID,
        eventName,
        eventTime,
        readOnly: readOnlyOf(map, value, eventName),
        serviceName: m.type,
        src: {
          ...sourceIp(map.srcIp ? text(at(value, map.srcIp)) : null),
          city: geo.city ? text(at(value, geo.city)) : null,
          asCountryCode: geo.countryCode ? text(at(value, geo.countryCode)) : null,
          latitude: geo.latitude ? number(at(value, geo.latitude)) : null,
          longitude: geo.longitude ? number(at(value, geo.longitude)) : null,
        },
        actor,
        tags,
        resources: resourcesOf(map, value),
        rawLog: raw,
        sourceFields: Object.fromEntries(
          view.paths.map(([column, p]) => [column, at(value, p) ?? null]),
        ),
      });
    },
  };
}
