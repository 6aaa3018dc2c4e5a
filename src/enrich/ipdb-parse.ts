import {
  type CityTable,
  IPDB_FORMAT,
  type Ipdb,
  IpdbFormatError,
  type IpdbHeader,
  MAGIC,
  MAX_IPDB_BYTES,
} from "./ipdb";

/** Parsing and checking an ipdb blob into typed views (the format: scripts/ipdb/core.mjs). */

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
/** The header JSON of a blob (its sections and provenance). */
function readHeaderJson(
  buf: Uint8Array,
  totalBytes: number,
): { json: IpdbHeader & { sections?: Record<string, Section> }; headerLength: number } {
  const headerLength = new DataView(buf.buffer, buf.byteOffset, 16).getUint32(12, true);
  if (16 + headerLength > totalBytes) throw new IpdbFormatError("ipdb header overruns the blob");
  try {
    return {
      json: JSON.parse(new TextDecoder().decode(buf.subarray(16, 16 + headerLength))),
      headerLength,
    };
  } catch {
    throw new IpdbFormatError("ipdb header is not JSON");
  }
}

type SectionView = <T extends SectionType>(
  name: string,
  type: T,
  optional?: boolean,
) => Uint8Array | Uint16Array | Uint32Array | Float32Array | null;

/** Typed views of the blob's sections, each checked to lie inside the blob after the header. */
function sectionViews(
  buf: Uint8Array,
  sections: Record<string, Section>,
  headerLength: number,
  totalBytes: number,
): SectionView {
  return (name, type, optional = false) => {
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
    if (type === "u8") return new Uint8Array(buf.buffer, at, s.length);
    if (type === "u16") return new Uint16Array(buf.buffer, at, s.length);
    if (type === "u32") return new Uint32Array(buf.buffer, at, s.length);
    return new Float32Array(buf.buffer, at, s.length);
  };
}

/** The sections must agree with one another before any lookup trusts them. */
function checkLengths(db: Ipdb): void {
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
  for (let i = 1; i < n4; i++)
    if ((db.v4Starts[i] as number) <= (db.v4Starts[i - 1] as number))
      throw new IpdbFormatError("ipdb IPv4 starts are not sorted");
}

function readCities(view: SectionView): CityTable {
  const cities: CityTable = {
    nameOffsets: view("cityNameOffsets", "u32") as Uint32Array,
    names: view("cityNames", "u8") as Uint8Array,
    lat: view("cityLat", "f32") as Float32Array,
    lon: view("cityLon", "f32") as Float32Array,
  };
  const c = cities.lat.length;
  if (cities.lon.length !== c || cities.nameOffsets.length !== c + 1)
    throw new IpdbFormatError("ipdb city table sections disagree in length");
  return cities;
}

export function parseIpdb(bytes: Uint8Array): Ipdb {
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1)
    throw new IpdbFormatError("the ipdb format is little-endian; this platform is not");
  const { totalBytes } = readPrefix(bytes);
  if (bytes.length !== totalBytes)
    throw new IpdbFormatError(`ipdb blob is ${bytes.length} bytes, its header says ${totalBytes}`);
  // Views need 8-byte-aligned offsets from an aligned base: copy only if the caller's isn't.
  const buf = bytes.byteOffset % 8 === 0 ? bytes : bytes.slice();
  const { json, headerLength } = readHeaderJson(buf, totalBytes);
  const view = sectionViews(buf, json.sections ?? {}, headerLength, totalBytes);
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
  checkLengths(db);
  if (db.v4City || db.v6City) db.cities = readCities(view);
  db.v4Index = topIndex(db.v4Starts.length, (i, h) => (db.v4Starts[i] as number) <= h * 0x10000);
  db.v6Index = topIndex(db.v6Asn.length, (i, h) => {
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
