import { AuditflareError } from "../lib/errors";
import type { ParsedIP } from "../lib/ip";

/**
 * Reader of the blob written by scripts/ipdb/core.mjs (the layout is documented there): typed
 * views over one buffer, and a binary search per lookup. Pure: no I/O.
 */

export const IPDB_FORMAT = 1;
export const MAGIC = [0x41, 0x46, 0x49, 0x50]; // "AFIP"
/** Refuse anything larger than this (the Worker has 128 MB; today's blob is ~17 MB). */
export const MAX_IPDB_BYTES = 64 * 1024 * 1024;

export class IpdbFormatError extends AuditflareError {
  constructor(message: string) {
    super("ipdb_invalid", message);
  }
}

export interface IpdbSource {
  name: string;
  version: string;
  license: string;
  attribution: string;
}

export interface IpdbHeader {
  format: number;
  version: string;
  builtAt: string;
  sources: IpdbSource[];
  counts: { v4Segments: number; v6Segments: number; asns: number; cities: number };
}

export interface CityTable {
  nameOffsets: Uint32Array;
  names: Uint8Array;
  lat: Float32Array;
  lon: Float32Array;
}

export interface Ipdb {
  header: IpdbHeader;
  /** Size of the decompressed blob (what the views cover). */
  byteLength: number;
  v4Starts: Uint32Array;
  v4Asn: Uint32Array;
  v4Country: Uint16Array;
  v4City: Uint32Array | null;
  v6Starts: Uint32Array;
  v6Asn: Uint32Array;
  v6Country: Uint16Array;
  v6City: Uint32Array | null;
  asnKeys: Uint32Array;
  asnNameOffsets: Uint32Array;
  asnNames: Uint8Array;
  cities: CityTable | null;
  /**
   * First-level indexes by the top 16 bits of the address (of the first word for IPv6):
   * entry h is the segment holding the first address of that /16, so a lookup only
   * binary-searches between entries h and h+1 (a handful of steps instead of twenty).
   */
  v4Index: Uint32Array;
  v6Index: Uint32Array;
  /** Decoded AS names (bounded; names are decoded on first use). */
  nameCache: Map<number, string>;
}

/** What the database says about one address; fields it has no data for are null. */
export interface IpInfo {
  asNumber: number | null;
  asOrganization: string | null;
  countryCode: string | null;
  city: string | null;
  latitude: number | null;
  longitude: number | null;
}

function findV4(starts: Uint32Array, n: number, lo = 0, hi = starts.length - 1): number {
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if ((starts[mid] as number) <= n) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Index of the last IPv6 segment starting at or before w (four words, most significant first). */
function findV6(
  starts: Uint32Array,
  w: readonly [number, number, number, number],
  lo = 0,
  hi = starts.length / 4 - 1,
): number {
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    const b = mid * 4;
    let le = true;
    for (let k = 0; k < 4; k++) {
      const s = starts[b + k] as number;
      const x = w[k] as number;
      if (s !== x) {
        le = s < x;
        break;
      }
    }
    if (le) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

const decoder = new TextDecoder();
// Above the ~91k AS names of today's data, so the cache never thrashes; at worst every name
// is decoded once (a few MB of strings next to the ~17 MB blob).
const NAME_CACHE_MAX = 131_072;

function decodeSlice(offsets: Uint32Array, bytes: Uint8Array, i: number): string {
  return decoder.decode(bytes.subarray(offsets[i] ?? 0, offsets[i + 1] ?? 0));
}

/** The organization name of an AS number, or null if the dictionary has none. */
function asName(db: Ipdb, asn: number): string | null {
  const cached = db.nameCache.get(asn);
  if (cached !== undefined) return cached || null;
  const keys = db.asnKeys;
  let lo = 0;
  let hi = keys.length - 1;
  let name = "";
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const k = keys[mid] as number;
    if (k === asn) {
      name = decodeSlice(db.asnNameOffsets, db.asnNames, mid);
      break;
    }
    if (k < asn) lo = mid + 1;
    else hi = mid - 1;
  }
  if (db.nameCache.size >= NAME_CACHE_MAX) db.nameCache.clear();
  db.nameCache.set(asn, name);
  return name || null;
}

/**
 * Look an address up (the caller has unmapped IPv4-mapped IPv6 and excluded special-purpose
 * ranges). Null when the database knows nothing about it.
 */
export function lookupIp(db: Ipdb, ip: ParsedIP): IpInfo | null {
  let asn: number;
  let country: number;
  let city: number;
  if (ip.v === 4) {
    const h = ip.n >>> 16;
    const i = findV4(db.v4Starts, ip.n, db.v4Index[h], db.v4Index[h + 1]);
    asn = db.v4Asn[i] as number;
    country = db.v4Country[i] as number;
    city = db.v4City ? (db.v4City[i] as number) : 0;
  } else {
    const h = ip.w[0] >>> 16;
    const i = findV6(db.v6Starts, ip.w, db.v6Index[h], db.v6Index[h + 1]);
    asn = db.v6Asn[i] as number;
    country = db.v6Country[i] as number;
    city = db.v6City ? (db.v6City[i] as number) : 0;
  }
  if (asn === 0 && country === 0 && city === 0) return null;
  const info: IpInfo = {
    asNumber: asn === 0 ? null : asn,
    asOrganization: asn === 0 ? null : asName(db, asn),
    countryCode: country === 0 ? null : String.fromCharCode(country >> 8, country & 0xff),
    city: null,
    latitude: null,
    longitude: null,
  };
  const t = db.cities;
  if (city !== 0 && t && city <= t.lat.length) {
    info.city = decodeSlice(t.nameOffsets, t.names, city - 1) || null;
    const lat = t.lat[city - 1] as number;
    const lon = t.lon[city - 1] as number;
    if (!Number.isNaN(lat) && !Number.isNaN(lon)) {
      // f32 storage: round back to the 4 decimals (~11 m) the CSVs carry.
      info.latitude = Math.round(lat * 1e4) / 1e4;
      info.longitude = Math.round(lon * 1e4) / 1e4;
    }
  }
  return info;
}
