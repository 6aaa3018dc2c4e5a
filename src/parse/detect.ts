import { nextBreak } from "./text";

/** Framing detection from a file's first lines (src/parse/stream.ts decides with these). */

export const LOOKAHEAD_LINES = 20;

/** The first character of each non-blank line of `text` (at most LOOKAHEAD_LINES + 1). */
export function lineLeads(text: string): string[] {
  const leads: string[] = [];
  for (let at = 0; at < text.length && leads.length <= LOOKAHEAD_LINES; ) {
    const br = nextBreak(text, at, true);
    const line = text.slice(at, br < 0 ? text.length : br).trimStart();
    if (line !== "") leads.push(line[0] as string);
    if (br < 0) break;
    at = br + 1;
  }
  return leads;
}

/** The first non-blank line of `text`. */
export function firstLine(text: string): string {
  const start = text.length - text.trimStart().length;
  const br = nextBreak(text, start, true);
  return text.slice(start, br < 0 ? text.length : br);
}

/** A CSV header row: two or more named columns (then the file is CSV, never NDJSON). */
export const csvHeaderLike = (line: string) =>
  line.split(",").length >= 2 && line.split(",").every((h) => h.trim() !== "");

/** Whether the brackets of a line close on it (a JSON value on one line). */
export function firstLineBalanced(text: string): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) depth++;
    else if (c === 93 || c === 125) depth--;
    else if (c === 10 || c === 13) return depth === 0;
  }
  return depth === 0;
}
