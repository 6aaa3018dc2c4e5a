/**
 * Sigma string values: `*` and `?` wildcards, `\` escapes, case-insensitive comparison. A
 * pattern compiles once into a test that, for the common shapes (equal, prefix, suffix,
 * substring), compares character codes without allocating; other wildcard shapes use a RegExp.
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

/** Lowercases code unit by code unit, exactly as the comparisons below fold the row's text. */
export function fold(s: string): string {
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

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
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
  const parts = sigmaParts(value);
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
  const source = parts
    .map((p) => (p === STAR ? "[\\s\\S]*" : p === ONE ? "[\\s\\S]" : escapeRegExp(p)))
    .join("");
  const re = new RegExp(`^${source}$`, cased ? "u" : "iu");
  return (s) => re.test(s);
}
