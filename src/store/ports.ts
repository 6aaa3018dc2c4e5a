import type { StatePorts } from "../ports";
import {
  acquireLease,
  completeStatement,
  progressStatement as cursorProgress,
  finishRun,
  loadState,
  restartStatement,
} from "./cursors";
import { recordDelivery, saveSubscription, seenDelivery } from "./deliveries";
import {
  clearFailedObject,
  finishObject,
  getProgress,
  progressStatement as objectProgress,
  recordObjectError,
  skippedStatement,
  startStatement,
} from "./objects";
import { keepWhole } from "./quarantine";
import { recordSourceError, statsStatement } from "./stats";

/**
 * The D1 implementation of the ports (src/ports.ts) the transports are handed by the entry
 * wiring (src/index.ts, src/app.ts): each method is one of the store's statements.
 */
export function d1Ports(env: { DB: D1Database; ARCHIVE: R2Bucket }): StatePorts {
  const db = env.DB;
  return {
    quarantine: {
      keepWhole: (entry, now, health) => keepWhole(env, entry, now, health),
    },
    health: {
      recordError: (sourceID, message, now) => recordSourceError(db, sourceID, message, now),
      countSkipped: async (sourceID, skipped) => {
        await statsStatement(db, sourceID, { skipped }).run();
      },
    },
    deliveries: {
      seen: (sourceID, messageId) => seenDelivery(db, sourceID, messageId),
      record: (sourceID, messageId, now) => recordDelivery(db, sourceID, messageId, now),
      saveSubscription: (s) => saveSubscription(db, s),
    },
    objects: {
      get: (o) => getProgress(db, o),
      start: async (o, now) => {
        await startStatement(db, o, now).run();
      },
      chunkDone: (o, p) => objectProgress(db, o, p),
      skip: async (o, now) => {
        await db.batch([
          skippedStatement(db, o, now),
          statsStatement(db, o.sourceID, { fromChanges: { skipped: true } }),
        ]);
      },
      finish: (o, status, now, error) => finishObject(db, o, status, now, error),
      recordError: (o, error, now) => recordObjectError(db, o, error, now),
      clearFailed: (key, eTag) => clearFailedObject(db, key, eTag),
    },
    cursors: {
      load: (sourceID) => loadState(db, sourceID),
      acquireLease: (sourceID, owner, now) => acquireLease(db, sourceID, owner, now),
      progress: (sourceID, owner, w) => cursorProgress(db, sourceID, owner, w),
      complete: (sourceID, owner, w) => completeStatement(db, sourceID, owner, w),
      restart: (sourceID, owner, requests) => restartStatement(db, sourceID, owner, requests),
      finishRun: (sourceID, owner, r) => finishRun(db, sourceID, owner, r),
    },
  };
}
