import { RuleError } from "./errors";
import type { StringMode } from "./strings";

export type Comparison = "lt" | "lte" | "gt" | "gte";
/** Value transforms, applied in the order written (src/detect/encodings.ts). */
export type Transform =
  | "windash"
  | "wide"
  | "utf16le"
  | "utf16be"
  | "utf16"
  | "base64"
  | "base64offset";
export type TimePart = "minute" | "hour" | "day" | "week" | "month" | "year";

/** The modifiers of one `field|mod|mod` key, checked for combinations that make sense. */
export interface Modifiers {
  mode: StringMode;
  all: boolean;
  cased: boolean;
  re: boolean;
  /** RE2 flags from the re sub-modifiers i, m, s. */
  reFlags: string;
  cidr: boolean;
  exists: boolean;
  compare: Comparison | null;
  transforms: Transform[];
  /** The field differs from every value. */
  neq: boolean;
  /** The value names another field of the same event. */
  fieldref: boolean;
  time: TimePart | null;
  /** As written after the field, e.g. "|contains|all" ("" for none). */
  text: string;
}

const STRING_MODES = new Set(["contains", "startswith", "endswith"]);
const COMPARISONS = new Set(["lt", "lte", "gt", "gte"]);
const TRANSFORMS = new Set([
  "windash",
  "wide",
  "utf16le",
  "utf16be",
  "utf16",
  "base64",
  "base64offset",
]);
const TIME_PARTS = new Set(["minute", "hour", "day", "week", "month", "year"]);
const RE_FLAGS = new Set(["i", "m", "s"]);
const OTHERS = new Set(["all", "cased", "re", "cidr", "exists", "neq", "fieldref"]);

/** Sigma modifiers this engine refuses, and why. */
const REFUSED: Record<string, string> = {
  expand:
    'modifier "expand" is not supported: its %placeholders% need a processing pipeline to give their values',
};

/** Which modifiers may combine: one kind per key (plus all, neq, cased with strings). */
function kindOf(name: string): string {
  if (STRING_MODES.has(name) || TRANSFORMS.has(name) || name === "cased") return "string";
  if (COMPARISONS.has(name) || TIME_PARTS.has(name)) return "compare";
  if (RE_FLAGS.has(name)) return "re";
  if (name === "fieldref") return "string";
  return name;
}

function blank(names: string[]): Modifiers {
  return {
    mode: "equals",
    all: false,
    cased: false,
    re: false,
    reFlags: "",
    cidr: false,
    exists: false,
    compare: null,
    transforms: [],
    neq: false,
    fieldref: false,
    time: null,
    text: names.map((n) => `|${n}`).join(""),
  };
}

function apply(mods: Modifiers, name: string, seen: Set<string>, line: number, field: string) {
  if (STRING_MODES.has(name)) {
    if (mods.mode !== "equals") throw conflict(mods.mode, name, line, field);
    mods.mode = name as StringMode;
  } else if (COMPARISONS.has(name)) {
    if (mods.compare) throw conflict(mods.compare, name, line, field);
    mods.compare = name as Comparison;
  } else if (RE_FLAGS.has(name)) {
    if (!seen.has("re"))
      throw new RuleError(`modifier "${name}" needs "re" before it`, line, field);
    mods.reFlags += name;
  } else if (TRANSFORMS.has(name)) mods.transforms.push(name as Transform);
  else if (TIME_PARTS.has(name)) {
    if (mods.time) throw conflict(mods.time, name, line, field);
    mods.time = name as TimePart;
  } else if (name === "all") mods.all = true;
  else if (name === "cased") mods.cased = true;
  else if (name === "re") mods.re = true;
  else if (name === "cidr") mods.cidr = true;
  else if (name === "exists") mods.exists = true;
  else if (name === "neq") mods.neq = true;
  else if (name === "fieldref") mods.fieldref = true;
}

/** Parses the modifier names after a field; throws a RuleError naming the line. */
export function parseModifiers(names: string[], line: number, field: string): Modifiers {
  const mods = blank(names);
  const seen = new Set<string>();
  const kinds = new Set<string>();
  for (const raw of names) {
    const name = raw.trim();
    const refused = REFUSED[name];
    if (refused) throw new RuleError(refused, line, field);
    const known =
      STRING_MODES.has(name) ||
      COMPARISONS.has(name) ||
      TRANSFORMS.has(name) ||
      TIME_PARTS.has(name) ||
      RE_FLAGS.has(name) ||
      OTHERS.has(name);
    if (!known) throw new RuleError(`unknown modifier "${name}"`, line, field);
    if (seen.has(name)) throw new RuleError(`modifier "${name}" is repeated`, line, field);
    seen.add(name);
    if (name !== "all" && name !== "neq") kinds.add(kindOf(name));
    apply(mods, name, seen, line, field);
  }
  if (kinds.size > 1) {
    const [a, b] = [...seen].filter((n) => n !== "all" && n !== "neq");
    throw conflict(a ?? "", b ?? "", line, field);
  }
  if (mods.exists && (mods.all || mods.neq))
    throw conflict("exists", mods.all ? "all" : "neq", line, field);
  if (mods.fieldref && mods.transforms.length > 0)
    throw conflict("fieldref", mods.transforms[0] ?? "", line, field);
  return mods;
}

function conflict(a: string, b: string, line: number, field: string): RuleError {
  return new RuleError(`modifiers "${a}" and "${b}" cannot be combined`, line, field);
}
