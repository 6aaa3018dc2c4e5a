import { AuditflareError } from "../lib/errors";
import type { ParsedIP } from "../lib/ip";

/**
 * Reader of the blob written by scripts/ipdb/core.mjs (the layout is documented there): typed
 * views over one buffer, and a binary search per lookup. Pure: no I/O.
 */

const IPDB_FORMAT = 1;
const MAGIC = [0x41, 0x46, 0x49, 0x50]; // "AFIP"
/** Refuse anything larger than this (the Worker has 128 MB; today's blob is ~17 MB). */
const MAX_IPDB_BYTES = 64 * 1024 * 1024;

export class IpdbFormatError extends AuditflareError {
  constructor(message: string) {
    super("ipdb_invalid", message);
  }
}

interface IpdbSource {
  name: string;
  version: string;
  license: string;
  attribution: string;
}

interface IpdbHeader {
  format: number;
  version: string;
  builtAt: string;
  sources: IpdbSource[];
  counts: { v4Segments: number; v6Segments: number; asns: number; cities: number };
}

interface CityTable {
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

type SectionType = "u8" | "u16" | "u32" | "f32";
interface Section {
  offset: number;
  length: number;
  type: SectionType;
}
const WIDTH: Record<SectionType, number> = { u8: 1, u16: 2, u32: 4, f32: 4 };

/** The fixed 16-byte prefix: magic, format, total length, header length. */
export function readPrefix(bytes: Uint8Array): { format: number; totalBytes: number } {
  if (bytes.length < 16 || MAGIC.some((b, i) => bytes[i] !== b))
    throw new IpdbFormatError("not an auditflare ipdb blob (bad magic)");
  const dv = new DataView(bytes.buffer, bytes.byteOffset, 16);
  const format = dv.getUint32(4, true);
  if (format !== IPDB_FORMAT)
    throw new IpdbFormatError(`ipdb format ${format}; this Worker reads format ${IPDB_FORMAT}`);
  const totalBytes = dv.getUint32(8, true);
  if (totalBytes < 16 || totalBytes > MAX_IPDB_BYTES)
    throw new IpdbFormatError(`ipdb blob of ${totalBytes} bytes is out of bounds`);
  return { format, totalBytes };
}

/** Typed-array views over a decompressed blob (no copy); throws IpdbFormatError if malformed. */
export function parseIpdb(bytes: Uint8Array): Ipdb {
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1)
    throw new IpdbFormatError("the ipdb format is little-endian; this platform is not");
  const { totalBytes } = readPrefix(bytes);
  if (bytes.length !== totalBytes)
    throw new IpdbFormatError(`ipdb blob is ${bytes.length} bytes, its header says ${totalBytes}`);
  // Views need 8-byte-aligned offsets from an aligned base: copy only if the caller's isn't.
  const buf = bytes.byteOffset % 8 === 0 ? bytes : bytes.slice();
  const headerLength = new DataView(buf.buffer, buf.byteOffset, 16).getUint32(12, true);
  if (16 + headerLength > totalBytes) throw new IpdbFormatError("ipdb header overruns the blob");
  let json: IpdbHeader & { sections?: Record<string, Section> };
  try {
    json = JSON.parse(new TextDecoder().decode(buf.subarray(16, 16 + headerLength)));
  } catch {
    throw new IpdbFormatError("ipdb header is not JSON");
  }
  const sections = json.sections ?? {};
  const view = <T extends SectionType>(name: string, type: T, optional = false) => {
    const s = sections[name];
    if (!s) {
      if (optional) return null;
      throw new IpdbFormatError(`ipdb section ${name} is missing`);
    }
    const w = WIDTH[type];
    const end = s.offset + s.length * w;
    if (
      s.type !== type ||
      !Number.isInteger(s.offset) ||
      !Number.isInteger(s.length) ||
      s.offset % w !== 0 ||
      s.offset < 16 + headerLength ||
      end > totalBytes
    )
      throw new IpdbFormatError(`ipdb section ${name} is malformed`);
    const at = buf.byteOffset + s.offset;
    switch (type) {
      case "u8":
        return new Uint8Array(buf.buffer, at, s.length);
      case "u16":
        return new Uint16Array(buf.buffer, at, s.length);
      case "u32":
        return new Uint32Array(buf.buffer, at, s.length);
      default:
        return new Float32Array(buf.buffer, at, s.length);
    }
  };
  const u32 = (n: string) => view(n, "u32") as Uint32Array;
  const u16 = (n: string) => view(n, "u16") as Uint16Array;
  const db: Ipdb = {
    header: {
      format: json.format,
      version: String(json.version),
      builtAt: String(json.builtAt),
      sources: Array.isArray(json.sources) ? json.sources : [],
      counts: json.counts,
    },
    byteLength: totalBytes,
    v4Starts: u32("v4Starts"),
    v4Asn: u32("v4Asn"),
    v4Country: u16("v4Country"),
    v4City: view("v4City", "u32", true) as Uint32Array | null,
    v6Starts: u32("v6Starts"),
    v6Asn: u32("v6Asn"),
    v6Country: u16("v6Country"),
    v6City: view("v6City", "u32", true) as Uint32Array | null,
    asnKeys: u32("asnKeys"),
    asnNameOffsets: u32("asnNameOffsets"),
    asnNames: view("asnNames", "u8") as Uint8Array,
    cities: null,
    v4Index: new Uint32Array(0),
    v6Index: new Uint32Array(0),
    nameCache: new Map(),
  };
  const n4 = db.v4Starts.length;
  const n6 = db.v6Asn.length;
  if (
    n4 === 0 ||
    db.v4Starts[0] !== 0 ||
    db.v4Asn.length !== n4 ||
    db.v4Country.length !== n4 ||
    n6 === 0 ||
    db.v6Starts.length !== 4 * n6 ||
    db.v6Country.length !== n6 ||
    db.v6Starts.subarray(0, 4).some((w) => w !== 0) ||
    db.asnNameOffsets.length !== db.asnKeys.length + 1 ||
    (db.v4City !== null && db.v4City.length !== n4) ||
    (db.v6City !== null && db.v6City.length !== n6)
  )
    throw new IpdbFormatError("ipdb sections disagree in length");
  if ((db.asnNameOffsets[db.asnKeys.length] ?? 0) > db.asnNames.length)
    throw new IpdbFormatError("ipdb AS name offsets overrun the names");
  if (db.v4City || db.v6City) {
    const cities: CityTable = {
      nameOffsets: u32("cityNameOffsets"),
      names: view("cityNames", "u8") as Uint8Array,
      lat: view("cityLat", "f32") as Float32Array,
      lon: view("cityLon", "f32") as Float32Array,
    };
    const c = cities.lat.length;
    if (cities.lon.length !== c || cities.nameOffsets.length !== c + 1)
      throw new IpdbFormatError("ipdb city table sections disagree in length");
    db.cities = cities;
  }
  for (let i = 1; i < n4; i++)
    if ((db.v4Starts[i] as number) <= (db.v4Starts[i - 1] as number))
      throw new IpdbFormatError("ipdb IPv4 starts are not sorted");
  db.v4Index = topIndex(n4, (i, h) => (db.v4Starts[i] as number) <= h * 0x10000);
  db.v6Index = topIndex(n6, (i, h) => {
    const w0 = db.v6Starts[i * 4] as number;
    const t = h * 0x10000;
    const s = db.v6Starts;
    return w0 < t || (w0 === t && s[i * 4 + 1] === 0 && s[i * 4 + 2] === 0 && s[i * 4 + 3] === 0);
  });
  return db;
}

/** idx[h] = the last segment i with startsAtOrBefore(i, h); idx[65536] = the last segment. */
function topIndex(n: number, startsAtOrBefore: (i: number, h: number) => boolean): Uint32Array {
  const idx = new Uint32Array(65537);
  let i = 0;
  for (let h = 0; h < 65536; h++) {
    while (i + 1 < n && startsAtOrBefore(i + 1, h)) i++;
    idx[h] = i;
  }
  idx[65536] = n - 1;
  return idx;
}

/**
 * Index of the last IPv4 segment starting at or before n (segment 0 starts at 0), searching
 * segments lo..hi (which must hold the answer).
 */
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
