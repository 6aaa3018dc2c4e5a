/**
 * Short-lived signed URLs for archive objects (issue 28, SQL over the archive): DuckDB-WASM in
 * the explorer reads Parquet by HTTP range requests and cannot set an Authorization header, so
 * GET /v1/archive/urls (query token) hands out one URL per object, each naming its key and an
 * expiry and carrying an HMAC-SHA256 over both. The key signing them is derived from
 * QUERY_API_TOKEN (rotating the token revokes every URL). Verification is HMAC `verify` (WebCrypto,
 * constant time); a URL reads only its one object, only until it expires. Pure: no I/O, the clock
 * is a parameter.
 */

export const URL_TTL_MS = 15 * 60_000;
const enc = new TextEncoder();

async function signingKey(queryToken: string): Promise<CryptoKey> {
  const root = await crypto.subtle.importKey(
    "raw",
    enc.encode(queryToken),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const derived = await crypto.subtle.sign("HMAC", root, enc.encode("auditflare archive url v1"));
  return crypto.subtle.importKey("raw", derived, { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
    "verify",
  ]);
}

const message = (key: string, expires: number) => enc.encode(`${key}\n${expires}`);
const hex = (b: ArrayBuffer) =>
  [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, "0")).join("");

export async function signObject(queryToken: string, key: string, expires: number) {
  const sig = await crypto.subtle.sign("HMAC", await signingKey(queryToken), message(key, expires));
  return hex(sig);
}

/** Whether `sig` signs (key, expires) and `expires` is in the future (and within the TTL). */
export async function verifyObject(
  queryToken: string,
  key: string,
  expires: number,
  sig: string,
  now: number,
): Promise<boolean> {
  if (!Number.isSafeInteger(expires) || expires <= now || expires > now + URL_TTL_MS) return false;
  if (!/^[0-9a-f]{64}$/.test(sig)) return false;
  const bytes = new Uint8Array(32);
  for (let i = 0; i < 32; i++) bytes[i] = Number.parseInt(sig.slice(i * 2, i * 2 + 2), 16);
  return crypto.subtle.verify("HMAC", await signingKey(queryToken), bytes, message(key, expires));
}

/** The archive's object keys (src/archive/job.ts archiveKey): nothing else can be signed or read. */
export const ARCHIVE_KEY =
  /^archive\/v1\/source=[^/]+\/date=\d{4}-\d{2}-\d{2}\/hour=\d{2}\/[^/]+-\d{10}-\d+\.parquet$/;
