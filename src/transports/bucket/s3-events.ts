import { z } from "zod";
import type { Ports } from "../../ports";
import type { S3Config } from "../../vendors/fields";
import type { BucketSource } from "./kept";
import type { ExternalObject } from "./messages";

/**
 * S3 event notifications (docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html),
 * as SNS (`Message`) and SQS (the body, or an SNS envelope in it) carry them: the objects they
 * announce, one queue message each. Keys arrive URL-encoded with `+` for a space.
 */

const s3Record = z.looseObject({
  eventVersion: z.string().regex(/^2\.\d+$/, "must be 2.x"),
  eventName: z.string(),
  s3: z.looseObject({
    bucket: z.looseObject({ name: z.string().min(1) }),
    object: z.looseObject({
      key: z.string().min(1),
      size: z.number().int().nonnegative().optional(),
      eTag: z.string().optional(),
      sequencer: z.string().optional(),
    }),
  }),
});

const s3Event = z.union([
  z.looseObject({ Records: z.array(s3Record).min(1) }),
  z.looseObject({ Event: z.literal("s3:TestEvent") }),
]);

export type S3EventObjects =
  | { kind: "test" }
  | { kind: "objects"; objects: ExternalObject[]; skipped: number }
  | { kind: "invalid"; error: string };

const decodeKey = (key: string) => {
  try {
    return decodeURIComponent(key.replace(/\+/g, " "));
  } catch {
    return key;
  }
};

/**
 * The objects of an S3 event that this source reads: created objects in its bucket under its
 * prefix. Removals and objects elsewhere are counted as skipped.
 */
export function s3EventObjects(sourceId: string, c: S3Config, text: string): S3EventObjects {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { kind: "invalid", error: "the message is not JSON (an S3 event notification is)" };
  }
  const parsed = s3Event.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      kind: "invalid",
      error: `not an S3 event notification: ${issue?.path.join(".") || "message"}: ${issue?.message}`,
    };
  }
  if (!("Records" in parsed.data)) return { kind: "test" };
  const objects: ExternalObject[] = [];
  let skipped = 0;
  for (const r of parsed.data.Records as z.infer<typeof s3Record>[]) {
    const key = decodeKey(r.s3.object.key);
    const ours = r.s3.bucket.name === c.bucket && key.startsWith(c.prefix);
    if (!ours || !r.eventName.startsWith("ObjectCreated:")) {
      skipped++;
      continue;
    }
    objects.push({
      kind: "auditflare.object",
      sourceId,
      bucket: c.bucket,
      key,
      eTag: r.s3.object.eTag ?? "",
      size: r.s3.object.size ?? null,
    });
  }
  return { kind: "objects", objects, skipped };
}

/** Queues the objects (one message each) for the bucket consumer. */
export async function enqueueObjects(env: Env, objects: ExternalObject[]): Promise<void> {
  for (let i = 0; i < objects.length; i += 100)
    await env.BUCKET_EVENTS.sendBatch(
      objects.slice(i, i + 100).map((body) => ({ body, contentType: "json" as const })),
    );
}

/**
 * Acts on an S3 event (SNS or SQS): its objects queued, a test event and foreign objects counted
 * as skipped, anything else kept in quarantine under `where` (e.g. "sns <MessageId>").
 */
export async function handleS3Event(
  env: Env,
  ports: Ports,
  source: BucketSource & { s3: S3Config },
  event: string | { error: string },
  where: { location: string; raw: string },
  now: number,
): Promise<S3EventObjects> {
  const r =
    typeof event === "string"
      ? s3EventObjects(source.id, source.s3, event)
      : { kind: "invalid" as const, error: event.error };
  if (r.kind === "invalid") {
    await ports.quarantine.keepWhole(
      {
        sourceID: source.id,
        sourceType: source.type,
        stage: "route",
        errorCode: "not_an_s3_event",
        error: r.error,
        location: where.location,
        raw: where.raw,
        identity: `${source.id} ${where.location}`,
      },
      now,
    );
    return r;
  }
  if (r.kind === "objects") await enqueueObjects(env, r.objects);
  const skipped = r.kind === "test" ? 1 : r.skipped;
  if (skipped > 0) await ports.health.countSkipped(source.id, skipped);
  return r;
}
