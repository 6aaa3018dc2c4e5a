import { type PathRead, pathReader } from "../../lib/json-path";
import { parseTimestamp } from "../../lib/time";
import type { TimeFormat } from "./schema";

/** Reading a manifest's paths, templates and time formats. */

/** Each path's keys, split once (manifests name a few dozen paths). */
const KEYS = new Map<string, string[]>();
const keysOf = (path: string) => {
  const known = KEYS.get(path);
  if (known) return known;
  const keys = path.split(".");
  KEYS.set(path, keys);
  return keys;
};

/** The value at a dotted path ("" : the value itself); undefined when it is not there. */
export function at(value: unknown, path: string): unknown {
  if (path === "") return value;
  let v = value;
  for (const key of keysOf(path)) {
    if (v === null || typeof v !== "object" || Array.isArray(v)) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

/**
 * `at(value, path)` compiled once (pathReader: no split, no lookup and one call per read;
 * manifests are compiled when the Worker starts).
 */
export function getter(path: string): PathRead {
  if (path === "") return (v) => v;
  return pathReader(path);
}

/** A copy of `value` with `path` set to `v` (objects on the way are created). */
export function setAt(value: unknown, path: string, v: unknown): unknown {
  if (path === "") return v;
  const [key, ...rest] = path.split(".") as [string, ...string[]];
  const obj = value !== null && typeof value === "object" ? (value as Record<string, unknown>) : {};
  return { ...obj, [key]: setAt(obj[key], rest.join("."), v) };
}

/** A value as text: strings as they are, numbers and booleans written, others null. */
export function text(v: unknown): string | null {
  if (typeof v === "string") return v.length > 0 ? v : null;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return null;
}

/** `{name}` placeholders filled from `vars` (a placeholder of nothing stays empty). */
export const fill = (template: string, vars: (name: string) => string | null) =>
  template.replace(/\{([^{}]+)\}/g, (_, name: string) => vars(name.trim()) ?? "");

/** A vendor time in `format` as epoch ms, or null when it is not one. */
export function readTime(v: unknown, format: TimeFormat): number | null {
  if (format === "iso") return typeof v === "string" ? parseTimestamp(v) : null;
  const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
  if (!Number.isFinite(n)) return null;
  return format === "epoch_s" ? Math.round(n * 1000) : Math.round(n);
}

/** Epoch ms written in `format`. */
export function writeTime(ms: number, format: TimeFormat): string | number {
  if (format === "iso") return new Date(ms).toISOString();
  return format === "epoch_s" ? Math.floor(ms / 1000) : ms;
}
