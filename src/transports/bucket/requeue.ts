import { findSource } from "../../config";
import type { ErrorCode } from "../../lib/errors";
import type { StatePorts } from "../../ports";
import { type BucketSource, isBucketSource } from "./kept";
import type { BucketMessage, ExternalObject, R2Notification } from "./messages";
import { storeFor } from "./stores";

/** Replaying a file-level quarantine entry: the object is queued again, its failure cleared. */

type Requeued =
  | { status: "queued"; result: { key: string } }
  | { status: "failed"; code: ErrorCode; message: string };

/** An object to read again: its key, and its source when it is in a vendor's own bucket. */
export interface ObjectToReplay {
  key: string;
  source?: BucketSource;
}

function bucketSource(env: Env, id: string | null | undefined): BucketSource | undefined {
  const s = id ? findSource(env, id) : undefined;
  return s && isBucketSource(s) ? s : undefined;
}

/** The object a file-level entry (unreadable file, dead letter, route failure) is about. */
export function objectOf(
  env: Env,
  q: { rawRef: string | null; sourceID: string | null },
  message: BucketMessage | null,
): ObjectToReplay | null {
  if (q.rawRef?.startsWith("landing/")) return { key: q.rawRef.slice("landing/".length) };
  // s3://bucket/key, gs://bucket/key, azure://account/container/key
  const external = q.rawRef?.match(/^(?:s3|gs):\/\/[^/]+\/(.+)$|^azure:\/\/[^/]+\/[^/]+\/(.+)$/);
  const key = external?.[1] ?? external?.[2];
  const source = bucketSource(env, q.sourceID);
  if (key && source) return { key, source };
  if (message?.kind === "notification") return { key: message.n.object.key };
  if (message?.kind === "continue")
    return { key: message.c.key, source: bucketSource(env, message.c.sourceId) };
  if (message?.kind === "object")
    return { key: message.o.key, source: bucketSource(env, message.o.sourceId) };
  return null;
}

export async function requeue(
  env: Env,
  ports: StatePorts,
  { key, source }: ObjectToReplay,
  notifiedBucket = "auditflare-landing",
): Promise<Requeued> {
  const store = storeFor(env, source ?? {});
  const head = await store.head(key);
  if (!head)
    return {
      status: "failed",
      code: "object_missing",
      message: `object ${store.url(key)} no longer exists`,
    };
  await ports.objects.clearFailed(key, head.eTag);
  const external = source?.s3?.bucket ?? source?.gcs?.bucket ?? source?.azure?.container;
  const message: R2Notification | ExternalObject =
    source && external
      ? {
          kind: "auditflare.object",
          sourceId: source.id,
          bucket: external,
          key,
          eTag: head.eTag,
          size: head.size,
        }
      : {
          account: "replay",
          action: "PutObject",
          bucket: notifiedBucket,
          object: { key, size: head.size, eTag: head.eTag },
          eventTime: new Date().toISOString(),
        };
  await env.BUCKET_EVENTS.send(message, { contentType: "json" });
  return { status: "queued", result: { key } };
}
