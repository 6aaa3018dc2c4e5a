import { AuditflareError } from "../lib/errors";
import { readLimited, TooLargeError } from "../lib/read-limited";
/** Byte-level helpers shared by the push route and the bucket consumer: limits, gzip, UTF-8. */

export class DecodeError extends AuditflareError {
  declare readonly code: "invalid_gzip" | "invalid_deflate" | "invalid_utf8";
}

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Inflates gzip or deflate bytes, bounded (a small bomb must not fill the isolate's memory). */
export async function inflate(
  bytes: Uint8Array,
  format: "gzip" | "deflate",
  maxBytes: number,
): Promise<Uint8Array> {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream(format));
  try {
    return await readLimited(stream, maxBytes);
  } catch (err) {
    if (err instanceof TooLargeError) throw err;
    throw new DecodeError(
      format === "gzip" ? "invalid_gzip" : "invalid_deflate",
      `body is not valid ${format} data (${(err as Error).message})`,
    );
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new DecodeError("invalid_utf8", "body is not valid UTF-8 text");
  }
}

/** Base64 of arbitrary bytes, to keep undecodable input in quarantine. */
export function toBase64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(s);
}
