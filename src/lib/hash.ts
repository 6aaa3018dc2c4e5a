import { sha256Hex128Lines } from "./sha256";

const encoder = new TextEncoder();

function toHex(buf: ArrayBuffer): string {
  const bytes = new Uint8Array(buf);
  let out = "";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}

export async function sha256Hex(data: string | Uint8Array): Promise<string> {
  const bytes = typeof data === "string" ? encoder.encode(data) : data;
  return toHex(await crypto.subtle.digest("SHA-256", bytes));
}

/**
 * JSON with object keys sorted at every level, so the same event hashes the same whatever
 * its key order. Arrays keep their order (order is meaningful in them).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  // One string built in place (no arrays of parts): normalizers hash every event without an id.
  if (Array.isArray(value)) {
    let out = "[";
    for (let i = 0; i < value.length; i++) out += (i === 0 ? "" : ",") + canonicalJson(value[i]);
    return `${out}]`;
  }
  const obj = value as Record<string, unknown>;
  let out = "{";
  for (const k of Object.keys(obj).sort()) {
    const v = obj[k];
    if (v === undefined) continue;
    out += `${out.length === 1 ? "" : ","}${JSON.stringify(k)}:${canonicalJson(v)}`;
  }
  return `${out}}`;
}

/** Any UTF-16 surrogate, paired or not (a native scan: most text has none, and is done). */
const SURROGATE = /[\ud800-\udfff]/;

/** True when `s` holds a UTF-16 surrogate without its pair (JSON's `"\ud800"` parses to one). */
function hasLoneSurrogate(s: string): boolean {
  if (!SURROGATE.test(s)) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    const next = s.charCodeAt(i + 1);
    if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) i++;
    else return true;
  }
  return false;
}

const MARK = "\uffff";

/**
 * Text that UTF-8 can carry, one-to-one: well-formed text stays as it is (so ids do not change),
 * text with lone surrogates becomes MARK + its JSON (which escapes them). UTF-8 would turn every
 * lone surrogate into U+FFFD and make `sur-\ud800` and `sur-\udbff` one event.
 */
function injectiveText(s: string): string {
  return hasLoneSurrogate(s) || s.startsWith(MARK) ? `${MARK}${JSON.stringify(s)}` : s;
}

/**
 * A text column's stored form: lone surrogates written as `\uXXXX` escapes, so what is stored
 * round-trips through D1 (the row's rawLog keeps the original text exactly).
 */
export function storableText(s: string): string {
  if (!hasLoneSurrogate(s)) return s;
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const next = s.charCodeAt(i + 1);
    if (c >= 0xd800 && c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      out += s.slice(i, i + 2);
      i++;
    } else if (c >= 0xd800 && c <= 0xdfff) out += `\\u${c.toString(16)}`;
    else out += s[i];
  }
  return out;
}

/**
 * The stored row id: deterministic in (sourceID, eventID), 128 bits of SHA-256 as hex. Hashed
 * synchronously (src/lib/sha256.ts, equal to WebCrypto's digest): one per stored event, where
 * an awaited `crypto.subtle.digest` per event cost more than the hash itself.
 */
export function rowId(sourceID: string, eventID: string): string {
  return sha256Hex128Lines(sourceID, injectiveText(eventID));
}

const sha256 = (s: string) => crypto.subtle.digest("SHA-256", encoder.encode(s));

/**
 * The SHA-256 of each configured secret a token was compared with, by the secret's value (a
 * rotated secret is another key): a request hashes only the token it presents. One entry per
 * admin, query or ingest secret in use; cleared past 64 all the same.
 */
const secretDigests = new Map<string, Promise<ArrayBuffer>>();
function secretDigest(secret: string): Promise<ArrayBuffer> {
  let d = secretDigests.get(secret);
  if (!d) {
    if (secretDigests.size >= 64) secretDigests.clear();
    d = sha256(secret);
    secretDigests.set(secret, d);
  }
  return d;
}

/**
 * Compares a presented token with a configured secret in constant time (hashing first makes
 * the length irrelevant too; neither the length nor any prefix shows).
 */
export async function timingSafeEqualStrings(token: string, secret: string): Promise<boolean> {
  const [ha, hb] = await Promise.all([sha256(token), secretDigest(secret)]);
  return crypto.subtle.timingSafeEqual(ha, hb);
}
