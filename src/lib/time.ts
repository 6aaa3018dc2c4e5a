// ISO-8601 date-time, with `T` or a space, optional seconds and fraction, optional zone.
const ISO =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * Parses a vendor timestamp to epoch milliseconds (UTC). Keeps what JS can of longer
 * fractions (CircleCI sends up to nine digits), and reads a time without a zone as UTC
 * (Airkit's TIMESTAMPNTZ). Returns null for anything that is not an ISO-8601 date-time.
 */
export function parseTimestamp(input: string): number | null {
  // Validation and normalization read the same time one after the other: parse it once.
  if (input === last.input) return last.result;
  const result = parseIso(input);
  last.input = input;
  last.result = result;
  return result;
}

const last: { input: string | undefined; result: number | null } = {
  input: undefined,
  result: null,
};

function parseIso(input: string): number | null {
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

/** The API's time format: ISO-8601 UTC with milliseconds. */
export function toIso(ms: number): string {
  return new Date(ms).toISOString();
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
