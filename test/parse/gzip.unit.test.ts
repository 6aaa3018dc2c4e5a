import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Gunzip, type InflatePoint, POINT_SPAN } from "../../src/parse/gzip";
import { gzip } from "./helpers";

/** ~5 MB of NDJSON-like text that compresses like real audit files (several deflate blocks). */
function sample(lines: number): string {
  let seed = 7;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed;
  };
  return Array.from({ length: lines }, (_, i) =>
    JSON.stringify({
      id: `ev-${i}`,
      actor: `user${rnd() % 500}@acme.com`,
      n: rnd().toString(36),
      é: "ü",
    }),
  ).join("\n");
}

function run(
  bytes: Uint8Array,
  sizes: number[],
  opts: ConstructorParameters<typeof Gunzip>[1] = {},
) {
  const parts: Uint8Array[] = [];
  const g = new Gunzip((b) => parts.push(b.slice()), opts);
  for (let at = 0, k = 0; at < bytes.length; k++) {
    const size = sizes[k % sizes.length] as number;
    g.push(bytes.subarray(at, at + size));
    at += size;
  }
  g.end();
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return { text: new TextDecoder().decode(out), error: g.error };
}

describe("gunzip (pako raw inflate + the gzip container)", () => {
  const text = sample(60_000);
  let file: Uint8Array;

  it("inflates any chunking of a whole file, with no error", async () => {
    file = await gzip(text);
    // Chunkings of a ~0.6 MB file (several deflate blocks; 1-byte chunks split every header and
    // block boundary): the 5 MB one would take a minute on a loaded machine for the same cases.
    const small = text.slice(0, text.indexOf("\n", 600_000));
    const smallFile = await gzip(small);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 200_000 }), { minLength: 1, maxLength: 5 }),
        async (sizes) => {
          const r = run(smallFile, sizes);
          expect(r.error).toBeNull();
          expect(r.text === small).toBe(true);
        },
      ),
      { numRuns: 15 },
    );
  });

  it("reads every member of a multi-member file", async () => {
    const two = new Uint8Array([...(await gzip("first\n")), ...(await gzip("second\n"))]);
    expect(run(two, [3])).toEqual({ text: "first\nsecond\n", error: null });
  });

  it("passes on every decodable byte, then tells the damage: garbage after it, truncation, a bad trailer", async () => {
    const small = await gzip("a\nb\nc\n");
    const garbage = new Uint8Array([...small, ...new TextEncoder().encode("junk")]);
    expect(run(garbage, [5])).toMatchObject({
      text: "a\nb\nc\n",
      error: "data after the gzip stream",
    });
    const cut = run(file.subarray(0, Math.floor(file.length * 0.6)), [4096]);
    expect(text.startsWith(cut.text.slice(0, -2)) && cut.text.length > text.length / 2).toBe(true);
    expect(cut.error).toMatch(/truncated/);
    const bad = small.slice();
    bad[bad.length - 6] = (bad[bad.length - 6] as number) ^ 1; // a CRC byte
    expect(run(bad, [7]).error).toMatch(/trailer does not match/);
  });

  it("restarts from any restart point: the rest of the output, the trailer still checked", async () => {
    const points: InflatePoint[] = [];
    run(file, [65_536], { onPoint: (p) => points.push(p) });
    expect(points.length).toBeGreaterThanOrEqual(Math.floor(text.length / POINT_SPAN) - 1);
    const whole = new TextEncoder().encode(text);
    for (const p of points) {
      expect(p.out).toBeGreaterThan(0);
      for (const discard of [0, 1234]) {
        const from = file.subarray(p.in - (p.bits ? 1 : 0));
        const r = run(from, [1, 9973, 65_536], { from: p, discard });
        expect(r.error).toBeNull();
        expect(r.text === new TextDecoder().decode(whole.subarray(p.out + discard))).toBe(true);
      }
    }
  });
});
