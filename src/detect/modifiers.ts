import { RuleError } from "./errors";
import type { StringMode } from "./strings";

export type Comparison = "lt" | "lte" | "gt" | "gte";

/** The modifiers of one `field|mod|mod` key, checked for combinations that make sense. */
export interface Modifiers {
  mode: StringMode;
  all: boolean;
  cased: boolean;
  re: boolean;
  /** RegExp flags from the re sub-modifiers i, m, s. */
  reFlags: string;
  cidr: boolean;
  exists: boolean;
  compare: Comparison | null;
  /** As written after the field, e.g. "|contains|all" ("" for none). */
  text: string;
}

const SUPPORTED = new Set([
  "contains",
  "startswith",
  "endswith",
  "all",
  "cased",
  "re",
  "i",
  "m",
  "s",
  "cidr",
  "exists",
  "lt",
  "lte",
  "gt",
  "gte",
]);

/** Sigma modifiers this engine does not implement: refused as such, not as typos. */
const UNSUPPORTED = new Set([
  "windash",
  "base64",
  "base64offset",
  "utf16le",
  "utf16be",
  "utf16",
  "wide",
  "neq",
  "expand",
  "fieldref",
  "minute",
  "hour",
  "day",
  "week",
  "month",
  "year",
]);

const STRING_MODES = new Set(["contains", "startswith", "endswith"]);
const COMPARISONS = new Set(["lt", "lte", "gt", "gte"]);

function kindOf(name: string): string {
  if (STRING_MODES.has(name) || name === "cased") return "string";
  if (COMPARISONS.has(name)) return "compare";
  if (name === "i" || name === "m" || name === "s") return "re";
  return name;
}

/** Parses the modifier names after a field; throws a RuleError naming the line. */
export function parseModifiers(names: string[], line: number, field: string): Modifiers {
  const mods: Modifiers = {
    mode: "equals",
    all: false,
    cased: false,
    re: false,
    reFlags: "",
    cidr: false,
    exists: false,
    compare: null,
    text: names.map((n) => `|${n}`).join(""),
  };
  const seen = new Set<string>();
  const kinds = new Set<string>();
  for (const raw of names) {
    const name = raw.trim();
    if (UNSUPPORTED.has(name))
      throw new RuleError(`modifier "${name}" is not supported`, line, field);
    if (!SUPPORTED.has(name)) throw new RuleError(`unknown modifier "${name}"`, line, field);
    if (seen.has(name)) throw new RuleError(`modifier "${name}" is repeated`, line, field);
    seen.add(name);
    if (name !== "all") kinds.add(kindOf(name));
    if (STRING_MODES.has(name)) {
      if (mods.mode !== "equals") throw conflict(mods.mode, name, line, field);
      mods.mode = name as StringMode;
    } else if (COMPARISONS.has(name)) {
      if (mods.compare) throw conflict(mods.compare, name, line, field);
      mods.compare = name as Comparison;
    } else if (name === "i" || name === "m" || name === "s") {
      if (!seen.has("re"))
        throw new RuleError(`modifier "${name}" needs "re" before it`, line, field);
      mods.reFlags += name;
    } else if (name === "all") mods.all = true;
    else if (name === "cased") mods.cased = true;
    else if (name === "re") mods.re = true;
    else if (name === "cidr") mods.cidr = true;
    else if (name === "exists") mods.exists = true;
  }
  if (kinds.size > 1) {
    const [a, b] = [...seen].filter((n) => n !== "all");
    throw conflict(a ?? "", b ?? "", line, field);
  }
  if (mods.exists && mods.all) throw conflict("exists", "all", line, field);
  return mods;
}

function conflict(a: string, b: string, line: number, field: string): RuleError {
  return new RuleError(`modifiers "${a}" and "${b}" cannot be combined`, line, field);
}
