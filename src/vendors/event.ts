import { z } from "zod";
import type { ErrorCode } from "../lib/errors";
import { parseIP } from "../lib/ip";
import { parseTimestamp } from "../lib/time";
import type { Endpoint, NormalizedEvent } from "../model/event";

export type { Endpoint, NormalizedEvent };

type NormalizeResult =
  | { ok: true; event: NormalizedEvent }
  | { ok: false; code: ErrorCode; message: string };

/** One record handed to a normalizer: the parsed value and its original text. */
interface RawRecord {
  value: unknown;
  raw: string;
}

export interface Normalizer {
  /** Whether a parsed JSON object is one event (rather than an envelope around events). */
  isEvent(value: Record<string, unknown>): boolean;
  normalize(record: RawRecord): NormalizeResult;
}

export const emptyEndpoint = (ip: string | null = null): Endpoint => ({ ip });

/** Flattens a JSON object into a string map (the `actor`/`tags` column type). */
export function stringMap(obj: Record<string, unknown> | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!obj) return out;
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined || v === null) continue;
    out[k] = typeof v === "string" ? v : JSON.stringify(v);
  }
  return out;
}

export function zodMessage(
  issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>,
): string {
  return issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.map(String).join(".") : "event"}: ${i.message}`)
    .join("; ");
}

/** The message of every time check, so a failure on a time is told apart (`invalid_time`). */
/**
 * The common `actor` map: the parts that are set, plus `email` when the actor's name is an
 * email address (vendors that name users by their email: CircleCI, Turbopuffer).
 */
export function actorMap(parts: Record<string, string | null | undefined>): Record<string, string> {
  const actor: Record<string, string> = {};
  for (const [k, v] of Object.entries(parts)) if (v) actor[k] = v;
  if (!actor.email && actor.name && /^[^@\s]+@[^@\s]+$/.test(actor.name)) actor.email = actor.name;
  return actor;
}

export const TIME_MESSAGE = "not an ISO-8601 date-time";

/** A vendor time field: an ISO-8601 date-time (no zone = UTC); its failure is `invalid_time`. */
export const isoTime = z.string().refine((s) => parseTimestamp(s) !== null, TIME_MESSAGE);

/** A failed validation: `invalid_time` when a time was what failed, else `invalid_event`. */
export function zodFailure(
  issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>,
): NormalizeResult {
  const time = issues.some((i) => i.message === TIME_MESSAGE);
  return { ok: false, code: time ? "invalid_time" : "invalid_event", message: zodMessage(issues) };
}

/** A valid event: the common shape, with no destination and no enrichments yet. */
export function accepted(e: Omit<NormalizedEvent, "dst" | "enrichments">): NormalizeResult {
  return { ok: true, event: { ...e, dst: emptyEndpoint(), enrichments: [] } };
}

/** The source endpoint of an address a vendor sent, when it is an IP address. */
export const sourceIp = (ip: string | null | undefined): Endpoint =>
  emptyEndpoint(ip && parseIP(ip) ? ip : null);
