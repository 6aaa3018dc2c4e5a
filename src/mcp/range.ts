import { z } from "zod";
import { AppError } from "../lib/errors";
import { isoTime } from "../routes/logs";

/**
 * A time range as tools take it: `last` (relative: `15m`, `24h`, `7d`, `2w`), or `from` and/or
 * `to` (ISO-8601 date-times or dates, under the same rule as GET /v1/logs's); `last` and `from`
 * exclude each other.
 */
export const RangeInput = {
  last: z
    .string()
    .regex(/^\d{1,4}[mhdw]$/)
    .optional()
    .describe("relative range ending now: 15m, 24h, 7d, 2w (minutes, hours, days, weeks)"),
  from: z
    .string()
    .max(40)
    .optional()
    .describe("inclusive lower bound, ISO-8601 (2026-11-30T00:00:00Z) or a date (2026-11-30)"),
  to: z.string().max(40).optional().describe("exclusive upper bound, ISO-8601 or a date"),
};

const UNIT = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

function time(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const t = isoTime.safeParse(value);
  if (!t.success)
    throw new AppError(
      "invalid_parameter",
      `"${name}" must be an ISO-8601 date-time or date between 1970-01-01 and one day from now`,
    );
  return t.data;
}

/** The range in epoch milliseconds; AppError 400 naming the argument that is wrong. */
export function rangeOf(
  r: { last?: string; from?: string; to?: string },
  now: number,
): { from?: number; to?: number } {
  if (r.last !== undefined && r.from !== undefined)
    throw new AppError("invalid_parameter", `"last" and "from" exclude each other`);
  const to = time(r.to, "to");
  let from = time(r.from, "from");
  if (r.last !== undefined) {
    const n = Number(r.last.slice(0, -1));
    from = (to ?? now) - n * UNIT[r.last.slice(-1) as keyof typeof UNIT];
  }
  if (from !== undefined && to !== undefined && from >= to)
    throw new AppError("invalid_parameter", `"from" must be before "to"`);
  return { from, to };
}
