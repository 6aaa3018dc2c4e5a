/** Opaque keyset cursors for /v1/logs: base64url of the last row's (time, id) and the sort. */

interface LogCursor {
  f: "eventTime" | "receivedAt";
  o: "asc" | "desc";
  t: number;
  id: string;
}

const b64url = (s: string) => btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

export function encodeCursor(c: LogCursor): string {
  return b64url(JSON.stringify([1, c.f, c.o, c.t, c.id]));
}

export function decodeCursor(s: string): LogCursor | null {
  try {
    const json = atob(s.replace(/-/g, "+").replace(/_/g, "/"));
    const v = JSON.parse(json) as unknown;
    if (!Array.isArray(v) || v.length !== 5 || v[0] !== 1) return null;
    const [, f, o, t, id] = v;
    if (f !== "eventTime" && f !== "receivedAt") return null;
    if (o !== "asc" && o !== "desc") return null;
    if (typeof t !== "number" || !Number.isSafeInteger(t)) return null;
    if (typeof id !== "string" || !/^[0-9a-f]{1,64}$/.test(id)) return null;
    return { f, o, t, id };
  } catch {
    return null;
  }
}
