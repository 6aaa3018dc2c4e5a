/**
 * Azure Storage Shared Key authorization (learn.microsoft.com/rest/api/storageservices/authorize-with-shared-key),
 * for the Blob and Queue services, version 2015-02-21 or later: an HMAC-SHA256 (WebCrypto) of
 * the canonical string with the base64-decoded account key. Pure apart from WebCrypto.
 */

/** The standard headers signed by value, in their order (an empty line when absent). */
const SIGNED_HEADERS = [
  "content-encoding",
  "content-language",
  "content-length",
  "content-md5",
  "content-type",
  "date",
  "if-modified-since",
  "if-match",
  "if-none-match",
  "if-unmodified-since",
  "range",
];

const lower = (headers: Record<string, string>) =>
  Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));

/** The x-ms-* headers: lowercase names in order, each value's whitespace runs folded to one space. */
function canonicalHeaders(h: Record<string, string>): string {
  return Object.keys(h)
    .filter((k) => k.startsWith("x-ms-"))
    .sort()
    .map((k) => `${k}:${(h[k] ?? "").replace(/\s+/g, " ").trim()}\n`)
    .join("");
}

/** /<account><path as sent>, then each query parameter (lowercase name, decoded values sorted). */
function canonicalResource(account: string, url: URL): string {
  const params = new Map<string, string[]>();
  for (const [name, value] of url.searchParams) {
    const key = name.toLowerCase();
    params.set(key, [...(params.get(key) ?? []), value]);
  }
  const query = [...params.keys()]
    .sort()
    .map((k) => `\n${k}:${(params.get(k) ?? []).sort().join(",")}`)
    .join("");
  return `/${account}${url.pathname}${query}`;
}

/** The string a Shared Key signature covers. */
export function stringToSign(
  method: string,
  url: URL,
  headers: Record<string, string>,
  account: string,
): string {
  const h = lower(headers);
  const lines = SIGNED_HEADERS.map((name) => {
    const v = h[name] ?? "";
    return name === "content-length" && v === "0" ? "" : v;
  });
  return `${[method.toUpperCase(), ...lines].join("\n")}\n${canonicalHeaders(h)}${canonicalResource(account, url)}`;
}

const keys = new Map<string, Promise<CryptoKey>>();

/** The account key (base64) as an HMAC key, imported once per isolate. */
function hmacKey(accountKey: string): Promise<CryptoKey> {
  let key = keys.get(accountKey);
  if (!key) {
    let raw: Uint8Array;
    try {
      raw = Uint8Array.from(atob(accountKey.trim()), (c) => c.charCodeAt(0));
    } catch {
      throw new Error("the account key is not base64 (copy key1 or key2 of the storage account)");
    }
    key = crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    keys.set(accountKey, key);
  }
  return key;
}

/** The `Authorization` header value: `SharedKey <account>:<base64 HMAC-SHA256>`. */
export async function sharedKey(
  account: string,
  accountKey: string,
  method: string,
  url: URL,
  headers: Record<string, string>,
): Promise<string> {
  const data = new TextEncoder().encode(stringToSign(method, url, headers, account));
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", await hmacKey(accountKey), data));
  return `SharedKey ${account}:${btoa(String.fromCharCode(...mac))}`;
}
