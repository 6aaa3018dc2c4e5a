import { TOKEN_NODE_TYPES } from "./rules";
import { type CstNode, isNode, Refusal } from "./walk";

/**
 * The parser and SQLite must see the same tokens: the gate checks the parser's tree, SQLite runs
 * the text. sql-parser-cst reads a little more than SQLite as "not code": `#` line comments (a
 * MySQL form) and its `/* sql-parser-cst-disable *\/ … /* sql-parser-cst-enable *\/` regions, so
 * `SELECT a, #x, (SELECT … FROM quarantine)⏎ b FROM logs` would look like `SELECT a, b FROM logs`.
 * So every character of the text outside the parser's tokens must be SQLite whitespace, a SQLite
 * comment that ends there, or operator punctuation (which the parser keeps as plain strings).
 */

const SPACE = " \t\n\f\r";
const PUNCTUATION = "(),.;+-*/%<>=!|&~";
const DIRECTIVE = /sql-parser-cst-(?:disable|enable)/i;

export function position(sql: string, offset: number): string {
  const before = sql.slice(0, offset).split("\n");
  return `line ${before.length}, column ${(before[before.length - 1]?.length ?? 0) + 1}`;
}

/** Checks made on the raw text, before parsing. */
export function checkText(sql: string): void {
  if (sql.includes("\0")) throw new Refusal("the SQL contains a NUL character");
  const directive = DIRECTIVE.exec(sql);
  if (directive)
    throw new Refusal(
      `the SQL contains the parser directive "${directive[0]}" (${position(sql, directive.index)})`,
    );
}

function tokenRanges(value: unknown, out: Array<readonly [number, number]>): void {
  if (Array.isArray(value)) {
    for (const item of value) tokenRanges(item, out);
  } else if (isNode(value) && TOKEN_NODE_TYPES.has(value.type)) {
    if (!value.range) throw new Refusal("the SQL could not be checked (the parser gave no ranges)");
    out.push(value.range);
  } else if (typeof value === "object" && value !== null) {
    for (const item of Object.values(value)) tokenRanges(item, out);
  }
}

/** Where the comment starting at `at` ends for SQLite, or -1 if it runs past `to`. */
function commentEnd(sql: string, at: number, to: number): number {
  const line = sql.startsWith("--", at);
  const close = line ? sql.indexOf("\n", at + 2) : sql.indexOf("*/", at + 2);
  const end = close === -1 ? sql.length : close + (line ? 1 : 2);
  return end <= to ? end : -1;
}

function checkGap(sql: string, from: number, to: number): void {
  let at = from;
  while (at < to) {
    const c = sql.charAt(at);
    if (sql.startsWith("--", at) || sql.startsWith("/*", at)) {
      const end = commentEnd(sql, at, to);
      if (end === -1)
        throw new Refusal(`a comment ends where SQLite would not end it (${position(sql, at)})`);
      at = end;
    } else if (SPACE.includes(c) || PUNCTUATION.includes(c)) {
      at += 1;
    } else {
      throw new Refusal(`unexpected character ${JSON.stringify(c)} (${position(sql, at)})`);
    }
  }
}

/** Refuses text between the parser's tokens that SQLite would read differently. */
export function checkGaps(sql: string, program: CstNode): void {
  const ranges: Array<readonly [number, number]> = [];
  tokenRanges(program, ranges);
  ranges.sort((a, b) => a[0] - b[0]);
  let at = 0;
  for (const [start, end] of ranges) {
    if (start > at) checkGap(sql, at, start);
    at = Math.max(at, end);
  }
  checkGap(sql, at, sql.length);
}
