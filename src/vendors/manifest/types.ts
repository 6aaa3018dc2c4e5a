import { z } from "zod";
import { parseTimestamp } from "../../lib/time";
import { isoTime } from "../event";

/**
 * The JSON types a manifest declares for the fields of an event (`map.types`) or of a page
 * (`poll.envelope`), e.g. `{ id: text, created_at: "string?", latitude: "string|number?" }`,
 * checked with zod so a failure reads like every vendor's (`zodMessage`): a wrong type fails
 * the event (invalid_event; invalid_time when an `iso` field fails) or the page (malformed).
 *
 * `?` after the types: the field may be missing or null; `|missing` / `|null` say only one of
 * the two. A path with children (`actor.id`, `context.location`) is an object holding them (its
 * own entry, `context: object?`, says whether it may be missing or null); `targets[].id` is a
 * list of objects holding `id`.
 *
 * Each check is compiled twice, once: a plain function that answers yes or no (run on every
 * event), and the zod schema, asked only when that says no, for zod's words.
 */

const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/** Each type's zod schema (for zod's words); whether a value passes is `passes`, below. */
const TYPES = {
  string: () => z.string(),
  text: () => z.string().min(1),
  number: () => z.number(),
  integer: () => z.number().int(),
  count: () => z.number().int().nonnegative(),
  boolean: () => z.boolean(),
  object: () => z.record(z.string(), z.unknown()),
  array: () => z.array(z.unknown()),
  iso: () => isoTime,
} as const satisfies Record<string, () => z.ZodType>;

type TypeName = keyof typeof TYPES;
const NAMES = [...Object.keys(TYPES), "missing", "null"].join("|");

/** `string`, `string|number`, `text?` (`?`: the field may be missing or null), `object|missing`. */
export const TYPE_EXPRESSION = new RegExp(`^(?:${NAMES})(?:\\|(?:${NAMES}))*\\??$`);

/** A compiled check: whether a value passes (fast), and the zod schema that says why not. */
interface Check {
  ok: (v: unknown) => boolean;
  schema: () => z.ZodType;
}

/** The types of an expression and whether the value may be missing / null. */
function modifiers(expression: string | undefined) {
  const any = expression?.endsWith("?") ?? false;
  const names = (expression ?? "").replace(/\?$/, "").split("|").filter(Boolean);
  return {
    types: names.filter((n): n is TypeName => n in TYPES),
    missing: any || names.includes("missing"),
    nullable: any || names.includes("null"),
  };
}

/** A schema as the expression's modifiers say: also missing (optional), null, or both. */
function schemaWithModifiers(
  schema: () => z.ZodType,
  expression: string | undefined,
): () => z.ZodType {
  const { missing, nullable } = modifiers(expression);
  if (!missing && !nullable) return schema;
  return () => {
    const s = schema();
    return missing && nullable ? s.nullish() : missing ? s.optional() : s.nullable();
  };
}

function withModifiers(check: Check, expression: string | undefined): Check {
  const { missing, nullable } = modifiers(expression);
  if (!missing && !nullable) return check;
  const { ok } = check;
  return {
    ok: (v) => (v === undefined ? missing : v === null ? nullable : ok(v)),
    schema: schemaWithModifiers(check.schema, expression),
  };
}

/**
 * A leaf's check as bits, read by one function (`passes`) on every field: the object's loop
 * calls no closure per field, nor the wrapper of its `?` and the `some` of its alternatives.
 * Turso's 11 declared fields, its time parsed among them: 210 -> 160 ns an event (Node). The
 * one answer of whether a value is of a leaf's types (each bit as its zod schema in TYPES says),
 * MISSING and NULL included (as `withModifiers` says for a node with children).
 */
const BITS = {
  string: 1,
  text: 2,
  number: 4,
  integer: 8,
  count: 16,
  boolean: 32,
  object: 64,
  array: 128,
  iso: 256,
} as const satisfies Record<TypeName, number>;
const MISSING = 512;
const NULL = 1024;

function bitsOf(expression: string): number {
  const { types, missing, nullable } = modifiers(expression);
  let bits = (missing ? MISSING : 0) | (nullable ? NULL : 0);
  for (const t of types) bits |= BITS[t];
  return bits;
}

