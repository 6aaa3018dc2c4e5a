import { describe, expect, it } from "vitest";
import { canonicalJsonBytes, canonicalJsonSha256 } from "../../src/lib/canonical-json";
import { canonicalJson } from "../../src/lib/hash";
import { sha256HexSync } from "../../src/lib/sha256";

/** The reference: the canonical JSON text (src/lib/hash.ts), encoded and hashed. */
const reference = (v: unknown) => sha256HexSync(canonicalJson(v));
const text = (v: unknown) => new TextDecoder().decode(canonicalJsonBytes(v));

let seed = 11;
const rand = (n: number) => {
  seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
  return seed % n;
};
const ALPHABET = [
  "a",
  "Z",
  "é",
  "€",
  "𝄞",
  "\ud800",
  "\udbff",
  "\udc00",
  "\udfff",
  "\u0000",
  "\u0001",
  "\u001f",
  "\u007f",
  "\u2028",
  "\b",
  "\t",
  "\n",
  "\f",
  "\r",
  '"',
  "\\",
  "/",
  "日本",
  " ",
];
const randomText = (max: number) => {
  let s = "";
  const len = rand(max);
  for (let i = 0; i < len; i++) s += ALPHABET[rand(ALPHABET.length)];
  return s;
};
const NUMBERS = [0, -0, 1, -1, 1.5, 1e21, 1e-7, 123456789012345680000, Number.MAX_VALUE, 5e-324];
function randomValue(depth: number): unknown {
  const kind = rand(depth > 3 ? 5 : 8);
  if (kind === 0) return null;
  if (kind === 1) return rand(2) === 0;
  if (kind === 2) return NUMBERS[rand(NUMBERS.length)];
  if (kind === 3) return rand(1000) - 500;
  if (kind === 4) return randomText(20);
  if (kind === 5) return Array.from({ length: rand(4) }, () => randomValue(depth + 1));
  const obj: Record<string, unknown> = {};
  for (let i = rand(6); i > 0; i--) obj[randomText(6)] = randomValue(depth + 1);
  return obj;
}

describe("canonicalJsonSha256", () => {
  it("writes the canonical JSON text of the reference, byte for byte", () => {
    const cases: unknown[] = [
      null,
      true,
      false,
      0,
      -0,
      1e21,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      "",
      "plain",
      'quote " and \\ backslash',
      "\u0000\u0001\u0008\u0009\u000a\u000b\u000c\u000d\u001e\u001f\u007f",
      "lone \ud800 and \udfff, pair 𝄞, reversed \udc00\ud800",
      "\ud800",
      "ends high \udbff",
      [],
      {},
      [1, "two", null, [3], { b: 1, a: 2 }],
      { b: 1, a: { d: [1, { z: 0, y: 1 }], c: undefined }, "": "empty key" },
      { "10": "x", "9": "y", b: "z", B: "w", é: 1, e: 2, "𝄞": 3, "\uffff": 4 },
      { undef: undefined, fn: () => 1, list: [undefined, () => 1, Symbol("s")] },
      [undefined],
      { "k\ud800": "lone surrogate key", 'q"': 1, "\n": 2 },
      { __proto__: null, x: 1 },
      // Key order in the object does not matter.
      JSON.parse('{"z":1,"a":{"y":2,"b":[{"d":1,"c":2}]}}'),
      JSON.parse('{"__proto__":{"a":1},"b":2}'),
      // Keys sorted in place: many of them in reverse, past the insertion sort's 32 (`.sort()`),
      // and a shuffled score of them below it.
      Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${99 - i}`, i])),
      Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${(i * 7) % 20}`, i])),
    ];
    for (const v of cases) {
      expect(text(v), String(canonicalJson(v))).toBe(canonicalJson(v));
      expect(canonicalJsonSha256(v)).toBe(reference(v));
    }
  });

  it("equals the reference on random JSON values", () => {
    for (let i = 0; i < 3000; i++) {
      const v = randomValue(0);
      expect(canonicalJsonSha256(v), canonicalJson(v)).toBe(reference(v));
    }
  });

  it("grows its buffer for a large value and hashes it like the reference", () => {
    const big = {
      long: "€".repeat(50_000),
      list: Array.from({ length: 2000 }, (_, i) => ({ i, s: `x${i}` })),
    };
    expect(canonicalJsonSha256(big)).toBe(reference(big));
    // and a small one after it, from the start of the buffer again
    expect(canonicalJsonSha256({ a: 1 })).toBe(reference({ a: 1 }));
  });

  it("throws on a bigint, as JSON.stringify does", () => {
    expect(() => canonicalJson({ n: 1n })).toThrow(TypeError);
    expect(() => canonicalJsonSha256({ n: 1n })).toThrow(TypeError);
    expect(canonicalJsonSha256({ a: 1 })).toBe(reference({ a: 1 }));
  });
});
