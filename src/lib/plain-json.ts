/**
 * Two tests on parsed JSON that the normalizers (src/vendors/manifest/normalize.ts) and the store
 * (src/store/derived.ts, src/store/source-fields.ts) must answer alike: one function each, so
 * what a normalizer notes of an event (src/model/read-note.ts) is what the store would find.
 */

/** A string JSON.stringify and SQLite both write as it is (see plainText). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what it excludes
export const PLAIN = /^[^\u0000-\u001f"\\\u007f\u2028\u2029\ud800-\udfff]*$/;

/**
 * Whether JSON.stringify and SQLite both write `s` as it is: no quote, backslash, control
 * character, U+2028/U+2029 or surrogate (a loop: the strings of a row's maps are short, where a
 * regex call costs more than the scan).
 */
export function plainText(s: string): boolean {
  if (s.length > 16) return PLAIN.test(s);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c < 0x7f) {
      if (c === 0x22 || c === 0x5c) return false;
    } else if (
      c < 0x20 ||
      c === 0x7f ||
      c === 0x2028 ||
      c === 0x2029 ||
      (c >= 0xd800 && c <= 0xdfff)
    )
      return false;
  }
  return true;
}

/** Whether `v` is a string plainText accepts. */
export const plainString = (v: unknown): boolean => typeof v === "string" && plainText(v);

/** JSON equality, object key order aside; a missing raw value (`b`) equals a null one. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === null || a === undefined) return b === null || b === undefined;
  if (typeof a !== "object" || typeof b !== "object" || b === null) return a === b;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => sameJson(x, bb[i]) && x !== undefined);
  }
  const ak = Object.keys(a as object);
  const bo = b as Record<string, unknown>;
  if (ak.length !== Object.keys(bo).length) return false;
  return ak.every(
    (k) =>
      k in bo &&
      (a as Record<string, unknown>)[k] !== undefined &&
      sameJson((a as Record<string, unknown>)[k], bo[k]),
  );
}
