import {
  FileFormatError,
  type Framing,
  ReadPosition,
  type Resume,
  readRecords,
  type StreamRecord,
} from "../../parse/stream";
import type { ObjectRef, Ports } from "../../ports";
import { normalizerFor } from "../../vendors";
import { type BucketSource, failObject } from "./kept";
import { parseResume, rangeStart, resumeJson } from "./resume";
import { type ObjectStore, type StoredObject, storeFor } from "./stores";

/** Records per D1 commit (one atomic batch: rows + progress). */
export const CHUNK_RECORDS = 500;

/** Records left for this invocation, shared by the messages of one batch. */
export interface Budget {
  remaining: number;
}

type Outcome = { outcome: "done" | "continue" | "already-done" | "failed"; eTag: string };
type Opened =
  | { ref: ObjectRef; object: StoredObject; start: number; resume: Resume | null }
  | Outcome;

/**
 * The object from where an earlier invocation said to go on (a Range read of the same version),
 * or null when there is no such place (or the version changed): then read from byte 0.
 */
async function openAtResume(
  store: ObjectStore,
  ref: ObjectRef,
  stored: string | null,
  committed: number,
): Promise<{ object: StoredObject; resume: Resume } | null> {
  const resume = parseResume(stored);
  if (!resume || resume.ordinal > committed) return null;
  const object = await store.get(ref.key, { eTag: ref.eTag, offset: rangeStart(resume) });
  return typeof object === "string" ? null : { object, resume };
}

/**
 * The object version to read and where to resume: progress is keyed by the version actually
 * read (overwritten since the notification, the newer version's own notification finds it done).
 */
async function openObject(
  env: Env,
  ports: Ports,
  source: BucketSource,
  notified: ObjectRef & { size: number | null },
): Promise<Opened> {
  let ref: ObjectRef = notified;
  let progress = ref.eTag ? await ports.objects.get(ref) : null;
  if (progress && progress.status !== "in_progress")
    return { outcome: "already-done", eTag: ref.eTag };
  const start = progress?.recordsCommitted ?? 0;
  const store = storeFor(env, source);
  const resumed = progress && (await openAtResume(store, ref, progress.resume, start));
  if (resumed) {
    await ports.objects.start({ ...ref, sourceID: source.id, size: null }, Date.now());
    return { ref, start, ...resumed };
  }
  const object = await store.get(ref.key);
  if (typeof object === "string") {
    // Deleted before we got to it: nothing to read; keep a trace for operators.
    await failObject(
      env,
      ports,
      source,
      ref,
      "fetch",
      "object_missing",
      `object ${store.url(ref.key)} no longer exists`,
    );
    return { outcome: "failed", eTag: ref.eTag };
  }
  if (object.eTag !== ref.eTag) {
    ref = { ...ref, eTag: object.eTag };
    progress = await ports.objects.get(ref);
    if (progress && progress.status !== "in_progress") {
      await object.body.cancel();
      return { outcome: "already-done", eTag: ref.eTag };
    }
  }
  const size = notified.size ?? object.size;
  await ports.objects.start({ ...ref, sourceID: source.id, size }, Date.now());
  return { ref, object, start: progress?.recordsCommitted ?? 0, resume: null };
}

/** Commits records in chunks, each with the object's progress, in one batch. */
function chunkWriter(
  ports: Ports,
  source: BucketSource,
  ref: ObjectRef,
  object: StoredObject,
  start: number,
) {
  // Files uploaded through the API say so on every row (a vendor delivery carries no mark).
  const origin = object.upload ? { auditflareOrigin: "upload" } : undefined;
  const w = {
    committed: start,
    framing: null as Framing | null,
    chunk: [] as StreamRecord[],
    position: new ReadPosition(),
    resume: null as Resume | null,
  };
  /** Commits the chunk; `handOver`: a continuation goes on, from w.resume when known. */
  const flush = async (done: boolean, handOver = false) => {
    const { chunk } = w;
    const now = Date.now();
    const next = w.committed + chunk.length;
    // The last record of the chunk whose end is known: where the next read may start.
    for (let i = chunk.length - 1; i >= 0; i--) {
      const at = chunk[i]?.at;
      if (!at) continue;
      w.resume = w.position.after(at, w.committed + i + 1) ?? w.resume;
      break;
    }
    await ports.ingest.records(source, chunk, {
      now,
      where: `${ref.key} `,
      tags: origin,
      extra: (keptAside) => [
        ports.objects.chunkDone(ref, {
          recordsCommitted: next,
          received: chunk.length,
          quarantined: keptAside,
          framing: w.framing,
          done,
          now,
          resume: handOver && w.resume ? resumeJson(w.resume) : undefined,
        }),
      ],
    });
    w.committed = next;
    w.chunk = [];
  };
  return { w, flush };
}

/**
 * Streams one object into D1 from its last committed record. Each chunk's rows and the object's
 * progress commit in one batch, so a crash or redelivery resumes exactly after the last commit.
 * Returns "continue" when the invocation's budget ran out before the end of the file.
 */
export async function ingestObject(
  env: Env,
  ports: Ports,
  source: BucketSource,
  notified: ObjectRef & { size: number | null },
  budget: Budget,
): Promise<Outcome> {
  const opened = await openObject(env, ports, source, notified);
  if ("outcome" in opened) return opened;
  const { ref, object, start, resume } = opened;
  const { w, flush } = chunkWriter(ports, source, ref, object, start);
  w.resume = resume;

  // Every message gets at least one chunk, so a batch of big files still moves each forward.
  const limit = Math.max(CHUNK_RECORDS, budget.remaining);
  let handled = 0;
  const body = object.body;
  try {
    try {
      const isEvent = normalizerFor(source.type).isEvent;
      const onFraming = (f: Framing) => {
        w.framing = f;
      };
      const read = readRecords(body, isEvent, onFraming, start, { resume, position: w.position });
      for await (const record of read) {
        if (handled >= limit) {
          await flush(false, true);
          return { outcome: "continue", eTag: ref.eTag };
        }
        w.chunk.push(record);
        handled++;
        if (w.chunk.length >= CHUNK_RECORDS) await flush(false);
      }
    } catch (err) {
      if (!(err instanceof FileFormatError)) throw err;
      // The file itself cannot be read further: what was committed stays; the rest is kept aside.
      if (w.chunk.length > 0) await flush(false);
      await failObject(
        env,
        ports,
        source,
        ref,
        "parse",
        err.code,
        `${err.message} (after ${w.committed} records)`,
      );
      return { outcome: "failed", eTag: ref.eTag };
    }
    await flush(true);
    return { outcome: "done", eTag: ref.eTag };
  } finally {
    budget.remaining -= handled;
  }
}
