/**
 * Parses a vendor timestamp to epoch milliseconds (UTC). Keeps what JS can of longer
 * fractions (CircleCI sends up to nine digits), and reads a time without a zone as UTC
 * (Airkit's TIMESTAMPNTZ). Returns null for anything that is not an ISO-8601 date-time.
 */
export function parseTimestamp(input: string): number | null {
  // Validation and normalization read the same time one after the other: parse it once.
  if (input === last.input) return last.result;
  const fast = parseRfc3339(input);
  const result = fast === undefined ? parseIso(input) : fast;
  last.input = input;
  last.result = result;
  return result;
}

const last: { input: string | undefined; result: number | null } = {
  input: undefined,
  result: null,
};

const DAY_MS = 86_400_000;

/** Days from 1970-01-01 to a proleptic Gregorian date (month 1-12), as Date.UTC counts them. */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = month > 2 ? month - 3 : month + 9;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const leap = (y: number) => y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);

/** The digit at `i` (0-9), or -1. */
const digit = (s: string, i: number) => {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1;
};
/** Two digits at `i` as a number, or -1. */
const two = (s: string, i: number) => {
  const a = digit(s, i);
  const b = digit(s, i + 1);
  return a < 0 || b < 0 ? -1 : a * 10 + b;
};

/**
 * The common shapes of `parseIso`, scanned by hand (no regex, no Date): `YYYY-MM-DD`, `T` or a
 * space, `hh:mm`, optional `:ss` and `.fff`/`,fff`, then nothing, `Z`/`z`, or `±hh`, `±hhmm`,
 * `±hh:mm`; no whitespace. The same epoch ms as `parseIso` (test/lib/time.unit.test.ts, on
 * edge cases and random text): `undefined` for anything else, which `parseIso` then reads
 * (whitespace, a time it refuses), so every answer is `parseIso`'s.
 */
export function parseRfc3339(s: string): number | null | undefined {
  const n = s.length;
  if (n < 16) return undefined;
  const y1 = two(s, 0);
  const y2 = two(s, 2);
  const month = two(s, 5);
  const day = two(s, 8);
  const hour = two(s, 11);
  const minute = two(s, 14);
  const sep = s.charCodeAt(10);
  if (
    (y1 | y2 | month | day | hour | minute) < 0 ||
    s.charCodeAt(4) !== 45 /* - */ ||
    s.charCodeAt(7) !== 45 ||
    (sep !== 84 /* T */ && sep !== 32) /* space */ ||
    s.charCodeAt(13) !== 58 /* : */
  )
    return undefined;
  const year = y1 * 100 + y2;
  let i = 16;
  let second = 0;
  let ms = 0;
  if (i < n && s.charCodeAt(i) === 58) {
    second = two(s, i + 1);
    if (second < 0) return undefined;
    i += 3;
    const c = s.charCodeAt(i);
    if (i < n && (c === 46 /* . */ || c === 44) /* , */) {
      i++;
      const start = i;
      while (i < n && digit(s, i) >= 0) {
        if (i - start < 3) ms += digit(s, i) * (i - start === 0 ? 100 : i - start === 1 ? 10 : 1);
        i++;
      }
      if (i === start) return undefined;
    }
  }
  let offset = 0;
  if (i < n) {
    const c = s.charCodeAt(i);
    if (c === 90 /* Z */ || c === 122 /* z */) {
      if (i + 1 !== n) return undefined;
    } else if (c === 43 /* + */ || c === 45 /* - */) {
      const oh = two(s, i + 1);
      if (oh < 0) return undefined;
      let om = 0;
      let j = i + 3;
      if (j < n) {
        if (s.charCodeAt(j) === 58) j++;
        om = two(s, j);
        if (om < 0 || j + 2 !== n) return undefined;
      }
      if (om > 59 || oh * 60 + om > MAX_OFFSET_MINUTES) return undefined;
      offset = (c === 45 ? -1 : 1) * (oh * 60 + om) * 60_000;
    } else return undefined;
  }
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 60)
    return undefined;
  if (day > (month === 2 && leap(year) ? 29 : (MONTH_DAYS[month - 1] as number))) return undefined;
  // parseIso sets the date after the time (setUTCFullYear): a leap second at 23:59:60 wraps to
  // 00:00:00 of the same day, as there.
  const time = (((hour * 60 + minute) * 60 + second) * 1000 + ms) % DAY_MS;
  return daysFromCivil(year, month, day) * DAY_MS + time - offset;
}

