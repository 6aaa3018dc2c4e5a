import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { keyAtOrAfter, keyBefore, rowKey } from "../../src/store/keys";

const hexId = fc.stringMatching(/^[0-9a-f]{32}$/);
const time = fc.integer({ min: -(2 ** 43), max: 2 ** 43 - 2 });

describe("time-ordered row keys", () => {
  it("order rows by event time, whatever their ids and probes, and stay in their millisecond", () => {
    fc.assert(
      fc.property(time, hexId, hexId, fc.nat(15), fc.nat(15), (t, a, b, pa, pb) => {
        const ka = BigInt(rowKey(t, a, pa));
        expect(ka < BigInt(rowKey(t + 1, b, pb))).toBe(true);
        expect(ka >= BigInt(keyAtOrAfter(t))).toBe(true);
        expect(ka < BigInt(keyBefore(t + 1) as string)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it("moves a probed key on within its millisecond, wrapping at the slot's end", () => {
    const t = Date.UTC(2026, 3, 1);
    const base = BigInt(keyAtOrAfter(t));
    expect(BigInt(rowKey(t, "fffff000", 0)) - base).toBe(0xfffffn);
    expect(BigInt(rowKey(t, "fffff000", 1)) - base).toBe(0n);
    expect(BigInt(rowKey(t, "00010000", 3)) - base).toBe(0x13n);
  });

  it("clamps times beyond ±2^43 ms, and says a key bound cannot tell beyond them", () => {
    expect(rowKey(9e15, "00000000")).toBe(rowKey(2 ** 43 - 1, "00000000"));
    expect(rowKey(-9e15, "00000000")).toBe(rowKey(-(2 ** 43), "00000000"));
    expect(keyBefore(9e15)).toBeUndefined();
    expect(keyBefore(0)).toBe("0");
  });
});
