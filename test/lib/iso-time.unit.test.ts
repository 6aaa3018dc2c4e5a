import { describe, expect, it } from "vitest";
import { toIso } from "../../src/lib/time";

/** toIso writes what toISOString writes (src/lib/time.ts formats the day once). */
describe("toIso", () => {
  const iso = (ms: number) => new Date(ms).toISOString();

  it("writes what toISOString writes, at day bounds, leap days and the ends of the range", () => {
    const cases = [
      0,
      1,
      999,
      1000,
      59_999,
      86_399_999,
      86_400_000,
      Date.UTC(2024, 1, 29, 23, 59, 59, 999),
      Date.UTC(2024, 2, 1),
      Date.UTC(2026, 11, 6, 1, 2, 3, 4),
      Date.UTC(9999, 11, 31, 23, 59, 59, 999),
    ];
    for (const ms of cases) expect(toIso(ms)).toBe(iso(ms));
  });

  it("writes what toISOString writes for times spread over the years, in and out of order", () => {
    let x = 12345;
    for (let i = 0; i < 20_000; i++) {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      // within a day of the last one half the time (the cached day), anywhere the other half
      const ms = i % 2 === 0 ? x * 117_000 : Date.UTC(2026, 0, 1) + (x % 86_400_000);
      expect(toIso(ms)).toBe(iso(ms));
    }
  });

  it("leaves to toISOString what it writes otherwise (before 1970, past 9999, fractions)", () => {
    for (const ms of [-1, -86_400_001, Date.UTC(10000, 0, 1), Date.UTC(-1, 0, 1), 1.5])
      expect(toIso(ms)).toBe(iso(ms));
    expect(() => toIso(Number.NaN)).toThrow(RangeError);
  });
});
