/** The gzip container around deflate data (RFC 1952): member headers and the CRC-32 of trailers. */

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (as in gzip) of `data`, continuing from `crc` (start with 0). */
export function crc32(crc: number, data: Uint8Array): number {
  let c = ~crc >>> 0;
  for (let i = 0; i < data.length; i++)
    c = (CRC_TABLE[(c ^ (data[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return ~c >>> 0;
}

/**
 * Length of the gzip member header at the start of `b` (RFC 1952 §2.3), or -1 when `b` ends
 * inside it. Throws on a header that is not gzip.
 */
export function headerLength(b: Uint8Array): number {
  if ((b.length > 0 && b[0] !== 0x1f) || (b.length > 1 && b[1] !== 0x8b))
    throw new Error("data after the gzip stream");
  if (b.length < 10) return -1;
  if (b[2] !== 8) throw new Error(`unknown compression method ${b[2]}`);
  const flags = b[3] as number;
  if (flags & 0xe0) throw new Error("reserved header flags set");
  let at = 10;
  if (flags & 4) {
    if (b.length < at + 2) return -1;
    at += 2 + ((b[at] as number) | ((b[at + 1] as number) << 8));
  }
  for (const flag of [8, 16]) {
    if (!(flags & flag)) continue;
    const zero = b.indexOf(0, at);
    if (zero < 0) return -1;
    at = zero + 1;
  }
  if (flags & 2) at += 2;
  return b.length >= at ? at : -1;
}
