import { describe, expect, it } from "vitest";
import { sha256Hex } from "../../src/lib/hash";
import {
  sha256Hex128Lines,
  sha256Hex128Sync,
  sha256HexBytes,
  sha256HexSync,
} from "../../src/lib/sha256";

/** The synchronous SHA-256 is WebCrypto's digest, byte for byte. */
describe("sha256HexSync", () => {
  it("matches the FIPS 180-4 examples", () => {
    expect(sha256HexSync("")).toBe(
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    );
    expect(sha256HexSync("abc")).toBe(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
    expect(sha256HexSync("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")).toBe(
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
    );
  });

  it("equals crypto.subtle.digest on every length around the block edges and on random text", async () => {
    const texts: string[] = [];
    for (let n = 0; n <= 200; n++) texts.push("x".repeat(n));
    let seed = 7;
    const rand = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
      return seed;
    };
    const alphabet = ["a", "é", "€", "𝄞", "\ud800", "\udfff", "\u0000", '"', "\n", "日本"];
    for (let i = 0; i < 300; i++) {
      let s = "";
      const len = rand() % 300;
      for (let j = 0; j < len; j++) s += alphabet[rand() % alphabet.length];
      texts.push(s);
    }
    texts.push("z".repeat(100_000), "€".repeat(40_000));
    for (const t of texts) {
      const digest = await sha256Hex(t);
      expect(sha256HexSync(t), JSON.stringify(t.slice(0, 40))).toBe(digest);
      expect(sha256Hex128Sync(t), JSON.stringify(t.slice(0, 40))).toBe(digest.slice(0, 32));
    }
  });

  it("hashes two lines as their joined text, and bytes wherever they are", async () => {
    const parts = ["", "github", "x".repeat(60), "é", "€uro", "\ud800", "𝄞".repeat(30), "a\nb"];
    for (const a of parts)
      for (const b of parts) {
        const digest = await sha256Hex(`${a}\n${b}`);
        expect(sha256Hex128Lines(a, b), JSON.stringify([a, b])).toBe(digest.slice(0, 32));
      }
    const encoder = new TextEncoder();
    for (const t of ["", "abc", "x".repeat(55), "x".repeat(56), "y".repeat(200)]) {
      const digest = await sha256Hex(t);
      const exact = encoder.encode(t); // no room for the padding: hashed from a copy
      expect(sha256HexBytes(exact, exact.length)).toBe(digest);
      const inside = new Uint8Array(t.length + 80); // not at the start of its buffer: a copy
      inside.set(exact, 3);
      expect(sha256HexBytes(inside.subarray(3), exact.length)).toBe(digest);
      const roomy = new Uint8Array(t.length + 72); // room: hashed where it is
      roomy.set(exact);
      expect(sha256HexBytes(roomy, exact.length)).toBe(digest);
    }
  });
});
