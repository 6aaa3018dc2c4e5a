// ISO-8601 date-time, with `T` or a space, optional seconds and fraction, optional zone.
const ISO =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * Parses a vendor timestamp to epoch milliseconds (UTC). Keeps what JS can of longer
 * fractions (CircleCI sends up to nine digits), and reads a time without a zone as UTC
 * (Airkit's TIMESTAMPNTZ). Returns null for anything that is not an ISO-8601 date-time.
 */
export function parseTimestamp(input: string): number | null {
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
  let t = date.getTime();
  if (new Date(t).getUTCDate() !== day && second !== 60) return null; // 2026-02-31
  if (zone !== "Z" && zone !== "z") {
    const sign = zone[0] === "-" ? -1 : 1;
    const digits = zone.slice(1).replace(":", "");
    const offset = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || "0");
    t -= sign * offset * 60_000;
  }
  return Number.isFinite(t) ? t : null;
}

/** The API's time format: ISO-8601 UTC with milliseconds. */
export function toIso(ms: number): string {
  return new Date(ms).toISOString();
}
