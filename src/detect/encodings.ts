import { RuleError } from "./errors";
import type { Transform } from "./modifiers";

/**
 * Sigma's value transforms (the specification's modifier appendix, as pySigma implements
 * them): windash, the UTF-16 encodings (wide = utf16le; utf16 with a byte order mark) and
 * base64 / base64offset. A value becomes one or more literal strings; encoded bytes are held
 * one byte per character (so base64 of them is exact).
 */

/** windash characters: `-`, `/`, en dash, em dash, horizontal bar. */
const DASHES = ["-", "/", "\u2013", "\u2014", "\u2015"];
/** A dash at the start of a word (pySigma's `\B[-/]\b`). */
const WINDASH = /\B[-/]\b/g;
/** At most 5^4 = 625 variants of one value. */
const MAX_WINDASH = 4;

function windash(value: string, line: number, field: string): string[] {
  const pieces = value.split(WINDASH);
  if (pieces.length - 1 > MAX_WINDASH) {
    throw new RuleError(
      `windash: more than ${MAX_WINDASH} dashes in one value (${DASHES.length}^n variants)`,
      line,
      field,
    );
  }
  let out = [pieces[0] ?? ""];
  for (const piece of pieces.slice(1)) out = out.flatMap((v) => DASHES.map((d) => v + d + piece));
  return out;
}

/** UTF-16 code units as bytes, one per character. */
function utf16(value: string, bigEndian: boolean, bom: boolean): string {
  let out = bom ? "\xff\xfe" : "";
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    const [hi, lo] = [String.fromCharCode(c >> 8), String.fromCharCode(c & 0xff)];
    out += bigEndian ? hi + lo : lo + hi;
  }
  return out;
}

/** A string's bytes: as they are when already encoded (every char < 256), else UTF-8. */
function bytesOf(value: string): string {
  if (/^[\0-\xff]*$/.test(value)) return value;
  let out = "";
  for (const b of new TextEncoder().encode(value)) out += String.fromCharCode(b);
  return out;
}

const START_OFFSETS = [0, 2, 3];
const END_OFFSETS = [undefined, -3, -2];

/** The three base64 renderings of a value at any offset in a larger encoded text. */
function base64offset(value: string): string[] {
  const bytes = bytesOf(value);
  return [0, 1, 2].map((i) =>
    btoa(" ".repeat(i) + bytes).slice(
      START_OFFSETS[i] ?? 0,
      END_OFFSETS[(bytes.length + i) % 3] ?? undefined,
    ),
  );
}

function one(t: Transform, value: string, line: number, field: string): string[] {
  switch (t) {
    case "windash":
      return windash(value, line, field);
    case "wide":
    case "utf16le":
      return [utf16(value, false, false)];
    case "utf16be":
      return [utf16(value, true, false)];
    case "utf16":
      return [utf16(value, false, true)];
    case "base64":
      return [btoa(bytesOf(value))];
    case "base64offset":
      return base64offset(value);
  }
}

/** Whether a transform turns the value into a literal (wildcards cannot survive it). */
export const encodes = (t: Transform) => t !== "windash";

/** The literal values a value stands for after `transforms` (in the order written). */
export function transformValue(
  value: string,
  transforms: readonly Transform[],
  line: number,
  field: string,
): string[] {
  let values = [value];
  for (const t of transforms) values = [...new Set(values.flatMap((v) => one(t, v, line, field)))];
  return values;
}
