import type { Resume } from "../../parse/stream";

/**
 * A Resume as stored in `objects.resume`: JSON, the restart point's 32 KiB window in base64.
 * Read back defensively: a value that does not decode is ignored (the continuation then reads
 * from byte 0 and skips by ordinal, slower but exact).
 */

const toBase64 = (b: Uint8Array): string => {
  let s = "";
  for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode(...b.subarray(i, i + 0x8000));
  return btoa(s);
};

const fromBase64 = (s: string): Uint8Array => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

export function resumeJson(r: Resume): string {
  return JSON.stringify({
    ...r,
    point: r.point && { ...r.point, window: toBase64(r.point.window) },
  });
}

const count = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

export function parseResume(text: string | null): Resume | null {
  if (!text) return null;
  try {
    const v = JSON.parse(text) as Resume & { point: { window: string } | null };
    if (!count(v.offset) || !count(v.line) || !count(v.ordinal)) return null;
    if (v.point === null) return { ...v, point: null };
    const p = v.point;
    if (![p.in, p.bits, p.out, p.crc, p.size].every(count) || p.bits > 7 || p.out > v.offset)
      return null;
    return { ...v, point: { ...p, window: fromBase64(p.window) } };
  } catch {
    return null;
  }
}

/** Where a resumed read starts in the stored object. */
export const rangeStart = (r: Resume): number =>
  r.point ? r.point.in - (r.point.bits ? 1 : 0) : r.offset;
