import { AuditflareError } from "./errors";

/**
 * Bounded work: many independent tasks at most a few at a time, and a task with a deadline of
 * its own, so that one slow party holds back neither the others nor the invocation.
 */

/** A piece of work that did not finish within its deadline (the message says which, and how long). */
export class DeadlineError extends AuditflareError {
  constructor(message: string) {
    super("upstream_failed", message);
  }
}

/**
 * `work`, given a signal that aborts after `ms`. At that moment the promise rejects with
 * `expired()` whether or not the work has stopped: the work should stop at the signal (abort its
 * calls, start nothing new), since what it does afterwards is no longer waited for.
 */
export function withDeadline<T>(
  ms: number,
  expired: () => Error,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = expired();
      controller.abort(err);
      reject(err);
    }, ms);
  });
  const running = (async () => work(controller.signal))();
  return Promise.race([running, late]).finally(() => clearTimeout(timer));
}

/**
 * Runs `task` on every item, at most `limit` at once, taking the items in order as places free
 * up. Resolves once all have settled, each outcome in its item's place; never rejects, so one
 * task's failure changes nothing for the others.
 */
export async function settleBounded<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<R>,
): Promise<PromiseSettledResult<R>[]> {
  const results: PromiseSettledResult<R>[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      try {
        results[i] = { status: "fulfilled", value: await task(items[i] as T) };
      } catch (reason) {
        results[i] = { status: "rejected", reason };
      }
    }
  };
  const lanes = Math.min(Math.max(1, Math.floor(limit)), items.length);
  await Promise.all(Array.from({ length: lanes }, lane));
  return results;
}
