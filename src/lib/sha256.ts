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
const H = new Int32Array(8);
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
/** The padded message as big-endian 32-bit words, reused between calls (grown when needed). */
let words = new Int32Array(256);
/** UTF-8 bytes of a text with a character beyond ASCII, reused between calls. */
let utf8 = new Uint8Array(1024);

/**
 * The state after `blocks` 64-byte blocks of M (big-endian words), from the initial state, into
 * H. The 16 words of the schedule and the 8 of the state live in locals, 16 rounds written out
 * per pass (the state's names rotate instead of its values; after each 16 rounds the next 16
 * words of the schedule replace the last 16 in place): a third faster than a loop over typed
 * arrays. FIPS 180-4's σ/Σ/Ch/Maj are written out too: as functions they were not inlined in
 * a function this size, and cost twice the time.
 */
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
    let w0 = M[o + 0] as number;
    let w1 = M[o + 1] as number;
    let w2 = M[o + 2] as number;
    let w3 = M[o + 3] as number;
    let w4 = M[o + 4] as number;
    let w5 = M[o + 5] as number;
    let w6 = M[o + 6] as number;
    let w7 = M[o + 7] as number;
    let w8 = M[o + 8] as number;
    let w9 = M[o + 9] as number;
    let w10 = M[o + 10] as number;
    let w11 = M[o + 11] as number;
    let w12 = M[o + 12] as number;
    let w13 = M[o + 13] as number;
    let w14 = M[o + 14] as number;
    let w15 = M[o + 15] as number;
    let a = h0;
    let b = h1;
    let c = h2;
    let d = h3;
    let e = h4;
    let f = h5;
    let g = h6;
    let h = h7;
    let t = 0;
    for (let k = 0; k < 64; k += 16) {
      if (k > 0) {
        // w[i] += σ1(w[i-2]) + w[i-7] + σ0(w[i-15]), indices mod 16
        w0 =
          (w0 +
            (((w14 >>> 17) | (w14 << 15)) ^ ((w14 >>> 19) | (w14 << 13)) ^ (w14 >>> 10)) +
            w9 +
            (((w1 >>> 7) | (w1 << 25)) ^ ((w1 >>> 18) | (w1 << 14)) ^ (w1 >>> 3))) |
          0;
        w1 =
          (w1 +
            (((w15 >>> 17) | (w15 << 15)) ^ ((w15 >>> 19) | (w15 << 13)) ^ (w15 >>> 10)) +
            w10 +
            (((w2 >>> 7) | (w2 << 25)) ^ ((w2 >>> 18) | (w2 << 14)) ^ (w2 >>> 3))) |
          0;
        w2 =
          (w2 +
            (((w0 >>> 17) | (w0 << 15)) ^ ((w0 >>> 19) | (w0 << 13)) ^ (w0 >>> 10)) +
            w11 +
            (((w3 >>> 7) | (w3 << 25)) ^ ((w3 >>> 18) | (w3 << 14)) ^ (w3 >>> 3))) |
          0;
        w3 =
          (w3 +
            (((w1 >>> 17) | (w1 << 15)) ^ ((w1 >>> 19) | (w1 << 13)) ^ (w1 >>> 10)) +
            w12 +
            (((w4 >>> 7) | (w4 << 25)) ^ ((w4 >>> 18) | (w4 << 14)) ^ (w4 >>> 3))) |
          0;
        w4 =
          (w4 +
            (((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10)) +
            w13 +
            (((w5 >>> 7) | (w5 << 25)) ^ ((w5 >>> 18) | (w5 << 14)) ^ (w5 >>> 3))) |
          0;
        w5 =
          (w5 +
            (((w3 >>> 17) | (w3 << 15)) ^ ((w3 >>> 19) | (w3 << 13)) ^ (w3 >>> 10)) +
            w14 +
            (((w6 >>> 7) | (w6 << 25)) ^ ((w6 >>> 18) | (w6 << 14)) ^ (w6 >>> 3))) |
          0;
        w6 =
          (w6 +
            (((w4 >>> 17) | (w4 << 15)) ^ ((w4 >>> 19) | (w4 << 13)) ^ (w4 >>> 10)) +
            w15 +
            (((w7 >>> 7) | (w7 << 25)) ^ ((w7 >>> 18) | (w7 << 14)) ^ (w7 >>> 3))) |
          0;
        w7 =
          (w7 +
            (((w5 >>> 17) | (w5 << 15)) ^ ((w5 >>> 19) | (w5 << 13)) ^ (w5 >>> 10)) +
            w0 +
            (((w8 >>> 7) | (w8 << 25)) ^ ((w8 >>> 18) | (w8 << 14)) ^ (w8 >>> 3))) |
          0;
        w8 =
          (w8 +
            (((w6 >>> 17) | (w6 << 15)) ^ ((w6 >>> 19) | (w6 << 13)) ^ (w6 >>> 10)) +
            w1 +
            (((w9 >>> 7) | (w9 << 25)) ^ ((w9 >>> 18) | (w9 << 14)) ^ (w9 >>> 3))) |
          0;
        w9 =
          (w9 +
            (((w7 >>> 17) | (w7 << 15)) ^ ((w7 >>> 19) | (w7 << 13)) ^ (w7 >>> 10)) +
            w2 +
            (((w10 >>> 7) | (w10 << 25)) ^ ((w10 >>> 18) | (w10 << 14)) ^ (w10 >>> 3))) |
          0;
        w10 =
          (w10 +
            (((w8 >>> 17) | (w8 << 15)) ^ ((w8 >>> 19) | (w8 << 13)) ^ (w8 >>> 10)) +
            w3 +
            (((w11 >>> 7) | (w11 << 25)) ^ ((w11 >>> 18) | (w11 << 14)) ^ (w11 >>> 3))) |
          0;
        w11 =
          (w11 +
            (((w9 >>> 17) | (w9 << 15)) ^ ((w9 >>> 19) | (w9 << 13)) ^ (w9 >>> 10)) +
            w4 +
            (((w12 >>> 7) | (w12 << 25)) ^ ((w12 >>> 18) | (w12 << 14)) ^ (w12 >>> 3))) |
          0;
        w12 =
          (w12 +
            (((w10 >>> 17) | (w10 << 15)) ^ ((w10 >>> 19) | (w10 << 13)) ^ (w10 >>> 10)) +
            w5 +
            (((w13 >>> 7) | (w13 << 25)) ^ ((w13 >>> 18) | (w13 << 14)) ^ (w13 >>> 3))) |
          0;
        w13 =
          (w13 +
            (((w11 >>> 17) | (w11 << 15)) ^ ((w11 >>> 19) | (w11 << 13)) ^ (w11 >>> 10)) +
            w6 +
            (((w14 >>> 7) | (w14 << 25)) ^ ((w14 >>> 18) | (w14 << 14)) ^ (w14 >>> 3))) |
          0;
        w14 =
          (w14 +
            (((w12 >>> 17) | (w12 << 15)) ^ ((w12 >>> 19) | (w12 << 13)) ^ (w12 >>> 10)) +
            w7 +
            (((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3))) |
          0;
        w15 =
          (w15 +
            (((w13 >>> 17) | (w13 << 15)) ^ ((w13 >>> 19) | (w13 << 13)) ^ (w13 >>> 10)) +
            w8 +
            (((w0 >>> 7) | (w0 << 25)) ^ ((w0 >>> 18) | (w0 << 14)) ^ (w0 >>> 3))) |
          0;
      }
      // t = h + Σ1(e) + Ch(e, f, g) + K + w; d += t; h = t + Σ0(a) + Maj(a, b, c)
      t =
        (h +
          (((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))) +
          (g ^ (e & (f ^ g))) +
          (K[k + 0] as number) +
          w0) |
        0;
      d = (d + t) | 0;
      h =
        (t +
          (((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))) +
          ((a & b) | (c & (a | b)))) |
        0;
      t =
        (g +
          (((d >>> 6) | (d << 26)) ^ ((d >>> 11) | (d << 21)) ^ ((d >>> 25) | (d << 7))) +
          (f ^ (d & (e ^ f))) +
          (K[k + 1] as number) +
          w1) |
        0;
      c = (c + t) | 0;
      g =
        (t +
          (((h >>> 2) | (h << 30)) ^ ((h >>> 13) | (h << 19)) ^ ((h >>> 22) | (h << 10))) +
          ((h & a) | (b & (h | a)))) |
        0;
      t =
        (f +
          (((c >>> 6) | (c << 26)) ^ ((c >>> 11) | (c << 21)) ^ ((c >>> 25) | (c << 7))) +
          (e ^ (c & (d ^ e))) +
          (K[k + 2] as number) +
          w2) |
        0;
      b = (b + t) | 0;
      f =
        (t +
          (((g >>> 2) | (g << 30)) ^ ((g >>> 13) | (g << 19)) ^ ((g >>> 22) | (g << 10))) +
          ((g & h) | (a & (g | h)))) |
        0;
      t =
        (e +
          (((b >>> 6) | (b << 26)) ^ ((b >>> 11) | (b << 21)) ^ ((b >>> 25) | (b << 7))) +
          (d ^ (b & (c ^ d))) +
          (K[k + 3] as number) +
          w3) |
        0;
      a = (a + t) | 0;
      e =
        (t +
          (((f >>> 2) | (f << 30)) ^ ((f >>> 13) | (f << 19)) ^ ((f >>> 22) | (f << 10))) +
          ((f & g) | (h & (f | g)))) |
        0;
      t =
        (d +
          (((a >>> 6) | (a << 26)) ^ ((a >>> 11) | (a << 21)) ^ ((a >>> 25) | (a << 7))) +
          (c ^ (a & (b ^ c))) +
          (K[k + 4] as number) +
          w4) |
        0;
      h = (h + t) | 0;
      d =
        (t +
          (((e >>> 2) | (e << 30)) ^ ((e >>> 13) | (e << 19)) ^ ((e >>> 22) | (e << 10))) +
          ((e & f) | (g & (e | f)))) |
        0;
      t =
        (c +
          (((h >>> 6) | (h << 26)) ^ ((h >>> 11) | (h << 21)) ^ ((h >>> 25) | (h << 7))) +
          (b ^ (h & (a ^ b))) +
          (K[k + 5] as number) +
          w5) |
        0;
      g = (g + t) | 0;
      c =
        (t +
          (((d >>> 2) | (d << 30)) ^ ((d >>> 13) | (d << 19)) ^ ((d >>> 22) | (d << 10))) +
          ((d & e) | (f & (d | e)))) |
        0;
      t =
        (b +
          (((g >>> 6) | (g << 26)) ^ ((g >>> 11) | (g << 21)) ^ ((g >>> 25) | (g << 7))) +
          (a ^ (g & (h ^ a))) +
          (K[k + 6] as number) +
          w6) |
        0;
      f = (f + t) | 0;
      b =
        (t +
          (((c >>> 2) | (c << 30)) ^ ((c >>> 13) | (c << 19)) ^ ((c >>> 22) | (c << 10))) +
          ((c & d) | (e & (c | d)))) |
        0;
      t =
        (a +
          (((f >>> 6) | (f << 26)) ^ ((f >>> 11) | (f << 21)) ^ ((f >>> 25) | (f << 7))) +
          (h ^ (f & (g ^ h))) +
          (K[k + 7] as number) +
          w7) |
        0;
      e = (e + t) | 0;
      a =
        (t +
          (((b >>> 2) | (b << 30)) ^ ((b >>> 13) | (b << 19)) ^ ((b >>> 22) | (b << 10))) +
          ((b & c) | (d & (b | c)))) |
        0;
      t =
        (h +
          (((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))) +
          (g ^ (e & (f ^ g))) +
          (K[k + 8] as number) +
          w8) |
        0;
      d = (d + t) | 0;
      h =
        (t +
          (((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))) +
          ((a & b) | (c & (a | b)))) |
        0;
      t =
        (g +
          (((d >>> 6) | (d << 26)) ^ ((d >>> 11) | (d << 21)) ^ ((d >>> 25) | (d << 7))) +
          (f ^ (d & (e ^ f))) +
          (K[k + 9] as number) +
          w9) |
        0;
      c = (c + t) | 0;
      g =
        (t +
          (((h >>> 2) | (h << 30)) ^ ((h >>> 13) | (h << 19)) ^ ((h >>> 22) | (h << 10))) +
          ((h & a) | (b & (h | a)))) |
        0;
      t =
        (f +
          (((c >>> 6) | (c << 26)) ^ ((c >>> 11) | (c << 21)) ^ ((c >>> 25) | (c << 7))) +
          (e ^ (c & (d ^ e))) +
          (K[k + 10] as number) +
          w10) |
        0;
      b = (b + t) | 0;
      f =
        (t +
          (((g >>> 2) | (g << 30)) ^ ((g >>> 13) | (g << 19)) ^ ((g >>> 22) | (g << 10))) +
          ((g & h) | (a & (g | h)))) |
        0;
      t =
        (e +
          (((b >>> 6) | (b << 26)) ^ ((b >>> 11) | (b << 21)) ^ ((b >>> 25) | (b << 7))) +
          (d ^ (b & (c ^ d))) +
          (K[k + 11] as number) +
          w11) |
        0;
      a = (a + t) | 0;
      e =
        (t +
          (((f >>> 2) | (f << 30)) ^ ((f >>> 13) | (f << 19)) ^ ((f >>> 22) | (f << 10))) +
          ((f & g) | (h & (f | g)))) |
        0;
      t =
        (d +
          (((a >>> 6) | (a << 26)) ^ ((a >>> 11) | (a << 21)) ^ ((a >>> 25) | (a << 7))) +
          (c ^ (a & (b ^ c))) +
          (K[k + 12] as number) +
          w12) |
        0;
      h = (h + t) | 0;
      d =
        (t +
          (((e >>> 2) | (e << 30)) ^ ((e >>> 13) | (e << 19)) ^ ((e >>> 22) | (e << 10))) +
          ((e & f) | (g & (e | f)))) |
        0;
      t =
        (c +
          (((h >>> 6) | (h << 26)) ^ ((h >>> 11) | (h << 21)) ^ ((h >>> 25) | (h << 7))) +
          (b ^ (h & (a ^ b))) +
          (K[k + 13] as number) +
          w13) |
        0;
      g = (g + t) | 0;
      c =
        (t +
          (((d >>> 2) | (d << 30)) ^ ((d >>> 13) | (d << 19)) ^ ((d >>> 22) | (d << 10))) +
          ((d & e) | (f & (d | e)))) |
        0;
      t =
        (b +
          (((g >>> 6) | (g << 26)) ^ ((g >>> 11) | (g << 21)) ^ ((g >>> 25) | (g << 7))) +
          (a ^ (g & (h ^ a))) +
          (K[k + 14] as number) +
          w14) |
        0;
      f = (f + t) | 0;
      b =
        (t +
          (((c >>> 2) | (c << 30)) ^ ((c >>> 13) | (c << 19)) ^ ((c >>> 22) | (c << 10))) +
          ((c & d) | (e & (c | d)))) |
        0;
      t =
        (a +
          (((f >>> 6) | (f << 26)) ^ ((f >>> 11) | (f << 21)) ^ ((f >>> 25) | (f << 7))) +
          (h ^ (f & (g ^ h))) +
          (K[k + 15] as number) +
          w15) |
        0;
      e = (e + t) | 0;
      a =
        (t +
          (((b >>> 2) | (b << 30)) ^ ((b >>> 13) | (b << 19)) ^ ((b >>> 22) | (b << 10))) +
          ((b & c) | (d & (b | c)))) |
        0;
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
function finish(M: Int32Array, length: number, hexWords = 8): string {
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
  for (let i = 0; i < hexWords; i++) {
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
export const sha256HexBytes = (bytes: Uint8Array, length: number): string =>
  bytesHex(bytes, length, 8);

function bytesHex(bytes: Uint8Array, length: number, hexWords: number): string {
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
  return finish(M, length, hexWords);
}

/** The SHA-256 of `text`'s UTF-8 bytes, as 64 lowercase hex digits. */
export const sha256HexSync = (text: string): string => sha256TextHex(text, 8);

/**
 * The first 128 bits of the SHA-256 of `text`'s UTF-8 bytes, as 32 lowercase hex digits
 * (`sha256HexSync(text).slice(0, 32)`, without writing the other half).
 */
export const sha256Hex128Sync = (text: string): string => sha256TextHex(text, 4);

/** The first `hexWords` 32-bit words of the SHA-256 of `text`'s UTF-8 bytes, as hex. */
function sha256TextHex(text: string, hexWords: number): string {
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
    return finish(M, n, hexWords);
  }
  // UTF-8 takes at most 3 bytes per UTF-16 unit (a lone surrogate becomes U+FFFD, 3 bytes).
  if (utf8.length < n * 3) utf8 = new Uint8Array(n * 6);
  const { written } = encoder.encodeInto(text, utf8);
  return bytesHex(utf8, written ?? 0, hexWords);
}
