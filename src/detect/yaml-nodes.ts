import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  type LineCounter,
  type Node,
  type YAMLMap,
} from "yaml";
import { RuleError } from "./errors";

export interface Entry {
  key: string;
  value: Node | null;
  /** The key's line. */
  line: number;
  /** The value's line (the key's when the value is empty). */
  valueLine: number;
}

/** One parsed YAML document with the means to name a node's line in the whole text. */
export class Doc {
  constructor(
    readonly doc: Document.Parsed,
    private readonly lc: LineCounter,
  ) {}

  /** The 1-based line where a node starts (null without a place). */
  line(node: unknown, fallback: number | null = null): number | null {
    const range = (node as { range?: [number, number, number] | null } | null)?.range;
    return range ? this.lc.linePos(range[0]).line : fallback;
  }

  lineAt(offset: number): number {
    return this.lc.linePos(offset).line;
  }

  fail(message: string, line: number | null, field: string | null = null): never {
    throw new RuleError(message, line, field);
  }

  /** The node an alias stands for; null for an empty value. */
  deref(node: unknown): Node | null {
    if (node === null || node === undefined) return null;
    if (isAlias(node)) return (node.resolve(this.doc) as Node | undefined) ?? null;
    return node as Node;
  }

  /** The entries of a mapping, keys as strings, in order. */
  entries(node: unknown, what: string, line: number | null): Entry[] {
    const map = this.deref(node);
    if (!isMap(map)) this.fail(`${what} must be a mapping`, this.line(map, line), what);
    return (map as YAMLMap).items.map((pair) => {
      const keyNode = this.deref(pair.key);
      if (!isScalar(keyNode) || keyNode.value === null || typeof keyNode.value === "object") {
        this.fail(`${what}: a key must be a plain name`, this.line(keyNode, line), what);
      }
      const keyLine = this.line(keyNode, line) ?? 1;
      const value = this.deref(pair.value);
      return {
        key: String(keyNode.value),
        value,
        line: keyLine,
        valueLine: this.line(value, keyLine) ?? keyLine,
      };
    });
  }

  /** A scalar's value (null for an empty value); refuses mappings and lists. */
  scalar(node: Node | null, what: string, line: number): unknown {
    if (node === null) return null;
    if (!isScalar(node)) this.fail(`${what} must be a single value`, this.line(node, line), what);
    return node.value;
  }

  /** A non-empty string. */
  string(node: Node | null, what: string, line: number): string {
    const v = this.scalar(node, what, line);
    if (typeof v !== "string" || v.trim() === "")
      this.fail(`${what} must be a non-empty string`, line, what);
    return v;
  }

  /** One string or a list of strings, as a list. */
  strings(node: Node | null, what: string, line: number): string[] {
    if (!isSeq(node)) return [this.string(node, what, line)];
    return node.items.map((item) => {
      const n = this.deref(item);
      return this.string(n, what, this.line(n, line) ?? line);
    });
  }

  /** The items of a list (aliases resolved). */
  items(node: Node | null): (Node | null)[] | null {
    if (!isSeq(node)) return null;
    return node.items.map((item) => this.deref(item));
  }
}
