/** Opaque keyset cursors for /v1/logs: base64url of the last row's (time, key) and the sort. */

interface LogCursor {
  f: "eventTime" | "receivedAt";
  o: "asc" | "desc";
  t: number;
  /** The last row's tie-breaker: a logs key (src/store/keys.ts, decimal) or a quarantine id. */
  key: string;
}

const b64url = (s: string) => btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

export function encodeCursor(c: LogCursor): string {
  return b64url(JSON.stringify([2, c.f, c.o, c.t, c.key]));
}

export function decodeCursor(s: string): LogCursor | null {
  try {
    const json = atob(s.replace(/-/g, "+").replace(/_/g, "/"));
    const v = JSON.parse(json) as unknown;
    if (!Array.isArray(v) || v.length !== 5 || v[0] !== 2) return null;
    const [, f, o, t, key] = v;
    if (f !== "eventTime" && f !== "receivedAt") return null;
    if (o !== "asc" && o !== "desc") return null;
    if (typeof t !== "number" || !Number.isSafeInteger(t)) return null;
    if (typeof key !== "string" || !/^-?[0-9a-f]{1,64}$/.test(key)) return null;
    return { f, o, t, key };
  } catch {
    return null;
  }
}

/** The alerts list's cursor (GET /v1/alerts, MCP list_alerts): base64 of [firstSeen, id]. */
export const encodeAlertsCursor = (firstSeen: number, id: string): string =>
  btoa(JSON.stringify([firstSeen, id]));

/** An alerts cursor decoded: null when it is not one encodeAlertsCursor wrote. */
export function decodeAlertsCursor(s: string): [number, string] | null {
  try {
    const v = JSON.parse(atob(s)) as unknown;
    if (
      Array.isArray(v) &&
      v.length === 2 &&
      typeof v[0] === "number" &&
      Number.isSafeInteger(v[0]) &&
      typeof v[1] === "string"
    )
      return [v[0], v[1]];
  } catch {}
  return null;
}
