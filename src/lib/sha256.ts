/**
 * SHA-256 of text as lowercase hex, synchronously (FIPS 180-4). The same digest as
 * `crypto.subtle.digest("SHA-256", new TextEncoder().encode(text))` (tested on random text, lone
 * surrogates included), without a promise and a trip into the runtime per call: normalizers
 * that hash every event (an event with no id of its own) run at the speed of their reads.
 * Pure; no clock, no I/O.
 */

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

const encoder = new TextEncoder();
const W = new Int32Array(64);
const H = new Int32Array(8);
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
/** The padded message as big-endian 32-bit words, reused between calls (grown when needed). */
let words = new Int32Array(256);
/** UTF-8 bytes of a text with a character beyond ASCII, reused between calls. */
let utf8 = new Uint8Array(1024);

/** The state after `blocks` 64-byte blocks of `M` (from the initial state), into H. */
function compress(M: Int32Array, blocks: number): void {
  let h0 = 0x6a09e667;
  let h1 = 0xbb67ae85 | 0;
  let h2 = 0x3c6ef372;
  let h3 = 0xa54ff53a | 0;
  let h4 = 0x510e527f;
  let h5 = 0x9b05688c | 0;
  let h6 = 0x1f83d9ab;
  let h7 = 0x5be0cd19;
  const end = blocks << 4;
  for (let o = 0; o < end; o += 16) {
    for (let i = 0; i < 16; i++) W[i] = M[o + i] as number;
    for (let i = 16; i < 64; i++) {
      const w15 = W[i - 15] as number;
      const w2 = W[i - 2] as number;
      const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
      const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
      W[i] = ((W[i - 16] as number) + s0 + (W[i - 7] as number) + s1) | 0;
    }
    let a = h0;
    let b = h1;
    let c = h2;
    let d = h3;
    let e = h4;
    let f = h5;
    let g = h6;
    let h = h7;
    for (let i = 0; i < 64; i++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const ch = g ^ (e & (f ^ g));
      const t1 = (h + S1 + ch + (K[i] as number) + (W[i] as number)) | 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const maj = (a & b) | (c & (a | b));
      h = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + S0 + maj) | 0;
    }
    h0 = (h0 + a) | 0;
    h1 = (h1 + b) | 0;
    h2 = (h2 + c) | 0;
    h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0;
    h5 = (h5 + f) | 0;
    h6 = (h6 + g) | 0;
    h7 = (h7 + h) | 0;
  }
  H[0] = h0;
  H[1] = h1;
  H[2] = h2;
  H[3] = h3;
  H[4] = h4;
  H[5] = h5;
  H[6] = h6;
  H[7] = h7;
}

/** `words` with room for a message of `length` bytes and its padding. */
function wordsFor(length: number): Int32Array {
  const need = ((length + 72) >> 6) << 4;
  if (words.length < need) words = new Int32Array(need * 2);
  return words;
}

/**
 * Pads the message whose first `length` bytes fill M (the word holding byte `length` already
 * carries the bytes before it, zero after), hashes it and writes the digest as hex.
 */
function finish(M: Int32Array, length: number): string {
  const last = length >> 2;
  M[last] = (M[last] as number) | (0x80 << (24 - 8 * (length & 3)));
  const blocks = (length + 72) >> 6; // ceil((length + 9) / 64)
  const end = blocks << 4;
  M.fill(0, last + 1, end - 2);
  // The length in bits, big-endian, in the last two words (texts under 2^53 bits).
  const bits = length * 8;
  M[end - 2] = Math.floor(bits / 0x100000000);
  M[end - 1] = bits | 0;
  compress(M, blocks);
  let out = "";
  for (let i = 0; i < 8; i++) {
    const v = H[i] as number;
    out +=
      (HEX[(v >>> 24) & 0xff] as string) +
      (HEX[(v >>> 16) & 0xff] as string) +
      (HEX[(v >>> 8) & 0xff] as string) +
      (HEX[v & 0xff] as string);
  }
  return out;
}

/**
 * The SHA-256 of the first `length` bytes of `bytes`, as 64 lowercase hex digits (for callers
 * that write their message as bytes themselves: src/lib/canonical-json.ts).
 */
export function sha256HexBytes(bytes: Uint8Array, length: number): string {
  const M = wordsFor(length);
  const full = length >> 2;
  for (let i = 0, p = 0; i < full; i++, p += 4)
    M[i] =
      ((bytes[p] as number) << 24) |
      ((bytes[p + 1] as number) << 16) |
      ((bytes[p + 2] as number) << 8) |
      (bytes[p + 3] as number);
  let w = 0;
  for (let p = full << 2, shift = 24; p < length; p++, shift -= 8)
    w |= (bytes[p] as number) << shift;
  M[full] = w;
  return finish(M, length);
}

/** The SHA-256 of `text`'s UTF-8 bytes, as 64 lowercase hex digits. */
export function sha256HexSync(text: string): string {
  // ASCII (ids, canonical JSON of most events) is its own UTF-8: the words are read straight
  // from the character codes, four at a time, with no encoding pass.
  const n = text.length;
  const M = wordsFor(n);
  let w = 0;
  let i = 0;
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x7f) break;
    w = (w << 8) | c;
    if ((i & 3) === 3) {
      M[i >> 2] = w;
      w = 0;
    }
  }
  if (i === n) {
    M[n >> 2] = (n & 3) === 0 ? 0 : w << (8 * (4 - (n & 3)));
    return finish(M, n);
  }
  // UTF-8 takes at most 3 bytes per UTF-16 unit (a lone surrogate becomes U+FFFD, 3 bytes).
  if (utf8.length < n * 3) utf8 = new Uint8Array(n * 6);
  const { written } = encoder.encodeInto(text, utf8);
  return sha256HexBytes(utf8, written ?? 0);
}
