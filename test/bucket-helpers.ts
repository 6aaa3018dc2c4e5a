import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import worker from "../src/index";

export const QUEUE = "auditflare-bucket-events";
let seq = 0;

export interface Delivery {
  body: unknown;
  attempts?: number;
  id?: string;
}

/** Writes an object to the landing bucket and returns the notification R2 would send for it. */
export async function putObject(
  key: string,
  body: string | Uint8Array,
  action: "PutObject" | "CopyObject" | "CompleteMultipartUpload" = "PutObject",
) {
  const object = await env.LANDING.put(key, body);
  if (!object) throw new Error("put failed");
  return {
    account: "9a3f51c07be24d86a1e0c4b7d2f85e63",
    action,
    bucket: "auditflare-landing",
    object: { key, size: object.size, eTag: object.etag },
    eventTime: new Date().toISOString(),
  };
}

export function deleteNotification(
  key: string,
  action: "DeleteObject" | "LifecycleDeletion" = "DeleteObject",
) {
  return {
    account: "9a3f51c07be24d86a1e0c4b7d2f85e63",
    action,
    bucket: "auditflare-landing",
    object: { key },
    eventTime: new Date().toISOString(),
  };
}

/** Delivers messages to the Worker's queue handler as the Queues runtime would; returns acks/retries. */
export async function deliver(deliveries: Delivery[], queue = QUEUE, withEnv: Env = env) {
  const batch = createMessageBatch(
    queue,
    deliveries.map((d) => ({
      id: d.id ?? `msg-${++seq}`,
      timestamp: new Date(),
      attempts: d.attempts ?? 1,
      body: d.body,
    })),
  );
  const ctx = createExecutionContext();
  await (
    worker as unknown as { queue: (b: MessageBatch, e: Env, c: ExecutionContext) => Promise<void> }
  ).queue(batch, withEnv, ctx);
  return getQueueResult(batch, ctx);
}
