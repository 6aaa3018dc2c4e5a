import { parse } from "sql-parser-cst";
import { type CstNode, isNode } from "./walk";

/**
 * A scheduled rule's query names its time window as `:from` and `:to` (docs/detections.md).
 * Before the read-only gate sees it, each is replaced by the window's bound as an ISO-8601
 * string literal, as a person would write it in POST /v1/sql, so the gate's time-range rewrite
 * (time-range.ts) lets the time index serve `eventTime >= :from AND eventTime < :to`. The
 * parameters are found by the SQL parser (never inside a string or a comment); any other
 * parameter is refused.
 */

export const WINDOW_PARAMS = [":from", ":to"] as const;

/** Why the text cannot be bound: a message naming the problem. */
export class WindowParamError extends Error {}

function parameters(sql: string): { text: string; start: number; end: number }[] {
  let program: unknown;
  try {
    program = parse(sql, { dialect: "sqlite", includeRange: true, paramTypes: [":name"] });
  } catch (error) {
    const first = (error instanceof Error ? error.message : String(error)).split("\n")[0];
    throw new WindowParamError(`the query does not parse: ${first}`);
  }
  const found: { text: string; start: number; end: number }[] = [];
  const stack: unknown[] = [program];
  while (stack.length > 0) {
    const n = stack.pop();
    if (Array.isArray(n)) stack.push(...n);
    else if (isNode(n)) {
      const node = n as CstNode & { text?: string; range?: [number, number] };
      if (node.type === "parameter" && node.range && typeof node.text === "string")
        found.push({ text: node.text, start: node.range[0], end: node.range[1] });
      else for (const v of Object.values(node)) if (typeof v === "object") stack.push(v);
    }
  }
  return found;
}

/** The window parameters the query uses; throws WindowParamError on any other parameter. */
export function windowParams(sql: string): string[] {
  const used = new Set<string>();
  for (const p of parameters(sql)) {
    if (!(WINDOW_PARAMS as readonly string[]).includes(p.text))
      throw new WindowParamError(
        `parameter "${p.text}" is not allowed: a scheduled query may use only :from and :to`,
      );
    used.add(p.text);
  }
  return [...used];
}

/** The query with `:from` and `:to` replaced by ISO-8601 literals of [from, to) (ms). */
export function bindWindow(sql: string, from: number, to: number): string {
  const value: Record<string, string> = {
    ":from": `'${new Date(from).toISOString()}'`,
    ":to": `'${new Date(to).toISOString()}'`,
  };
  windowParams(sql);
  const found = parameters(sql).sort((a, b) => b.start - a.start);
  let out = sql;
  for (const p of found) out = out.slice(0, p.start) + (value[p.text] ?? "") + out.slice(p.end);
  return out;
}
