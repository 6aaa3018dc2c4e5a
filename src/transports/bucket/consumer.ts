import { loadSources, readSecret, type SourceConfig } from "../../config";
import { ingest } from "../../ingest";
import type { ErrorCode } from "../../lib/errors";
import { describeError } from "../../lib/errors";
import { FileFormatError, type Framing, readRecords, type StreamRecord } from "../../parse/stream";
import {
  finishObject,
  getProgress,
  type ObjectRef,
  progressStatement,
  recordObjectError,
  skippedStatement,
  startStatement,
} from "../../store/objects";
import {
  type QuarantineEntry,
  quarantineId,
  quarantineStatement,
  recordsIn,
} from "../../store/quarantine";
import { statsStatement } from "../../store/stats";
import { isVendorTestObject, normalizerFor } from "../../vendors";
import {
  type BucketMessage,
  type Continuation,
  isDelete,
  parseBucketMessage,
  type R2Notification,
} from "./messages";

const refOf = (m: BucketMessage): ObjectRef =>
  m.kind === "notification"
    ? { bucket: m.n.bucket, key: m.n.object.key, eTag: m.n.object.eTag ?? "" }
    : m.c;

/** Records per D1 commit (one atomic batch: rows + progress). */
export const CHUNK_RECORDS = 500;
/** Records one invocation handles before handing the rest of the file to a continuation message. */
export const DEFAULT_RECORD_BUDGET = 100_000;

type BucketSource = SourceConfig & { prefix: string };

/** The bucket source whose prefix the key starts with (prefixes never overlap: config checks it). */
export function routeKey(env: Env, key: string): BucketSource | undefined {
  return loadSources(env).find(
    (s): s is BucketSource => "prefix" in s && !!s.prefix && key.startsWith(s.prefix),
  );
}

/**
 * Keeps a whole file or message in quarantine. It counts as one record received and quarantined
 * (received = inserted + duplicates + quarantined, always), once per entry: a failure seen again
 * (same identity) updates its entry without counting it twice.
 */
async function keep(env: Env, entry: QuarantineEntry): Promise<void> {
  const now = Date.now();
  const statements = [await quarantineStatement(env, entry, now)];
  if (entry.sourceID) {
    statements.push(
      statsStatement(env.DB, entry.sourceID, {
        received: 1,
        quarantined: 1,
        onceForQuarantineId: await quarantineId(entry),
        error: { at: now, message: `${entry.errorCode}: ${entry.error}` },
      }),
    );
  }
  await env.DB.batch(statements);
}

/** Counts a skipped object or delete event once per (key, version). */
async function skip(env: Env, source: BucketSource, o: ObjectRef): Promise<void> {
  const now = Date.now();
  await env.DB.batch([
    skippedStatement(env.DB, { ...o, sourceID: source.id }, now),
    statsStatement(env.DB, source.id, { fromChanges: { skipped: true } }),
  ]);
}

/** Records left for this invocation, shared by the messages of one batch. */
export interface Budget {
  remaining: number;
}

export function invocationBudget(env: Env): Budget {
  return { remaining: recordBudget(env) };
}

/** One object version: its failures (fetch, parse, dead-letter) are one quarantine entry. */
const objectIdentity = (ref: ObjectRef) => `object ${ref.bucket}/${ref.key}@${ref.eTag}`;

/** A file that cannot be read (further): kept in quarantine by pointer, its progress marked failed. */
async function failObject(
  env: Env,
  source: BucketSource,
  ref: ObjectRef,
  stage: string,
  errorCode: ErrorCode,
  error: string,
): Promise<void> {
  await keep(env, {
    sourceID: source.id,
    sourceType: source.type,
    stage,
    errorCode,
    error,
    location: ref.key,
    raw: "",
    rawRef: `landing/${ref.key}`,
    identity: objectIdentity(ref),
  });
  await finishObject(env.DB, { ...ref, sourceID: source.id }, "failed", Date.now(), error);
}

function recordBudget(env: Env): number {
  const v = Number(readSecret(env, "BUCKET_RECORD_BUDGET"));
  return Number.isInteger(v) && v > 0 ? v : DEFAULT_RECORD_BUDGET;
}

/**
 * Streams one object into D1 from its last committed record. Each chunk's rows and the object's
 * progress commit in one batch, so a crash or redelivery resumes exactly after the last commit.
 * Returns "continue" when the invocation's budget ran out before the end of the file.
 */
