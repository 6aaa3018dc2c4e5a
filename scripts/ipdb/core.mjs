// The pure core of `npm run ipdb:build`: CSV text in, one compact binary out. No I/O, no clock,
// no Node APIs, so the Worker tests run this very function on a committed slice of the data.
//
// Blob layout (format 1; every number little-endian; sections 8-byte aligned):
//   0   "AFIP"                      magic
//   4   u32 format                  1
//   8   u32 total byte length       (lets the reader allocate once while decompressing)
//   12  u32 header length H
//   16  H bytes of UTF-8 JSON       { format, version, builtAt, sources, counts, sections }
//   ... sections, each { offset, length (elements), type }:
//       v4Starts u32[n4]            sorted starts of contiguous segments covering 0..2^32-1
//       v4Asn u32[n4]               0 = no AS
//       v4Country u16[n4]           two ASCII letters (c0 << 8 | c1), 0 = unknown
//       v6Starts u32[4*n6]          four words per start, most significant first
//       v6Asn u32[n6], v6Country u16[n6]
//       asnKeys u32[m]              sorted AS numbers that occur above
//       asnNameOffsets u32[m+1]     into asnNames
//       asnNames u8[]               UTF-8 names, concatenated
//     and only when a city CSV was given:
//       v4City u32[n4], v6City u32[n6]     1-based index into the city table, 0 = none
//       cityNameOffsets u32[c+1], cityNames u8[], cityLat f32[c], cityLon f32[c]

import { combine, flatten, parseRanges } from "./ranges.mjs";

export { combine, csvRows, flatten, parseRanges } from "./ranges.mjs";

export const MAGIC = "AFIP";
export const FORMAT = 1;

const V4_END = (1n << 32n) - 1n;
const V6_END = (1n << 128n) - 1n;

/** "US" → 0x5553; anything that is not two letters → 0 (unknown). */
export function countryCode(s) {
  const c = (s ?? "").trim().toUpperCase();
  if (!/^[A-Z]{2}$/.test(c)) return 0;
  return (c.charCodeAt(0) << 8) | c.charCodeAt(1);
}

/** A string dictionary: offsets u32[n+1] into concatenated UTF-8 bytes. */
function dictionary(strings) {
  const enc = new TextEncoder();
  const parts = strings.map((s) => enc.encode(s));
  const offsets = new Uint32Array(parts.length + 1);
  let total = 0;
  parts.forEach((p, i) => {
    offsets[i] = total;
    total += p.length;
  });
  offsets[parts.length] = total;
  const bytes = new Uint8Array(total);
  parts.forEach((p, i) => {
    bytes.set(p, offsets[i]);
  });
  return { offsets, bytes };
}

function assertLittleEndian() {
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1)
    throw new Error("the ipdb format is little-endian; this platform is not");
}

/**
 * Build the blob (uncompressed) from the text of the ip-location-db CSV files.
 *
 * input: {
 *   version: string, builtAt: string (ISO), sources: [{ name, version, license, attribution }],
 *   asn: { v4: text, v6: text },            // start,end,asn,org  (asn-ipv4-num.csv, …)
 *   country: { v4: text, v6: text },        // start,end,country_code
 *   city?: { v4: text, v6: text },          // start,end,country,state1,state2,city,postcode,lat,lon,…
 * }
 * Returns { bytes: Uint8Array, header } where header is the JSON stored in the blob.
 */
/** The row readers of the three CSV kinds; they collect AS names and cities as they go. */
function rowReaders() {
  const names = new Map();
  const asn = (what) => (f) => {
    const n = Number(f[0]);
    if (!Number.isInteger(n) || n < 0 || n > 0xffffffff)
      throw new Error(`${what}: bad AS number ${f[0]}`);
    const org = (f[1] ?? "").trim();
    if (n !== 0 && org && !names.has(n)) names.set(n, org);
    return n;
  };
  const country = () => (f) => countryCode(f[0]);
  const cityIndex = new Map();
  const cities = [];
  const city = (what) => (f) => {
    // country_code, state1, state2, city, postcode, latitude, longitude, timezone
    const name = (f[3] ?? "").trim();
    const lat = f[5] === undefined || f[5] === "" ? Number.NaN : Number(f[5]);
    const lon = f[6] === undefined || f[6] === "" ? Number.NaN : Number(f[6]);
    if (!name && Number.isNaN(lat)) return 0;
    if (Number.isNaN(lat) !== Number.isNaN(lon))
      throw new Error(`${what}: latitude without longitude`);
    const key = `${name}\u0000${lat}\u0000${lon}`;
    let i = cityIndex.get(key);
    if (i === undefined) {
      cities.push({ name, lat, lon });
      i = cities.length;
      cityIndex.set(key, i);
    }
    return i;
  };
  return { names, cities, readers: { asn, country, city } };
}

