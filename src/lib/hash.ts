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
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(",")}}`;
}

/** The stored row id: deterministic in (sourceID, eventID), 128 bits of SHA-256 as hex. */
export async function rowId(sourceID: string, eventID: string): Promise<string> {
  return (await sha256Hex(`${sourceID}\n${eventID}`)).slice(0, 32);
}

/** Compares two secrets in constant time (hashing first makes the length irrelevant too). */
export async function timingSafeEqualStrings(a: string, b: string): Promise<boolean> {
  const [ha, hb] = await Promise.all([
    crypto.subtle.digest("SHA-256", encoder.encode(a)),
    crypto.subtle.digest("SHA-256", encoder.encode(b)),
  ]);
  return crypto.subtle.timingSafeEqual(ha, hb);
}

/**
 * The table key of a row: the first 63 bits of its id, as a decimal string (exact: a JS number
 * cannot hold 63 bits, so SQL CASTs it). The rowid itself then deduplicates.
 */
export function ridOf(id: string): string {
  return (BigInt(`0x${id.slice(0, 16)}`) >> 1n).toString();
}
