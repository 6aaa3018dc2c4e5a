import { sha256HexBytes } from "./sha256";

/**
 * `sha256HexSync(canonicalJson(value))` (src/lib/hash.ts), without building the text: the
 * canonical JSON is written as UTF-8 bytes straight into one reused buffer, then hashed. The id
 * of every event that has none of its own (Turbopuffer's) is this hash, so it runs once per
 * event; the text it stands for was a few hundred strings concatenated and encoded again.
 * Equal to the reference byte for byte (test/lib/canonical-json.unit.test.ts): keys sorted by
 * UTF-16 code units at every level, `undefined` members left out, strings escaped as
 * JSON.stringify escapes them (lone surrogates as `\udxxx`), every other value as
 * JSON.stringify writes it. Pure; no clock, no I/O.
 */

let buf = new Uint8Array(4096);
let pos = 0;

/** Room for `n` more bytes. */
function reserve(n: number): void {
  if (pos + n <= buf.length) return;
  const grown = new Uint8Array(Math.max(buf.length * 2, pos + n));
  grown.set(buf.subarray(0, pos));
  buf = grown;
}

const HEX = "0123456789abcdef";

/** `\u` + four lowercase hex digits at `p`, as JSON.stringify writes an escaped code unit. */
function writeEscape(b: Uint8Array, p: number, c: number): number {
  b[p] = 0x5c;
  b[p + 1] = 0x75;
  b[p + 2] = HEX.charCodeAt((c >> 12) & 15);
  b[p + 3] = HEX.charCodeAt((c >> 8) & 15);
  b[p + 4] = HEX.charCodeAt((c >> 4) & 15);
  b[p + 5] = HEX.charCodeAt(c & 15);
  return p + 6;
}

/** The short escapes of JSON.stringify, by code unit (0: none). */
const SHORT = new Uint8Array(0x80);
SHORT[0x08] = 0x62; // \b
SHORT[0x09] = 0x74; // \t
SHORT[0x0a] = 0x6e; // \n
SHORT[0x0c] = 0x66; // \f
SHORT[0x0d] = 0x72; // \r
SHORT[0x22] = 0x22; // \"
SHORT[0x5c] = 0x5c; // \\

/** JSON.stringify(s), as UTF-8. */
function writeString(s: string): void {
  const n = s.length;
  // A code unit takes at most 6 bytes (an escape); + the quotes.
  reserve(n * 6 + 2);
  // The buffer and the position in locals (not the module's bindings) for the loop.
  const b = buf;
  let p = pos;
  b[p++] = 0x22;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      if (c >= 0x20 && c !== 0x22 && c !== 0x5c) b[p++] = c;
      else {
        const short = SHORT[c] as number;
        if (short !== 0) {
          b[p++] = 0x5c;
          b[p++] = short;
        } else p = writeEscape(b, p, c);
      }
    } else if (c < 0x800) {
      b[p++] = 0xc0 | (c >> 6);
      b[p++] = 0x80 | (c & 63);
    } else if (c < 0xd800 || c > 0xdfff) {
      b[p++] = 0xe0 | (c >> 12);
      b[p++] = 0x80 | ((c >> 6) & 63);
      b[p++] = 0x80 | (c & 63);
    } else {
      const next = i + 1 < n ? s.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        const cp = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
        b[p++] = 0xf0 | (cp >> 18);
        b[p++] = 0x80 | ((cp >> 12) & 63);
        b[p++] = 0x80 | ((cp >> 6) & 63);
        b[p++] = 0x80 | (cp & 63);
        i++;
      } else p = writeEscape(b, p, c); // a lone surrogate: JSON.stringify escapes it
    }
  }
  b[p++] = 0x22;
  pos = p;
}

/** One ASCII byte. */
function writeByte(c: number): void {
  reserve(1);
  buf[pos++] = c;
}

/** ASCII text as it is (numbers, `null`, `true`, `false`). */
function writeAscii(s: string): void {
  reserve(s.length);
  const b = buf;
  let p = pos;
  for (let i = 0; i < s.length; i++) b[p++] = s.charCodeAt(i);
  pos = p;
}

const encoder = new TextEncoder();

/** Any text as UTF-8, unescaped. */
function writeText(s: string): void {
  reserve(s.length * 3);
  pos += encoder.encodeInto(s, buf.subarray(pos)).written ?? 0;
}

/**
 * Keys in the order `.sort()` gives (UTF-16 code units, which `>` compares too). An event's
 * objects have a handful of keys, often in order already: an insertion sort in place, one pass
 * when they are sorted, a fraction of `.sort()`'s cost when not (its comparator calls per
 * pair); `.sort()` itself for a large object.
 */
