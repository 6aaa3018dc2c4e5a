/**
 * Reading a dotted path (`actor.user.id`) of a parsed JSON value, compiled once per path: the
 * manifest normalizers (src/vendors/manifest/paths.ts) and the store's reads of rawLog
 * (src/store/derived.ts, src/store/source-fields.ts) read the same paths of every event, a few
 * dozen per event, through this one reader.
 */

/** A path's read: the value there, or undefined where the path is not there. */
export type PathRead = (value: unknown) => unknown;

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * The read of `path`'s keys (split at each dot; an array or null on the way: undefined). The
 * usual depths (one, two or three keys) are one closure with their keys fixed: no loop over the
 * keys and one call per read, where a closure per key took a call per key (Slack's
 * `actor.user.id`, three).
 */
export function pathReader(path: string): PathRead {
  const keys = path.split(".");
  const [k0 = "", k1 = "", k2 = ""] = keys;
  if (keys.length === 1) return (v) => (isObject(v) ? v[k0] : undefined);
  if (keys.length === 2)
    return (v) => {
      if (!isObject(v)) return undefined;
      const x = v[k0];
      return isObject(x) ? x[k1] : undefined;
    };
  if (keys.length === 3)
    return (v) => {
      if (!isObject(v)) return undefined;
      const x = v[k0];
      if (!isObject(x)) return undefined;
      const y = x[k1];
      return isObject(y) ? y[k2] : undefined;
    };
  return (v) => {
    let x = v;
    for (const k of keys) {
      if (!isObject(x)) return undefined;
      x = x[k];
    }
    return x;
  };
}
