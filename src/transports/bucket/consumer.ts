import { findSource, loadSources } from "../../config";
import { describeError } from "../../lib/errors";
import { OutboundError } from "../../lib/outbound";
import { readSecret } from "../../lib/secrets";
import type { ObjectRef, Ports } from "../../ports";
import { isVendorTestObject } from "../../vendors";
import { type BucketSource, isBucketSource, keep, objectIdentity, skip } from "./kept";
import {
  type BucketMessage,
  type Continuation,
  isDelete,
  parseBucketMessage,
  type R2Notification,
} from "./messages";
import { type Budget, ingestObject } from "./object";
import { BucketReadError } from "./stores";

export { CHUNK_RECORDS, ingestObject } from "./object";

const refOf = (m: BucketMessage): ObjectRef => {
  if (m.kind === "notification")
    return { bucket: m.n.bucket, key: m.n.object.key, eTag: m.n.object.eTag ?? "" };
  const { bucket, key, eTag } = m.kind === "continue" ? m.c : m.o;
  return { bucket, key, eTag };
};

/** Records one invocation handles before handing the rest of the file to a continuation message. */
const DEFAULT_RECORD_BUDGET = 100_000;

/** The source of a message: named (a vendor's own bucket), or by the R2 key's prefix. */
function sourceOf(env: Env, m: BucketMessage): BucketSource | undefined {
  const named =
    m.kind === "object" ? m.o.sourceId : m.kind === "continue" ? m.c.sourceId : undefined;
  if (named === undefined) return routeKey(env, refOf(m).key);
  const source = findSource(env, named);
  return source && isBucketSource(source) ? source : undefined;
}

/** The R2 bucket source whose prefix the key starts with (prefixes never overlap: config checks it). */
function routeKey(env: Env, key: string): BucketSource | undefined {
  return loadSources(env).find(
    (s): s is BucketSource => "prefix" in s && !!s.prefix && key.startsWith(s.prefix),
  );
}

function invocationBudget(env: Env): Budget {
  return { remaining: recordBudget(env) };
}

function recordBudget(env: Env): number {
  const v = Number(readSecret(env, "BUCKET_RECORD_BUDGET"));
  return Number.isInteger(v) && v > 0 ? v : DEFAULT_RECORD_BUDGET;
}

async function handleNotification(
  env: Env,
  ports: Ports,
  n: R2Notification,
  messageId: string,
  budget: Budget,
): Promise<void> {
  const key = n.object.key;
  const source = routeKey(env, key);
  if (isDelete(n)) {
    if (source)
      await skip(ports, source, {
        bucket: n.bucket,
        key,
        eTag: `deleted@${n.eventTime ?? messageId}`,
      });
    return;
  }
  if (!source) {
    await keep(ports, {
      sourceID: null,
      sourceType: null,
      stage: "route",
      errorCode: "unknown_prefix",
      error: `no source's prefix matches the object key "${key}"`,
      location: key,
      raw: JSON.stringify(n),
    });
    return;
  }
  const eTag = n.object.eTag ?? "";
  if (isVendorTestObject(key)) {
    await skip(ports, source, { bucket: n.bucket, key, eTag });
    return;
  }
  await ingestAndContinue(
    env,
    ports,
    source,
    { bucket: n.bucket, key, eTag, size: n.object.size ?? null },
    budget,
  );
}

async function ingestAndContinue(
  env: Env,
  ports: Ports,
  source: BucketSource,
  ref: ObjectRef & { size: number | null },
  budget: Budget,
): Promise<void> {
  const { outcome, eTag } = await ingestObject(env, ports, source, ref, budget);
  if (outcome === "continue") {
    const next: Continuation = {
      kind: "auditflare.continue",
      bucket: ref.bucket,
      key: ref.key,
      eTag,
      ...(source.prefix ? {} : { sourceId: source.id }),
    };
    await env.BUCKET_EVENTS.send(next, { contentType: "json" });
  }
}

