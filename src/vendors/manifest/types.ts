import { z } from "zod";
import { isoTime } from "../event";

/**
 * The JSON types a manifest declares for the fields of an event (`map.types`) or of a page
 * (`poll.envelope`), e.g. `{ id: text, created_at: "string?", latitude: "string|number?" }`,
 * checked with zod so a failure reads like every vendor's (`zodMessage`): a wrong type fails
 * the event (invalid_event; invalid_time when an `iso` field fails) or the page (malformed).
 */

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
} as const;

type TypeName = keyof typeof TYPES;
const NAMES = Object.keys(TYPES).join("|");

/** `string`, `string|number`, `text?` (`?`: the field may be missing or null). */
export const TYPE_EXPRESSION = new RegExp(`^(?:${NAMES})(?:\\|(?:${NAMES}))*\\??$`);

function typeOf(expression: string): z.ZodType {
  const optional = expression.endsWith("?");
  const parts = expression
    .replace(/\?$/, "")
    .split("|")
    .map((t): z.ZodType => TYPES[t as TypeName]());
  const [first, ...rest] = parts as [z.ZodType, ...z.ZodType[]];
  const t = rest.length === 0 ? first : z.union([first, ...rest]);
  return optional ? t.nullish() : t;
}

type Shape = { [key: string]: Shape | z.ZodType };

/** The zod object of `{ "a.b": type }` (dotted paths nest; other keys pass), in the given order. */
export function typesSchema(types: Record<string, string>): z.ZodType | null {
  const entries = Object.entries(types);
  if (entries.length === 0) return null;
  const root: Shape = {};
  for (const [path, expression] of entries) {
    const keys = path.split(".");
    let node = root;
    for (const key of keys.slice(0, -1)) {
      const next = node[key];
      const child: Shape = next && !(next instanceof z.ZodType) ? next : {};
      node[key] = child;
      node = child;
    }
    node[keys.at(-1) as string] = typeOf(expression);
  }
  const build = (shape: Shape): z.ZodType =>
    z.looseObject(
      Object.fromEntries(
        Object.entries(shape).map(([k, v]) => [k, v instanceof z.ZodType ? v : build(v)]),
      ),
    );
  return build(root);
}
