import { type Ipdb, IpdbFormatError } from "./ipdb";
import { parseIpdb, readPrefix } from "./ipdb-parse";

/**
 * The one storage call of the enrichment stage: the IP database, loaded from R2 once per
 * isolate and kept as typed-array views. The pointer object names the current versioned blob;
 * it is re-read every few minutes, so flipping it (docs/enrichment.md) takes effect without a
 * deploy, while a missing or broken blob only means null AS fields, never a failed ingest.
 */

export const POINTER_KEY = "ipdb/current.json";
/** How long a loaded database is used before the pointer is checked again. */
export const RECHECK_MS = 10 * 60_000;
/** How long to wait before trying again after the blob was missing or failed to load. */
const RETRY_MS = 60_000;

export type IpdbState =
  | {
      status: "ok";
      db: Ipdb;
      key: string;
      loadedAt: number;
      checkedAt: number;
      loadMs: number;
      compressedBytes: number;
      /** Set when a newer pointer could not be loaded and this (older) database kept serving. */
      warning?: string;
    }
  | { status: "missing" | "error"; message: string; key: string | null; checkedAt: number };

interface Pointer {
  key: string;
  version?: string;
}

let current: IpdbState | null = null;
let pending: Promise<IpdbState> | null = null;

/** Forget the loaded database (tests; a new isolate starts like this). */
export function resetIpdbCache(): void {
  current = null;
  pending = null;
}

/**
 * The current database, loading or re-checking it when due. Never throws: every failure is a
 * state with a message (which GET /v1/sources shows).
 */
export async function getIpdb(bucket: R2Bucket | undefined, now = Date.now()): Promise<IpdbState> {
  const c = current;
  if (c) {
    const age = now - c.checkedAt;
    if (c.status === "ok" ? age < RECHECK_MS : age < RETRY_MS) return c;
  }
  if (!pending) {
    pending = refresh(bucket, c, now)
      .catch(
        (e: unknown): IpdbState => ({
          status: "error",
          message: e instanceof Error ? e.message : String(e),
          key: null,
          checkedAt: now,
        }),
      )
      .then((s) => {
        if (s.status !== "ok") console.warn(`ipdb: ${s.status}: ${s.message}`);
        // A failed refresh keeps the database already loaded, and says why in its state.
        current =
          s.status !== "ok" && c?.status === "ok"
            ? { ...c, checkedAt: now, warning: s.message }
            : s;
        pending = null;
        return current;
      });
  }
  return pending;
}

async function refresh(
  bucket: R2Bucket | undefined,
  previous: IpdbState | null,
  now: number,
): Promise<IpdbState> {
  if (!bucket)
    return { status: "missing", message: "no IPDB R2 binding", key: null, checkedAt: now };
  const pointerObj = await bucket.get(POINTER_KEY);
  if (!pointerObj)
    return {
      status: "missing",
      message: `no ${POINTER_KEY} in the IPDB bucket (run npm run ipdb:build -- --upload local|remote)`,
      key: null,
      checkedAt: now,
    };
  let pointer: Pointer;
  try {
    pointer = JSON.parse(await pointerObj.text()) as Pointer;
  } catch {
    return { status: "error", message: `${POINTER_KEY} is not JSON`, key: null, checkedAt: now };
  }
  if (typeof pointer?.key !== "string" || !pointer.key)
    return { status: "error", message: `${POINTER_KEY} names no key`, key: null, checkedAt: now };
  // Same blob as before: keep the views, just note the check.
  if (previous?.status === "ok" && previous.key === pointer.key)
    return { ...previous, checkedAt: now, warning: undefined };

  const t0 = performance.now();
  const obj = await bucket.get(pointer.key);
  if (!obj)
    return {
      status: "missing",
      message: `${POINTER_KEY} names ${pointer.key}, which is not in the IPDB bucket`,
      key: pointer.key,
      checkedAt: now,
    };
  try {
    const bytes = await gunzipSized(obj.body);
    const db = parseIpdb(bytes);
    return {
      status: "ok",
      db,
      key: pointer.key,
      loadedAt: now,
      checkedAt: now,
      loadMs: Math.round(performance.now() - t0),
      compressedBytes: obj.size,
    };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return {
      status: "error",
      message: `${pointer.key}: ${message}`,
      key: pointer.key,
      checkedAt: now,
    };
  }
}

/**
 * Decompress a gzipped blob into one buffer of the size its prefix announces: the compressed
 * stream is never held whole, and the output is allocated once (no doubling while growing).
 */
export async function gunzipSized(body: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const reader = body.pipeThrough(new DecompressionStream("gzip")).getReader();
  let out: Uint8Array | null = null;
  let head: Uint8Array[] = [];
  let headLen = 0;
  let filled = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (!out) {
      head.push(value);
      headLen += value.length;
      if (headLen < 16) continue;
      const first = concat(head, headLen);
      out = new Uint8Array(readPrefix(first).totalBytes);
      if (first.length > out.length) throw new IpdbFormatError("ipdb blob is longer than it says");
      out.set(first, 0);
      filled = first.length;
      head = [];
      continue;
    }
    if (filled + value.length > out.length) {
      await reader.cancel();
      throw new IpdbFormatError("ipdb blob is longer than it says");
    }
    out.set(value, filled);
    filled += value.length;
  }
  if (!out || filled !== out.length)
    throw new IpdbFormatError(`ipdb blob is truncated (${filled} of ${out?.length ?? "?"} bytes)`);
  return out;
}

function concat(parts: Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0] as Uint8Array;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
