import type { SourceConfig } from "../../config";
import type { ErrorCode } from "../../lib/errors";
import type { ObjectRef, Ports, WholeEntry } from "../../ports";
import type { AzureConfig, GcsConfig, S3Config } from "../../vendors/fields";
import { storeFor } from "./stores";

/** What the bucket path keeps whole (files, messages) or skips (test objects, deletes). */

/** A source that reads files: an R2 prefix, or the vendor's own S3, GCS or Azure bucket. */
export type BucketSource = SourceConfig & {
  prefix?: string;
  s3?: S3Config;
  gcs?: GcsConfig;
  azure?: AzureConfig;
};

export const isBucketSource = (s: SourceConfig): s is BucketSource =>
  ("prefix" in s && !!s.prefix) ||
  ("s3" in s && !!s.s3) ||
  ("gcs" in s && !!s.gcs) ||
  ("azure" in s && !!s.azure);

/** Keeps a whole file or message in quarantine, counted once, its failure in health. */
export async function keep(ports: Ports, entry: WholeEntry): Promise<void> {
  await ports.quarantine.keepWhole(entry, Date.now(), true);
}

/** Counts a skipped object or delete event once per (key, version). */
export async function skip(ports: Ports, source: BucketSource, o: ObjectRef): Promise<void> {
  await ports.objects.skip({ ...o, sourceID: source.id }, Date.now());
}

/** One object version: its failures (fetch, parse, dead-letter) are one quarantine entry. */
export const objectIdentity = (ref: ObjectRef) => `object ${ref.bucket}/${ref.key}@${ref.eTag}`;

/** A file that cannot be read (further): kept in quarantine by pointer, its progress marked failed. */
export async function failObject(
  env: Env,
  ports: Ports,
  source: BucketSource,
  ref: ObjectRef,
  stage: string,
  errorCode: ErrorCode,
  error: string,
): Promise<void> {
  await keep(ports, {
    sourceID: source.id,
    sourceType: source.type,
    stage,
    errorCode,
    error,
    location: ref.key,
    raw: "",
    rawRef: source.prefix ? `landing/${ref.key}` : storeFor(env, source).url(ref.key),
    identity: objectIdentity(ref),
  });
  await ports.objects.finish({ ...ref, sourceID: source.id }, "failed", Date.now(), error);
}