/** The blob's typed-array sections, in layout order (see the top of this file). */
function sectionsOf(f4, f6, names, cities, withCity) {
  const v4Starts = Uint32Array.from(f4.starts, (s) => Number(s));
  const v6Starts = new Uint32Array(f6.starts.length * 4);
  f6.starts.forEach((s, i) => {
    for (let w = 0; w < 4; w++)
      v6Starts[i * 4 + w] = Number((s >> BigInt(96 - 32 * w)) & 0xffffffffn);
  });
  const used = new Set([...f4.values[0], ...f6.values[0]]);
  used.delete(0);
  const asnKeys = Uint32Array.from([...used].sort((a, b) => a - b));
  const asnDict = dictionary([...asnKeys].map((a) => names.get(a) ?? ""));
  const sections = [
    ["v4Starts", v4Starts],
    ["v4Asn", Uint32Array.from(f4.values[0])],
    ["v4Country", Uint16Array.from(f4.values[1])],
    ["v6Starts", v6Starts],
    ["v6Asn", Uint32Array.from(f6.values[0])],
    ["v6Country", Uint16Array.from(f6.values[1])],
    ["asnKeys", asnKeys],
    ["asnNameOffsets", asnDict.offsets],
    ["asnNames", asnDict.bytes],
  ];
  if (withCity) {
    const cityDict = dictionary(cities.map((c) => c.name));
    sections.push(
      ["v4City", Uint32Array.from(f4.values[2])],
      ["v6City", Uint32Array.from(f6.values[2])],
      ["cityNameOffsets", cityDict.offsets],
      ["cityNames", cityDict.bytes],
      ["cityLat", Float32Array.from(cities, (c) => c.lat)],
      ["cityLon", Float32Array.from(cities, (c) => c.lon)],
    );
  }
  return sections;
}

const TYPES = new Map([
  [Uint8Array, "u8"],
  [Uint16Array, "u16"],
  [Uint32Array, "u32"],
  [Float32Array, "f32"],
]);
const align = (n) => (n + 7) & ~7;

/** Magic, format, lengths, the JSON header (with each section's offset), then the sections. */
function layout(header, sections) {
  // The section offsets depend on the header length, which depends on the offsets' digits:
  // lay out twice with generous room, then pad the JSON with spaces to the reserved length.
  let headerBytes = new Uint8Array(0);
  let reserved = 0;
  for (let pass = 0; pass < 3; pass++) {
    let offset = align(16 + reserved);
    for (const [name, arr] of sections) {
      header.sections[name] = { offset, length: arr.length, type: TYPES.get(arr.constructor) };
      offset = align(offset + arr.byteLength);
    }
    header.totalBytes = offset;
    headerBytes = new TextEncoder().encode(JSON.stringify(header));
    if (headerBytes.length <= reserved) break;
    reserved = headerBytes.length + 64;
  }
  if (headerBytes.length > reserved) throw new Error("ipdb header layout did not converge");
  const out = new Uint8Array(header.totalBytes);
  const dv = new DataView(out.buffer);
  out.set(new TextEncoder().encode(MAGIC), 0);
  dv.setUint32(4, FORMAT, true);
  dv.setUint32(8, header.totalBytes, true);
  dv.setUint32(12, reserved, true);
  out.fill(0x20, 16, 16 + reserved);
  out.set(headerBytes, 16);
  for (const [name, arr] of sections) {
    out.set(
      new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength),
      header.sections[name].offset,
    );
  }
  return out;
}

export function buildIpdb(input) {
  assertLittleEndian();
  const { names, cities, readers } = rowReaders();
  const family = (v, max) => {
    const kinds = input.city ? ["asn", "country", "city"] : ["asn", "country"];
    return combine(
      kinds.map((kind) => {
        const what = `${kind} ${v}`;
        return flatten(parseRanges(input[kind][v], max, readers[kind](what), what), max);
      }),
    );
  };
  const f4 = family("v4", V4_END);
  const f6 = family("v6", V6_END);
  const sections = sectionsOf(f4, f6, names, cities, Boolean(input.city));
  const header = {
    format: FORMAT,
    version: input.version,
    builtAt: input.builtAt,
    sources: input.sources ?? [],
    counts: {
      v4Segments: f4.starts.length,
      v6Segments: f6.starts.length,
      asns: sections.find(([name]) => name === "asnKeys")[1].length,
      cities: cities.length,
    },
    sections: {},
  };
  return { bytes: layout(header, sections), header };
}

/** gzip with the web CompressionStream (Node ≥ 18 and workerd). */
export async function gzip(bytes) {
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** The R2 key of a blob: versioned, so a new build never overwrites the one in use. */
export function blobKey(version) {
  return `ipdb/v${FORMAT}/${version.replace(/[^A-Za-z0-9._+-]/g, "_")}.bin.gz`;
}

/** The R2 key of the pointer object naming the current blob. */
export const POINTER_KEY = "ipdb/current.json";
