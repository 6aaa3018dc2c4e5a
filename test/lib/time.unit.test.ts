import { describe, expect, it } from "vitest";
import { parseIso, parseRfc3339, parseTimestamp } from "../../src/lib/time";

/** The hand-rolled scanner answers exactly as the regex reading (parseIso) does, or defers to it. */

let seed = 3;
const rand = (n: number) => {
  seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
  return seed % n;
};
const pad = (n: number, width: number) => String(n).padStart(width, "0");
const pick = <T>(xs: readonly T[]) => xs[rand(xs.length)] as T;

/** A date-time of the shapes vendors send, each part sometimes out of range. */
function randomTimestamp(): string {
  const year = pick([rand(10_000), 1970 + rand(100), 2000, 1900, 2100, 0, 4, 100, 400, 9999]);
  const month = rand(10) === 0 ? rand(100) : 1 + rand(12);
  const day = rand(10) === 0 ? rand(100) : 1 + rand(31);
  const hour = rand(10) === 0 ? 24 + rand(76) : rand(24);
  const minute = rand(10) === 0 ? 60 + rand(40) : rand(60);
  const second = rand(8) === 0 ? pick([59, 60, 61, 99]) : rand(60);
  let s = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}${pick(["T", " ", "t", "_"])}${pad(hour, 2)}:${pad(minute, 2)}`;
  if (rand(6) > 0) {
    s += `:${pad(second, 2)}`;
    if (rand(2) === 0)
      s += pick([".", ",", ":"]) + Array.from({ length: rand(11) }, () => rand(10)).join("");
  }
  const oh = rand(6) === 0 ? rand(100) : rand(15);
  const om = rand(6) === 0 ? rand(100) : pick([0, 30, 45]);
  s += pick([
    "",
    "Z",
    "z",
    `+${pad(oh, 2)}:${pad(om, 2)}`,
    `-${pad(oh, 2)}:${pad(om, 2)}`,
    `+${pad(oh, 2)}${pad(om, 2)}`,
    `-${pad(oh, 2)}`,
    `+${pad(oh, 2)}:`,
    `+${pad(oh, 2)}:${pad(om, 2)}0`,
    " Z",
    "Z ",
    "ZZ",
  ]);
  if (rand(10) === 0) s = pick([" ", "\t", "\u00a0", "\ufeff", "\u2028"]) + s;
  // a character replaced, inserted or dropped
  if (rand(5) === 0) {
    const at = rand(s.length + 1);
    const c = pick(["0", "9", "-", ":", ".", "T", " ", "Z", "+", "\u0660", "x", ""]);
    s = s.slice(0, at) + c + s.slice(at + (rand(2) === 0 ? 1 : 0));
  }
  return s;
}

describe("parseTimestamp", () => {
  it("reads the shapes vendors send without the regex, each as parseIso does", () => {
    const cases: Array<[string, string]> = [
      ["2026-04-13T14:20:51Z", "2026-04-13T14:20:51.000Z"],
      ["2026-04-13T14:20:51.5Z", "2026-04-13T14:20:51.500Z"],
      ["2026-04-13T14:20:51.12Z", "2026-04-13T14:20:51.120Z"],
      ["2026-04-13T14:20:51.123456789Z", "2026-04-13T14:20:51.123Z"],
      ["2026-04-13T14:20:51,999Z", "2026-04-13T14:20:51.999Z"],
      ["2026-04-13 14:20:51", "2026-04-13T14:20:51.000Z"],
      ["2026-04-13T14:20", "2026-04-13T14:20:00.000Z"],
      ["2026-04-13T14:20z", "2026-04-13T14:20:00.000Z"],
      ["2026-04-13T14:20:51+02:00", "2026-04-13T12:20:51.000Z"],
      ["2026-04-13T14:20:51-0530", "2026-04-13T19:50:51.000Z"],
      ["2026-04-13T00:20:51+14", "2026-04-12T10:20:51.000Z"],
      ["2024-02-29T00:00:00Z", "2024-02-29T00:00:00.000Z"],
      ["2000-02-29T23:59:59.999Z", "2000-02-29T23:59:59.999Z"],
      ["1970-01-01T00:00:00Z", "1970-01-01T00:00:00.000Z"],
      ["1969-12-31T23:59:59.999Z", "1969-12-31T23:59:59.999Z"],
      ["0000-01-01T00:00:00Z", "0000-01-01T00:00:00.000Z"],
      ["0099-03-01T00:00:00Z", "0099-03-01T00:00:00.000Z"],
      ["9999-12-31T23:59:59.999Z", "9999-12-31T23:59:59.999Z"],
      // A leap second: the next second, except at 23:59:60, which parseIso wraps to 00:00:00
      // of the same day (its time is set before its date); kept as it was.
      ["2026-06-30T12:59:60Z", "2026-06-30T13:00:00.000Z"],
      ["2026-06-30T23:59:60Z", "2026-06-30T00:00:00.000Z"],
    ];
    for (const [input, iso] of cases) {
      expect(parseRfc3339(input), input).toBe(Date.parse(iso));
      expect(parseTimestamp(input), input).toBe(Date.parse(iso));
      expect(parseIso(input), input).toBe(Date.parse(iso));
    }
  });

  it("refuses what parseIso refuses, and leaves whitespace and odd shapes to it", () => {
    const refused = [
      "",
      "2026-04-13",
      "2026-04-13T14",
      "2026-02-29T00:00:00Z",
      "1900-02-29T00:00:00Z",
      "2026-04-31T00:00:00Z",
      "2026-13-01T00:00:00Z",
      "2026-00-01T00:00:00Z",
      "2026-04-00T00:00:00Z",
      "2026-04-13T24:00:00Z",
      "2026-04-13T14:60:00Z",
      "2026-04-13T14:20:61Z",
      "2026-04-13T14:20:51.Z",
      "2026-04-13T14:20:51+14:01",
      "2026-04-13T14:20:51+02:60",
      "2026-04-13T14:20:51+2",
      "2026-04-13T14:20:51+02:0",
      "2026-04-13T14:20:51ZZ",
      "2026-04-13t14:20:51Z",
      "2026-04-13T14:20.5Z",
      "+02026-04-13T14:20:51Z",
      "2026-04-13T14:20:51\u0660Z",
    ];
    for (const input of refused) {
      expect(parseTimestamp(input), input).toBeNull();
      expect(parseIso(input), input).toBeNull();
    }
    // Whitespace is parseIso's (trimmed, or between the time and its zone).
    for (const input of [" 2026-04-13T14:20:51Z", "2026-04-13T14:20:51Z\n", "2026-04-13T14:20 Z"]) {
      expect(parseRfc3339(input), JSON.stringify(input)).toBeUndefined();
      expect(parseTimestamp(input), JSON.stringify(input)).toBe(parseIso(input));
      expect(parseTimestamp(input), JSON.stringify(input)).not.toBeNull();
    }
  });

  it("equals parseIso on random date-times, and Date.parse on the RFC 3339 ones", () => {
    let fast = 0;
    let accepted = 0;
    for (let i = 0; i < 50_000; i++) {
      const input = randomTimestamp();
      const quick = parseRfc3339(input);
      const want = parseIso(input);
      if (want !== null) accepted++;
      if (quick !== undefined) fast++;
      expect(quick === undefined || quick === want, input).toBe(true);
      expect(parseTimestamp(input), input).toBe(want);
      // RFC 3339 proper (a zone, three fraction digits at most, no leap second): Date.parse,
      // but for an offset past ±14:00, which Date.parse reads and parseIso refuses (no zone is
      // that far from UTC).
      if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:[0-5]\d(\.\d{1,3})?(Z|[+-]\d{2}:\d{2})$/.test(input)) {
        const parsed = Date.parse(input);
        const zone = /[+-](\d{2}):(\d{2})$/.exec(input);
        const far = zone !== null && Number(zone[1]) * 60 + Number(zone[2]) > 14 * 60;
        expect(want, input).toBe(Number.isNaN(parsed) || far ? null : parsed);
      }
    }
    // Most accepted inputs are of the common shapes (the rest have whitespace, or " Z"), so the
    // comparison above is mostly the scanner's.
    expect(accepted).toBeGreaterThan(5_000);
    expect(fast / accepted).toBeGreaterThan(0.6);
  });
});