// ISO-8601 date-time, with `T` or a space, optional seconds and fraction, optional zone.
const ISO =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

/** The reference reading of a timestamp (every shape parseRfc3339 leaves to it). */
export function parseIso(input: string): number | null {
  const m = ISO.exec(input.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s = "0", frac = "", zone = "Z"] = m;
  const ms = Number(`${frac}000`.slice(0, 3));
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    return null;
  }
  const date = new Date(Date.UTC(2000, month - 1, day, hour, minute, second, ms));
  date.setUTCFullYear(year, month - 1, day); // Date.UTC reads years 0-99 as 1900-1999
  // 2026-02-31 would roll over into March: the calendar day must exist (checked at second 0,
  // so a leap second :60 is read as the next second of a real day).
  const check = new Date(Date.UTC(2000, month - 1, day));
  check.setUTCFullYear(year, month - 1, day);
  if (check.getUTCDate() !== day) return null;
  let t = date.getTime();
  if (zone !== "Z" && zone !== "z") {
    const sign = zone[0] === "-" ? -1 : 1;
    const digits = zone.slice(1).replace(":", "");
    const hours = Number(digits.slice(0, 2));
    const minutes = Number(digits.slice(2, 4) || "0");
    // A real offset: minutes below 60, within ±14:00 (UTC-12 to UTC+14 in use; ISO allows ±14).
    if (minutes > 59 || hours * 60 + minutes > MAX_OFFSET_MINUTES) return null;
    t -= sign * (hours * 60 + minutes) * 60_000;
  }
  return Number.isFinite(t) ? t : null;
}

const MAX_OFFSET_MINUTES = 14 * 60;
/** Latest accepted event time, relative to when it was received. */
const MAX_FUTURE_MS = 24 * 60 * 60 * 1000;

/**
 * The time rule: an event time is a real date-time between 1970-01-01 and one day after it was
 * received. Returns why not, or null when it is fine.
 */
export function checkEventTime(t: number, receivedAt: number): string | null {
  if (!Number.isFinite(t)) return "the event time is not a date-time";
  if (t < 0) return `the event time ${new Date(t).toISOString()} is before 1970-01-01`;
  if (t > receivedAt + MAX_FUTURE_MS)
    return `the event time ${new Date(t).toISOString()} is more than a day in the future`;
  return null;
}

/** Years 0 to 9999 (toISOString writes others with a sign and six digits). */
const LAST_MS = 253_402_300_800_000;
const PAD2 = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, "0"));
const PAD3 = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, "0"));
/** The day of the last time formatted, as toISOString begins it (`2026-01-02T`). */
let day = { start: Number.NaN, text: "" };

/**
 * The API's time format: ISO-8601 UTC with milliseconds, as `new Date(ms).toISOString()`
 * writes it, the date formatted once per day: the rows of a page, a commit
 * or an alert mostly share one, and a Date per time was an eighth of a rule row's cost and a
 * tenth of a presented row's (issue 27). Other times (before 1970, past 9999, fractions, NaN)
 * go to toISOString as they are.
 */
export function toIso(ms: number): string {
  if (!Number.isInteger(ms) || ms < 0 || ms >= LAST_MS) return new Date(ms).toISOString();
  let t = ms % DAY_MS;
  const start = ms - t;
  if (start !== day.start) day = { start, text: new Date(start).toISOString().slice(0, 11) };
  const milli = t % 1000;
  t = (t - milli) / 1000;
  const s = t % 60;
  t = (t - s) / 60;
  const m = t % 60;
  return `${day.text}${PAD2[(t - m) / 60]}:${PAD2[m]}:${PAD2[s]}.${PAD3[milli]}Z`;
}

const UNIT_MS = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
} as const;
/** Longest relative range accepted: a year (older events live in the archive anyway). */
const MAX_RELATIVE_MS = 366 * UNIT_MS.d;

/**
 * A relative range such as `15m`, `1h`, `24h`, `7d`, `30d` (units s, m, h, d, w) as
 * milliseconds; null when it is not one or spans more than 366 days (or nothing).
 */
export function parseRelative(input: string): number | null {
  const m = /^(\d{1,6})([smhdw])$/.exec(input.trim());
  if (!m) return null;
  const ms = Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
  return ms > 0 && ms <= MAX_RELATIVE_MS ? ms : null;
}
