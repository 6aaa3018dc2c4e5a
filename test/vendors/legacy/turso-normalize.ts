import { z } from "zod";
import { canonicalJson } from "../../../src/lib/hash";
import { sha256HexSync } from "../../../src/lib/sha256";
import { parseTimestamp } from "../../../src/lib/time";
import {
  accepted,
  isoTime,
  type Normalizer,
  sourceIp,
  zodFailure,
} from "../../../src/vendors/event";

/**
 * Turso Platform API audit-log entries (docs/sources/turso.md): `code, message, origin, author,
 * created_at, data`, and in practice `ip, city, country_code, latitude, longitude` (strings).
 * Entries have no id: the eventID is the SHA-256 of the entry's canonical JSON.
 */
const tursoEntry = z.looseObject({
  code: z.string().min(1),
  message: z.string().nullish(),
  origin: z.string().nullish(),
  author: z.string().nullish(),
  created_at: isoTime,
  data: z.record(z.string(), z.unknown()).nullish(),
  ip: z.string().nullish(),
  city: z.string().nullish(),
  country_code: z.string().nullish(),
  latitude: z.union([z.string(), z.number()]).nullish(),
  longitude: z.union([z.string(), z.number()]).nullish(),
});

const coordinate = (v: string | number | null | undefined) => {
  if (v === null || v === undefined || v === "") return null;
  const n = typeof v === "number" ? v : Number(v);
  return Number.isFinite(n) ? n : null;
};

const RESOURCE_KEYS = ["database", "db", "name", "group", "organization", "token"] as const;

export const turso: Normalizer = {
  isEvent: (v) => "code" in v && "created_at" in v,

  normalize({ value, raw }) {
    const parsed = tursoEntry.safeParse(value);
    if (!parsed.success) return zodFailure(parsed.error.issues);
    const e = parsed.data;
    const data = e.data ?? {};
    const actor: Record<string, string> = {};
    if (e.author) {
      actor.username = e.author;
      actor.name = e.author;
    }
    const tags: Record<string, string> = {};
    if (e.origin) tags.origin = e.origin;
    if (e.message) tags.message = e.message;
    const resources = RESOURCE_KEYS.flatMap((k) =>
      typeof data[k] === "string" ? [`${k}:${data[k]}`] : [],
    );
    return accepted({
      eventID: sha256HexSync(canonicalJson(value)),
      eventName: e.code,
      eventTime: parseTimestamp(e.created_at) as number,
      readOnly: null,
      serviceName: "turso",
      src: {
        ...sourceIp(e.ip),
        city: e.city ?? null,
        asCountryCode: e.country_code ?? null,
        latitude: coordinate(e.latitude),
        longitude: coordinate(e.longitude),
      },
      actor,
      tags,
      resources,
      rawLog: raw,
      sourceFields: {
        tursoCode: e.code,
        tursoMessage: e.message ?? null,
        tursoOrigin: e.origin ?? null,
        tursoAuthor: e.author ?? null,
        tursoCreatedAt: e.created_at,
        tursoData: e.data ?? null,
        tursoIp: e.ip ?? null,
        tursoCity: e.city ?? null,
        tursoCountryCode: e.country_code ?? null,
        tursoLatitude: coordinate(e.latitude),
        tursoLongitude: coordinate(e.longitude),
      },
    });
  },
};
