import { AuditflareError } from "../../lib/errors";
import { readSecret } from "../../lib/secrets";

/**
 * The interface every bucket's reader implements (src/transports/bucket/stores.ts picks one per
 * source), and the helpers they share: statuses in an operator's words, the answer to a GET.
 */

export interface StoredObject {
  body: ReadableStream<Uint8Array>;
  /** The version read (R2/S3/Azure ETag, GCS generation). */
  eTag: string;
  size: number | null;
  /** Uploaded through the API (POST /v1/sources/:id/files), not delivered by the vendor. */
  upload: boolean;
}

/** `missing`: no such object; `changed`: not the version asked for. */
export type ObjectRead = StoredObject | "missing" | "changed";

export interface ObjectStore {
  /** The object at `key` (only version `eTag` when given), from byte `offset`. */
  get(key: string, opts?: { eTag?: string; offset?: number }): Promise<ObjectRead>;
  /** The current version of `key`, or null when there is none. */
  head(key: string): Promise<{ eTag: string; size: number } | null>;
  /** The object's address as operators write it: r2://…, s3://…, gs://…, azure://… */
  url(key: string): string;
}

/** A bucket that answered with an error worth telling (403, 5xx): the message retries. */
export class BucketReadError extends AuditflareError {}

export const unquote = (etag: string | null | undefined) =>
  (etag ?? "").replace(/^(W\/)?"|"$/g, "");

export const encodeKey = (key: string) => key.split("/").map(encodeURIComponent).join("/");

/**
 * Checks a bucket's HTTP status: fine (200, 206), `changed` (412), or an error in words an
 * operator can act on. A 404 is an error too (retried, then dead-lettered, never dropped): the
 * notification said the object exists, and S3 answers 404 for keys it will not confirm either way.
 * `detail`: the bucket's own error code (Azure's x-ms-error-code), shown after the status.
 */
export function checkStatus(status: number, where: string, detail = ""): "ok" | "changed" {
  const code = detail ? `HTTP ${status} ${detail}` : `HTTP ${status}`;
  if (status === 404)
    throw new BucketReadError(
      "bucket_read_failed",
      `${where} does not exist or cannot be seen (${code})`,
    );
  if (status === 412) return "changed";
  if (status === 200 || status === 206) return "ok";
  const what =
    status === 403 || status === 401
      ? `the credentials cannot read ${where}`
      : `reading ${where} failed`;
  throw new BucketReadError("bucket_read_failed", `${what} (${code})`);
}

/** Reads a bucket's answer to a GET: the object, `changed`, or a thrown BucketReadError. */
export function answer(
  res: Response,
  where: string,
  eTag: string | undefined,
  detail?: string,
): ObjectRead {
  if (checkStatus(res.status, where, detail) === "changed") {
    res.body?.cancel().catch(() => {});
    return "changed";
  }
  const range = res.headers.get("content-range")?.match(/\/(\d+)$/);
  const length = res.headers.get("content-length");
  return {
    body: res.body ?? new Blob([]).stream(),
    eTag: unquote(res.headers.get("etag")) || res.headers.get("x-goog-generation") || eTag || "",
    size: range ? Number(range[1]) : length ? Number(length) : null,
    upload: false,
  };
}

/** A secret a bucket reader needs, or a BucketReadError saying how to set it. */
export function secret(env: Env, name: string, what: string): string {
  const v = readSecret(env, name);
  if (!v)
    throw new BucketReadError(
      "config_invalid",
      `the secret ${name} (${what}) is not set: add it with \`wrangler secret put ${name}\``,
    );
  return v;
}