/** Whether `v` passes a leaf of these bits (`withModifiers(leaf(expression))`'s answer). */
function passes(bits: number, v: unknown): boolean {
  if (v === undefined) return (bits & MISSING) !== 0;
  if (v === null) return (bits & NULL) !== 0;
  if (typeof v === "string")
    return (
      (bits & BITS.string) !== 0 ||
      ((bits & BITS.text) !== 0 && v.length > 0) ||
      ((bits & BITS.iso) !== 0 && parseTimestamp(v) !== null)
    );
  if (typeof v === "number")
    return (
      ((bits & BITS.number) !== 0 && Number.isFinite(v)) ||
      ((bits & BITS.integer) !== 0 && Number.isSafeInteger(v)) ||
      ((bits & BITS.count) !== 0 && Number.isSafeInteger(v) && v >= 0)
    );
  if (typeof v === "boolean") return (bits & BITS.boolean) !== 0;
  if (typeof v !== "object") return false;
  return Array.isArray(v) ? (bits & BITS.array) !== 0 : (bits & BITS.object) !== 0;
}

/** A leaf's check: `passes` on its bits, its modifiers included, and its zod schema. */
function leaf(expression: string): Check {
  const bits = bitsOf(expression);
  const names = modifiers(expression).types;
  return {
    ok: (v) => passes(bits, v),
    schema: schemaWithModifiers(() => {
      const [a, ...rest] = names.map((n) => TYPES[n]());
      if (a === undefined) return z.never();
      return rest.length === 0 ? a : z.union([a, ...rest] as [z.ZodType, ...z.ZodType[]]);
    }, expression),
  };
}

/** A node of the declared paths: its own expression, its keys, or its list's items. */
interface Node {
  expression?: string;
  keys?: Map<string, Node>;
  items?: Node;
}

function compile(node: Node): Check {
  let check: Check;
  if (node.keys) {
    const entries = [...node.keys].map(([k, n]) => [k, compile(n)] as const);
    // keys and checks in parallel arrays, read by index (this runs on every event)
    const keys = entries.map(([k]) => k);
    // a leaf's bits (its check: `passes`), else -1 and its node's check in `oks`
    const bits = [...node.keys.values()].map((n) =>
      n.keys || n.items ? -1 : bitsOf(n.expression ?? "object"),
    );
    const oks = entries.map(([, c]) => c.ok);
    check = {
      ok: (v) => {
        if (!isRecord(v)) return false;
        for (let i = 0; i < keys.length; i++) {
          const b = bits[i] as number;
          const x = v[keys[i] as string];
          if (b >= 0 ? !passes(b, x) : !(oks[i] as Check["ok"])(x)) return false;
        }
        return true;
      },
      schema: () => z.looseObject(Object.fromEntries(entries.map(([k, c]) => [k, c.schema()]))),
    };
  } else if (node.items) {
    const item = compile(node.items);
    check = {
      ok: (v) => Array.isArray(v) && v.every(item.ok),
      schema: () => z.array(item.schema()),
    };
  } else return leaf(node.expression ?? "object");
  return withModifiers(check, node.expression);
}

/** A compiled types declaration: `ok` on every value, `issues` (zod's) only when it fails. */
export interface TypesCheck {
  ok: (v: unknown) => boolean;
  /** zod's issues for a value `ok` refused (none: zod accepts it after all). */
  issues: (v: unknown) => z.core.$ZodIssue[];
}

/** The check of `{ "a.b": type, "list[].c": type }`, in the given order; null when empty. */
export function typesCheck(types: Record<string, string>): TypesCheck | null {
  const entries = Object.entries(types);
  if (entries.length === 0) return null;
  const root: Node = { keys: new Map() };
  for (const [path, expression] of entries) {
    let node = root;
    for (const segment of path.split(".")) {
      const list = segment.endsWith("[]");
      const key = list ? segment.slice(0, -2) : segment;
      node.keys ??= new Map();
      let child = node.keys.get(key);
      if (!child) {
        child = {};
        node.keys.set(key, child);
      }
      if (list) {
        child.items ??= {};
        node = child.items;
      } else node = child;
    }
    node.expression = expression;
  }
  const check = compile(root);
  let schema: z.ZodType | null = null;
  return {
    ok: check.ok,
    issues: (v) => {
      schema ??= check.schema();
      const r = schema.safeParse(v);
      return r.success ? [] : r.error.issues;
    },
  };
}
