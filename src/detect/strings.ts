/**
 * Sigma string values: `*` and `?` wildcards, `\` escapes, case-insensitive comparison. A
 * pattern compiles once into a test that, for the common shapes (equal, prefix, suffix,
 * substring), compares character codes without allocating; other wildcard shapes use a glob
 * matcher that never backtracks past the last `*` (O(n·m) worst case: a value like
 * `*a*a*a*a*a*a*a*a*a*b` cannot stall ingest, as it did when compiled to a RegExp).
 */

export type StringMode = "equals" | "contains" | "startswith" | "endswith";
export type StringTest = (s: string) => boolean;

const STAR = 0;
const ONE = 1;
type Part = string | typeof STAR | typeof ONE;

/**
 * Splits a Sigma value into literals and wildcards. `\*`, `\?` and `\\` are the plain
 * characters; a backslash before anything else is itself (SigmaHQ: "Plain backslash not
 * followed by a wildcard can be expressed as single \ or double backslash \\").
 */
export function sigmaParts(value: string): Part[] {
  const parts: Part[] = [];
  let lit = "";
  for (let i = 0; i < value.length; i++) {
    const c = value[i] as string;
    if (c === "\\") {
      const next = value[i + 1];
      if (next === "*" || next === "?" || next === "\\") {
        lit += next;
        i++;
      } else lit += c;
    } else if (c === "*" || c === "?") {
      if (lit !== "") parts.push(lit);
      lit = "";
      if (c === "?" || parts[parts.length - 1] !== STAR) parts.push(c === "*" ? STAR : ONE);
    } else lit += c;
  }
  if (lit !== "") parts.push(lit);
  return parts;
}

const lowerCache = new Map<number, number>();

/** A UTF-16 code unit lowercased (one unit: a character whose lowercase is longer keeps its first). */
function lowerCode(c: number): number {
  if (c < 128) return c >= 65 && c <= 90 ? c + 32 : c;
  let l = lowerCache.get(c);
  if (l === undefined) {
    l = String.fromCharCode(c).toLowerCase().charCodeAt(0);
    lowerCache.set(c, l);
  }
  return l;
}

/**
 * Lowercases code unit by code unit, exactly as the comparisons below fold the row's text (the
 * same length: one unit for one). ASCII text, the usual case, folds as toLowerCase does.
 */
export function fold(s: string): string {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 128) return foldUnits(s);
  return s.toLowerCase();
}

function foldUnits(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) out += String.fromCharCode(lowerCode(s.charCodeAt(i)));
  return out;
}

/** Whether s at `at` holds the folded literal p, ignoring case. */
function foldAt(s: string, at: number, p: string): boolean {
  for (let i = 0; i < p.length; i++) {
    const c = s.charCodeAt(at + i);
    const d = p.charCodeAt(i);
    if (c !== d && lowerCode(c) !== d) return false;
  }
  return true;
}

function foldIncludes(s: string, p: string): boolean {
  const last = s.length - p.length;
  for (let i = 0; i <= last; i++) if (foldAt(s, i, p)) return true;
  return false;
}

function literalTest(kind: StringMode, lit: string, cased: boolean): StringTest {
  if (cased) {
    if (kind === "equals") return (s) => s === lit;
    if (kind === "startswith") return (s) => s.startsWith(lit);
    if (kind === "endswith") return (s) => s.endsWith(lit);
    return (s) => s.includes(lit);
  }
  const p = fold(lit);
  const n = p.length;
  if (kind === "equals") return (s) => s.length === n && foldAt(s, 0, p);
  if (kind === "startswith") return (s) => s.length >= n && foldAt(s, 0, p);
  if (kind === "endswith") return (s) => s.length >= n && foldAt(s, s.length - n, p);
  return (s) => s.length >= n && foldIncludes(s, p);
}

/** The test of a Sigma string value under contains / startswith / endswith (or none). */
export function compileString(value: string, mode: StringMode, cased: boolean): StringTest {
  return compileParts(sigmaParts(value), mode, cased);
}

/**
 * compileString(value, mode, false) for text already folded: `compileFolded(v, m)(fold(s))`
 * answers as `compileString(v, m, false)(s)` does, with the value's literals folded once and
 * the text folded once per event (src/detect/event-cache.ts), however many rules test it. The
 * same because folding is idempotent unit by unit (fold(fold(c)) = fold(c)) and keeps
 * surrogates as they are: then "s[i] = p[i] or fold(s[i]) = p[i]" (the uncased comparison, p
 * folded) is "fold(s)[i] = p[i]". Checked for all 65,536 units in workerd
 * (test/detect/fold.test.ts) and in Node (test/detect/event-cache.unit.test.ts).
 */
export function compileFolded(value: string, mode: StringMode): StringTest {
  const parts = sigmaParts(value).map((p) => (typeof p === "string" ? fold(p) : p));
  return compileParts(parts, mode, true);
}

function compileParts(parts: Part[], mode: StringMode, cased: boolean): StringTest {
  if (mode === "contains" || mode === "endswith") {
    if (parts[0] !== STAR) parts.unshift(STAR);
  }
  if (mode === "contains" || mode === "startswith") {
    if (parts[parts.length - 1] !== STAR) parts.push(STAR);
  }
  const lead = parts[0] === STAR;
  const trail = parts.length > 1 && parts[parts.length - 1] === STAR;
  const inner = parts.slice(lead ? 1 : 0, trail ? -1 : undefined);
  if (inner.length === 0) return lead ? () => true : (s) => s === "";
  if (inner.length === 1 && typeof inner[0] === "string") {
    const kind: StringMode =
      lead && trail ? "contains" : lead ? "endswith" : trail ? "startswith" : "equals";
    return literalTest(kind, inner[0], cased);
  }
  return globTest(parts, cased);
}

/** One pattern unit: a literal character (folded unless cased), any one character, or a star. */
type Unit = number;
const ANY_ONE = -1;
const ANY_RUN = -2;

function units(parts: Part[], cased: boolean): Unit[] {
  const out: Unit[] = [];
  for (const p of parts) {
    if (p === STAR) out.push(ANY_RUN);
    else if (p === ONE) out.push(ANY_ONE);
    else {
      const lit = cased ? p : fold(p);
      for (let i = 0; i < lit.length; i++) out.push(lit.charCodeAt(i));
    }
  }
  return out;
}

/** 2 at a surrogate pair, else 1. */
function charLength(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c < 0xd800 || c > 0xdbff) return 1;
  const d = s.charCodeAt(i + 1);
  return d >= 0xdc00 && d <= 0xdfff ? 2 : 1;
}

/**
 * `*` and `?` (one character: a surrogate pair is one) with the two-pointer algorithm: on a
 * mismatch it resumes after the last star seen, one character further, never revisiting
 * earlier stars.
 */
function globTest(parts: Part[], cased: boolean): StringTest {
  const p = units(parts, cased);
  const eq = (pc: Unit, c: number) => pc === ANY_ONE || pc === c || (!cased && pc === lowerCode(c));
  return (s) => {
    let i = 0;
    let j = 0;
    let star = -1;
    let resume = 0;
    while (i < s.length) {
      const pc = p[j];
      if (pc === ANY_RUN) {
        star = j++;
        resume = i;
      } else if (pc !== undefined && eq(pc, s.charCodeAt(i))) {
        i += pc === ANY_ONE ? charLength(s, i) : 1;
        j++;
      } else if (star >= 0) {
        j = star + 1;
        i = ++resume;
      } else return false;
    }
    while (p[j] === ANY_RUN) j++;
    return j === p.length;
  };
}