export async function ingestObject(
  env: Env,
  source: BucketSource,
  notified: ObjectRef & { size: number | null },
  budget: Budget = invocationBudget(env),
): Promise<{ outcome: "done" | "continue" | "already-done" | "failed"; eTag: string }> {
  let ref = notified;
  let progress = ref.eTag ? await getProgress(env.DB, ref) : null;
  if (progress && progress.status !== "in_progress")
    return { outcome: "already-done", eTag: ref.eTag };
  const object = await env.LANDING.get(ref.key);
  if (!object) {
    // Deleted before we got to it: nothing to read; keep a trace for operators.
    await failObject(
      env,
      source,
      ref,
      "fetch",
      "object_missing",
      `object ${ref.key} no longer exists`,
    );
    return { outcome: "failed", eTag: ref.eTag };
  }
  if (object.etag !== ref.eTag) {
    // Overwritten since the notification (or an eTag in another format): progress is keyed by
    // the version actually read; the newer version's own notification then finds it done.
    ref = { ...ref, eTag: object.etag };
    progress = await getProgress(env.DB, ref);
    if (progress && progress.status !== "in_progress") {
      await object.body.cancel();
      return { outcome: "already-done", eTag: ref.eTag };
    }
  }
  await startStatement(
    env.DB,
    { ...ref, sourceID: source.id, size: ref.size ?? object.size },
    Date.now(),
  ).run();

  const start = progress?.recordsCommitted ?? 0;
  // Files uploaded through the API say so on every row (a vendor delivery carries no mark).
  const origin =
    object.customMetadata?.auditflareOrigin === "upload"
      ? { auditflareOrigin: "upload" }
      : undefined;
  // Every message gets at least one chunk, so a batch of big files still moves each forward.
  const limit = Math.max(CHUNK_RECORDS, budget.remaining);
  const isEvent = normalizerFor(source.type).isEvent;
  let framing: Framing | null = null;
  let committed = start;
  let handled = 0;
  let chunk: StreamRecord[] = [];

  const flush = async (done: boolean) => {
    const now = Date.now();
    const next = committed + chunk.length;
    await ingest(env, source, chunk, {
      now,
      where: `${ref.key} `,
      tags: origin,
      extra: (prepared) => [
        progressStatement(env.DB, ref, {
          recordsCommitted: next,
          received: chunk.length,
          quarantined: prepared.quarantine.reduce((n, q) => n + recordsIn(q), 0),
          framing,
          done,
          now,
        }),
      ],
    });
    committed = next;
    chunk = [];
  };

  const body = object.body;
  try {
    try {
      const records = readRecords(
        body,
        isEvent,
        (f) => {
          framing = f;
        },
        start,
      );
      for await (const record of records) {
        if (handled >= limit) {
          if (chunk.length > 0) await flush(false);
          return { outcome: "continue", eTag: ref.eTag };
        }
        chunk.push(record);
        handled++;
        if (chunk.length >= CHUNK_RECORDS) await flush(false);
      }
    } catch (err) {
      if (!(err instanceof FileFormatError)) throw err;
      // The file itself cannot be read further: what was committed stays; the rest is kept aside.
      if (chunk.length > 0) await flush(false);
      await failObject(
        env,
        source,
        ref,
        "parse",
        err.code,
        `${err.message} (after ${committed} records)`,
      );
      return { outcome: "failed", eTag: ref.eTag };
    }
    await flush(true);
    return { outcome: "done", eTag: ref.eTag };
  } finally {
    budget.remaining -= handled;
  }
}

async function handleNotification(
  env: Env,
  n: R2Notification,
  messageId: string,
  budget: Budget,
): Promise<void> {
  const key = n.object.key;
  const source = routeKey(env, key);
  if (isDelete(n)) {
    if (source)
      await skip(env, source, {
        bucket: n.bucket,
        key,
        eTag: `deleted@${n.eventTime ?? messageId}`,
      });
    return;
  }
  if (!source) {
    await keep(env, {
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
    await skip(env, source, { bucket: n.bucket, key, eTag });
    return;
  }
  await ingestAndContinue(
    env,
    source,
    { bucket: n.bucket, key, eTag, size: n.object.size ?? null },
    budget,
  );
}

async function ingestAndContinue(
  env: Env,
  source: BucketSource,
  ref: ObjectRef & { size: number | null },
  budget: Budget,
): Promise<void> {
  const { outcome, eTag } = await ingestObject(env, source, ref, budget);
  if (outcome === "continue") {
    const next: Continuation = {
      kind: "auditflare.continue",
      bucket: ref.bucket,
      key: ref.key,
      eTag,
    };
    await env.BUCKET_EVENTS.send(next, { contentType: "json" });
  }
}

async function handleMessage(env: Env, message: Message<unknown>, budget: Budget): Promise<void> {
  const parsed = parseBucketMessage(message.body);
  if (!parsed.ok) {
    await keep(env, {
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
  if (m.kind === "notification") return handleNotification(env, m.n, message.id, budget);
  const source = routeKey(env, m.c.key);
  if (!source) throw new Error(`continuation for ${m.c.key}: no source matches it any more`);
  await ingestAndContinue(env, source, { ...m.c, size: null }, budget);
}

/** A message that exhausted its retries: kept in quarantine with the last error we saw. */
async function deadLetter(env: Env, message: Message<unknown>): Promise<void> {
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
    const source = routeKey(env, ref.key);
    sourceID = source?.id ?? null;
    sourceType = source?.type ?? null;
    const progress = await getProgress(env.DB, ref);
    if (progress?.lastError) lastError = `retries exhausted; last error: ${progress.lastError}`;
    if (source)
      await finishObject(env.DB, { ...ref, sourceID: source.id }, "failed", Date.now(), lastError);
  }
  await keep(env, {
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

/** Retry delay: exponential in the attempt number, capped at 15 minutes. */
export const retryDelaySeconds = (attempts: number) =>
  Math.min(900, 10 * 2 ** Math.max(0, attempts - 1));

/**
 * The queue consumer: acks a message only after its work is committed; a failure retries that
 * message alone (with backoff), and after max_retries the queue moves it to the dead-letter
 * queue, whose consumer (the same handler) writes it to quarantine.
 */
export async function handleQueue(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const isDeadLetterQueue = batch.queue.endsWith("-dlq");
  const budget = invocationBudget(env);
  for (const message of batch.messages) {
    try {
      if (isDeadLetterQueue) await deadLetter(env, message);
      else await handleMessage(env, message, budget);
      message.ack();
    } catch (err) {
      const error = describeError(err);
      console.error(
        `queue ${batch.queue}: message ${message.id} attempt ${message.attempts} failed: ${error}`,
      );
      const parsed = parseBucketMessage(message.body);
      if (parsed.ok) await recordObjectError(env.DB, refOf(parsed.value), error, Date.now());
      message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
    }
  }
}