async function handleMessage(
  env: Env,
  ports: Ports,
  message: Message<unknown>,
  budget: Budget,
): Promise<void> {
  const parsed = parseBucketMessage(message.body);
  if (!parsed.ok) {
    await keep(ports, {
      sourceID: null,
      sourceType: null,
      stage: "route",
      errorCode: "invalid_notification",
      error: parsed.error,
      location: `message ${message.id}`,
      raw: JSON.stringify(message.body) ?? String(message.body),
    });
    return;
  }
  const m = parsed.value;
  if (m.kind === "notification") return handleNotification(env, ports, m.n, message.id, budget);
  const source = sourceOf(env, m);
  const ref = refOf(m);
  if (!source) throw new Error(`${m.kind} for ${ref.key}: no bucket source matches it any more`);
  if (m.kind === "object" && isVendorTestObject(ref.key)) return skip(ports, source, ref);
  await ingestAndContinue(
    env,
    ports,
    source,
    { ...ref, size: m.kind === "object" ? m.o.size : null },
    budget,
  );
}

/** A message that exhausted its retries: kept in quarantine with the last error we saw. */
async function deadLetter(env: Env, ports: Ports, message: Message<unknown>): Promise<void> {
  const parsed = parseBucketMessage(message.body);
  let sourceID: string | null = null;
  let sourceType: string | null = null;
  let lastError = "retries exhausted";
  let location = `message ${message.id}`;
  let identity: string | undefined;
  if (parsed.ok) {
    const ref = refOf(parsed.value);
    identity = objectIdentity(ref);
    location = ref.key;
    const source = sourceOf(env, parsed.value);
    sourceID = source?.id ?? null;
    sourceType = source?.type ?? null;
    const progress = await ports.objects.get(ref);
    if (progress?.lastError) lastError = `retries exhausted; last error: ${progress.lastError}`;
    if (source)
      await ports.objects.finish({ ...ref, sourceID: source.id }, "failed", Date.now(), lastError);
  }
  await keep(ports, {
    sourceID,
    sourceType,
    stage: "dead-letter",
    errorCode: "retries_exhausted",
    error: lastError,
    location,
    raw: JSON.stringify(message.body) ?? String(message.body),
    identity,
  });
}

/**
 * What a failed read says in the source's lastError: a bucket's or a credential's own words,
 * a limit hit as `timeout: …` / `too_large: …`, anything else with its kind.
 */
function healthMessage(err: unknown): string {
  if (err instanceof OutboundError) return `${err.kind}: ${err.message}`;
  if (err instanceof BucketReadError) return err.message;
  return describeError(err);
}

/** Retry delay: exponential in the attempt number, capped at 15 minutes. */
const retryDelaySeconds = (attempts: number) => Math.min(900, 10 * 2 ** Math.max(0, attempts - 1));

/**
 * The queue consumer: acks a message only after its work is committed; a failure retries that
 * message alone (with backoff), and after max_retries the queue moves it to the dead-letter
 * queue, whose consumer (the same handler) writes it to quarantine. `ports`: the state the entry
 * wiring hands it (src/store/ports.ts).
 */
export async function handleQueue(
  batch: MessageBatch<unknown>,
  env: Env,
  ports: Ports,
): Promise<void> {
  const isDeadLetterQueue = batch.queue.endsWith("-dlq");
  const budget = invocationBudget(env);
  for (const message of batch.messages) {
    try {
      if (isDeadLetterQueue) await deadLetter(env, ports, message);
      else await handleMessage(env, ports, message, budget);
      message.ack();
    } catch (err) {
      const error = describeError(err);
      console.error(
        `queue ${batch.queue}: message ${message.id} attempt ${message.attempts} failed: ${error}`,
      );
      const parsed = parseBucketMessage(message.body);
      if (parsed.ok) {
        await ports.objects.recordError(refOf(parsed.value), error, Date.now());
        // Any failure to read an object is the source's health, shown in GET /v1/sources.
        const source = sourceOf(env, parsed.value);
        if (source) await ports.health.recordError(source.id, healthMessage(err), Date.now());
      }
      message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
    }
  }
}