function sortKeys(keys: string[]): void {
  const n = keys.length;
  if (n > 32) {
    keys.sort();
    return;
  }
  for (let i = 1; i < n; i++) {
    const k = keys[i] as string;
    let j = i - 1;
    if ((keys[j] as string) <= k) continue;
    while (j >= 0 && (keys[j] as string) > k) {
      keys[j + 1] = keys[j] as string;
      j--;
    }
    keys[j + 1] = k;
  }
}

/** A key sequence met before, and the same keys sorted, with their `"key":` bytes. */
interface Order {
  keys: string[];
  sorted: string[];
  heads: Uint8Array[];
}

/**
 * The `"key":` bytes of the keys the last `sorted` call gave, in order, when it met them before
 * (null: they are written). Copied instead of written as strings, character by character: a
 * Turso entry's 13 keys, its canonical JSON hash 1,465 -> 1,345 ns (Node).
 */
let heads: Uint8Array[] | null = null;

/** `"key":` as the writer writes it (at the end of the buffer, which it leaves as it was). */
function headOf(k: string): Uint8Array {
  const at = pos;
  writeString(k);
  writeByte(0x3a); // :
  const head = buf.slice(at, pos);
  pos = at;
  return head;
}

/**
 * The sorted key sequences met, by first key. The events of a vendor repeat a few object shapes
 * (their top level, their `actor`, their `data`), each with its keys in the same order: one
 * comparison of the keys with a sequence met before (the same strings, most often the very same
 * ones, compared by identity first) replaces a sort's string comparisons. Bounded: a few
 * sequences per first key, and cleared when it holds too many first keys.
 */
const ORDERS = new Map<string, Order[]>();
const ORDERS_PER_KEY = 4;
const ORDERS_MAX = 1024;

/** `keys` (an object's, which it may reorder) in sorted order. */
function sorted(keys: string[]): string[] {
  heads = null;
  const n = keys.length;
  if (n < 2) return keys;
  const first = keys[0] as string;
  let orders = ORDERS.get(first);
  if (orders !== undefined) {
    for (let o = 0; o < orders.length; o++) {
      const order = orders[o] as Order;
      const known = order.keys;
      if (known.length !== n) continue;
      let i = 1;
      while (i < n && known[i] === keys[i]) i++;
      if (i === n) {
        heads = order.heads;
        return order.sorted;
      }
    }
  } else {
    if (ORDERS.size >= ORDERS_MAX) ORDERS.clear();
    orders = [];
    ORDERS.set(first, orders);
  }
  if (n > 32) {
    keys.sort(); // a large object: not kept
    return keys;
  }
  const order = { keys: keys.slice(), sorted: keys, heads: [] as Uint8Array[] };
  sortKeys(keys);
  for (const k of keys) order.heads.push(headOf(k));
  if (orders.length >= ORDERS_PER_KEY) orders.shift();
  orders.push(order);
  return keys;
}

function write(value: unknown): void {
  if (typeof value === "string") writeString(value);
  else if (value === null) writeAscii("null");
  else if (typeof value === "number") writeAscii(Number.isFinite(value) ? String(value) : "null");
  else if (typeof value === "boolean") writeAscii(value ? "true" : "false");
  // undefined, a function, a symbol: "null"; a bigint throws, as JSON.stringify does.
  else if (typeof value !== "object") writeText(JSON.stringify(value) ?? "null");
  else if (Array.isArray(value)) writeArray(value);
  else writeObject(value as Record<string, unknown>);
}

function writeArray(value: unknown[]): void {
  writeByte(0x5b); // [
  for (let i = 0; i < value.length; i++) {
    if (i > 0) writeByte(0x2c); // ,
    write(value[i]);
  }
  writeByte(0x5d); // ]
}

function writeObject(obj: Record<string, unknown>): void {
  const keys = sorted(Object.keys(obj));
  const h = heads; // (the writes of the members' values set it anew)
  writeByte(0x7b); // {
  let first = true;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    const v = obj[k];
    if (v === undefined) continue;
    if (!first) writeByte(0x2c); // ,
    first = false;
    if (h === null) {
      writeString(k);
      writeByte(0x3a); // :
    } else {
      const head = h[i] as Uint8Array;
      const n = head.length;
      reserve(n);
      const b = buf;
      const p = pos;
      for (let j = 0; j < n; j++) b[p + j] = head[j] as number;
      pos = p + n;
    }
    write(v);
  }
  writeByte(0x7d); // }
}

/** The SHA-256 (hex) of the canonical JSON of `value`: `sha256HexSync(canonicalJson(value))`. */
export function canonicalJsonSha256(value: unknown): string {
  pos = 0;
  write(value);
  reserve(72); // room for the padding, written in place
  return sha256HexBytes(buf, pos);
}

/** The canonical JSON's UTF-8 bytes (a copy), for the tests. */
export function canonicalJsonBytes(value: unknown): Uint8Array {
  pos = 0;
  write(value);
  return buf.slice(0, pos);
}
