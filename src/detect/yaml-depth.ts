import { RuleError } from "./errors";

/**
 * The YAML parser (npm `yaml`) recurses once per nesting level: a rule nested some thousands
 * deep overflows its stack or exhausts the isolate's memory. So a rule's text is measured
 * before it is parsed, and refused past MAX_YAML_DEPTH (docs/detections.md). The measure
 * never counts less than the real depth: flow collections by their brackets (outside quoted
 * scalars), block collections by their
 * indentation steps plus the compact `- ` / `? ` indicators that open a line.
 */
export const MAX_YAML_DEPTH = 64;

const tooDeep = (line: number) =>
  new RuleError(`YAML nested more than ${MAX_YAML_DEPTH} deep`, line);

/** Where a quote may open a quoted scalar: after a line start, a space or a flow indicator. */
const SCALAR_START = new Set([undefined, " ", "\t", "\n", "[", "{", ","]);

/**
 * The index of the quote closing the quoted scalar opened at `i` (`''` escapes in single
 * quotes, `\\` in double), or the text's end when it never closes (the YAML parser refuses
 * that text anyway).
 */
function quoteEnd(text: string, i: number): number {
  const q = text[i];
  for (let j = i + 1; j < text.length; j++) {
    if (q === '"' && text[j] === "\\") j++;
    else if (text[j] === q) {
      if (q === "'" && text[j + 1] === "'") j++;
      else return j;
    }
  }
  return text.length;
}

/**
 * Brackets `[` `{` open, `]` `}` close, outside quoted scalars (the parser does not recurse
 * into those: SigmaHQ's log4j rule has dozens of `${` in quoted values); throws at the line
 * where the depth passes the limit.
 */
function checkFlowDepth(text: string): void {
  let depth = 0;
  let line = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) line++;
    else if ((c === 39 || c === 34) && SCALAR_START.has(text[i - 1])) {
      const end = quoteEnd(text, i);
      for (let j = i; j < end; j++) if (text.charCodeAt(j) === 10) line++;
      i = end;
    } else if (c === 91 || c === 123) {
      if (++depth > MAX_YAML_DEPTH) throw tooDeep(line);
    } else if ((c === 93 || c === 125) && depth > 0) depth--;
  }
}

/** Levels a line opens itself: its compact `- ` and `? ` indicators. */
function compactIndicators(line: string, from: number): number {
  const lead = /^(?:[-?](?:[ \t]+|$))*/.exec(line.slice(from))?.[0] ?? "";
  return lead.replace(/[^-?]/g, "").length;
}

/** Indentation levels (a stack of indents) plus each line's compact indicators. */
function checkBlockDepth(text: string): void {
  const indents: number[] = [];
  const lines = text.split("\n");
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n] as string;
    const indent = line.length - line.trimStart().length;
    const rest = line.slice(indent);
    if (rest === "" || rest.startsWith("#")) continue;
    while (indents.length > 0 && (indents[indents.length - 1] as number) >= indent) indents.pop();
    indents.push(indent);
    if (indents.length + compactIndicators(line, indent) > MAX_YAML_DEPTH) throw tooDeep(n + 1);
  }
}

/** Throws a RuleError when the text nests deeper than MAX_YAML_DEPTH. */
export function checkYamlDepth(text: string): void {
  checkFlowDepth(text);
  checkBlockDepth(text);
}
