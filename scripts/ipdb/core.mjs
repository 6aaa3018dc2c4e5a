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

export const MAGIC = "AFIP";
export const FORMAT = 1;

const V4_END = (1n << 32n) - 1n;
const V6_END = (1n << 128n) - 1n;

/** One CSV line into fields (RFC 4180 quoting: "a, b" and "" for a quote). */
export function parseCsvLine(line) {
  const out = [];
  let i = 0;
  const n = line.length;
  while (i <= n) {
    if (line[i] === '"') {
      let v = "";
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) throw new Error(`unterminated quote in CSV line: ${line.slice(0, 120)}`);
        v += line.slice(i, q);
        if (line[q + 1] === '"') {
          v += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      out.push(v);
      if (i < n && line[i] !== ",")
        throw new Error(`text after a quoted field: ${line.slice(0, 120)}`);
      i++;
    } else {
      const c = line.indexOf(",", i);
      const end = c < 0 ? n : c;
      out.push(line.slice(i, end));
      i = end + 1;
    }
  }
  return out;
}

function* lines(text) {
  let i = 0;
  while (i < text.length) {
    let j = text.indexOf("\n", i);
    if (j < 0) j = text.length;
    const line = text.slice(i, j).replace(/\r$/, "");
    i = j + 1;
    if (line.trim() !== "" && !line.startsWith("#")) yield line;
  }
}

function bound(s, max, what) {
  if (!/^\d+$/.test(s)) throw new Error(`${what}: not a number: ${s}`);
  const v = BigInt(s);
  if (v > max) throw new Error(`${what}: ${s} is out of range`);
  return v;
}

/**
 * Rows of one `-num.csv` file → ranges { s, e, v } (BigInt bounds, numeric value).
 * `value(fields)` turns a row's remaining fields into a non-zero number (0 skips the row).
 */
export function parseRanges(text, max, value, what) {
  const out = [];
  for (const line of lines(text)) {
    const f = parseCsvLine(line);
    const s = bound(f[0] ?? "", max, what);
    const e = bound(f[1] ?? "", max, what);
    if (e < s) throw new Error(`${what}: range end before start: ${line}`);
    const v = value(f.slice(2));
    if (v !== 0) out.push({ s, e, v });
  }
  return out;
}

// A binary min-heap of range indices: the smallest range on top; of equal sizes, the later row.
class Heap {
  constructor(better) {
    this.a = [];
    this.better = better;
  }
  get size() {
    return this.a.length;
  }
  top() {
    return this.a[0];
  }
  push(x) {
    const a = this.a;
    a.push(x);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.better(a[i], a[p])) break;
      [a[i], a[p]] = [a[p], a[i]];
      i = p;
    }
  }
  pop() {
    const a = this.a;
    const last = a.pop();
    if (a.length === 0) return;
    a[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < a.length && this.better(a[l], a[m])) m = l;
      if (r < a.length && this.better(a[r], a[m])) m = r;
      if (m === i) return;
      [a[i], a[m]] = [a[m], a[i]];
      i = m;
    }
  }
}

const cmpBig = (x, y) => (x < y ? -1 : x > y ? 1 : 0);

/**
 * Possibly nested or overlapping ranges → one value per address: contiguous segments
 * { starts, values } from 0 to max, where the most specific (smallest) range covering an
 * address wins (of equal sizes, the later row), gaps get 0, and equal neighbours are merged.
 */
export function flatten(ranges, max) {
  const order = ranges.map((_, i) => i).sort((x, y) => cmpBig(ranges[x].s, ranges[y].s) || x - y);
  const size = ranges.map((r) => r.e - r.s);
  const heap = new Heap((x, y) => {
    const c = cmpBig(size[x], size[y]);
    return c < 0 || (c === 0 && x > y);
  });
  const points = [0n];
  for (const r of ranges) {
    points.push(r.s);
    if (r.e < max) points.push(r.e + 1n);
  }
  points.sort(cmpBig);
  const starts = [];
  const values = [];
  let j = 0;
  let prev;
  for (const p of points) {
    if (p === prev) continue;
    prev = p;
    while (j < order.length && ranges[order[j]].s === p) heap.push(order[j++]);
    while (heap.size > 0 && ranges[heap.top()].e < p) heap.pop();
    const v = heap.size > 0 ? ranges[heap.top()].v : 0;
    if (values.length > 0 && values[values.length - 1] === v) continue;
    starts.push(p);
    values.push(v);
  }
  return { starts, values };
}

/**
 * Several flattened layers (each covering 0..max) → one segment list whose every segment has
 * one value per layer; neighbours equal in every layer are merged.
 */
export function combine(layers) {
  const idx = layers.map(() => 0);
  const starts = [];
  const values = layers.map(() => []);
  let p = 0n;
  for (;;) {
    const same =
      starts.length > 0 &&
      layers.every((L, k) => values[k][values[k].length - 1] === L.values[idx[k]]);
    if (!same) {
      starts.push(p);
      for (let k = 0; k < layers.length; k++) values[k].push(layers[k].values[idx[k]]);
    }
    let next;
    for (let k = 0; k < layers.length; k++) {
      const n = layers[k].starts[idx[k] + 1];
      if (n !== undefined && (next === undefined || n < next)) next = n;
    }
    if (next === undefined) break;
    p = next;
    for (let k = 0; k < layers.length; k++) if (layers[k].starts[idx[k] + 1] === p) idx[k]++;
  }
  return { starts, values };
}

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
export function buildIpdb(input) {
  assertLittleEndian();
  const names = new Map();
  const asnValue = (what) => (f) => {
    const asn = Number(f[0]);
    if (!Number.isInteger(asn) || asn < 0 || asn > 0xffffffff)
      throw new Error(`${what}: bad AS number ${f[0]}`);
    const org = (f[1] ?? "").trim();
    if (asn !== 0 && org && !names.has(asn)) names.set(asn, org);
    return asn;
  };
  const countryValue = (f) => countryCode(f[0]);

  const cityIndex = new Map();
  const cities = [];
  const cityValue = (what) => (f) => {
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

  const family = (v, max) => {
    const layers = [
      flatten(parseRanges(input.asn[v], max, asnValue(`asn ${v}`), `asn ${v}`), max),
      flatten(parseRanges(input.country[v], max, countryValue, `country ${v}`), max),
    ];
    if (input.city)
      layers.push(
        flatten(parseRanges(input.city[v], max, cityValue(`city ${v}`), `city ${v}`), max),
      );
    return combine(layers);
  };
  const f4 = family("v4", V4_END);
  const f6 = family("v6", V6_END);

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
  if (input.city) {
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

  const TYPES = new Map([
    [Uint8Array, "u8"],
    [Uint16Array, "u16"],
    [Uint32Array, "u32"],
    [Float32Array, "f32"],
  ]);
  const align = (n) => (n + 7) & ~7;
  const header = {
    format: FORMAT,
    version: input.version,
    builtAt: input.builtAt,
    sources: input.sources ?? [],
    counts: {
      v4Segments: v4Starts.length,
      v6Segments: f6.starts.length,
      asns: asnKeys.length,
      cities: cities.length,
    },
    sections: {},
  };
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
  return { bytes: out, header };
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
