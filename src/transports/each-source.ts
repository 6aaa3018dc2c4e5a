import { DeadlineError, settleBounded, withDeadline } from "../lib/concurrency";
import { describeError } from "../lib/errors";
import { OutboundError } from "../lib/outbound";
import type { Ports } from "../ports";

/** A failed call in words: `timeout: …`, `too_large: …`, `network: …`, or the error itself. */
export const whatFailed = (err: unknown) =>
  err instanceof OutboundError
    ? `${err.kind}: ${err.message}`
    : err instanceof DeadlineError
      ? `timeout: ${err.message}`
      : describeError(err);

/**
 * Sources pulled at once, at most, per kind: a Worker invocation keeps 6 connections open at a
 * time (more wait for one to close, their deadlines running), and the SQS and the Azure Storage
 * Queue pulls run side by side in the minute's tick, beside the pollers and the alert sends:
 * 2 + 2 leaves them two.
 */
export const SOURCE_CONCURRENCY = 2;

/**
 * How long one source's pull may take in a tick: it is abandoned then (its signal aborts its
 * calls, it starts nothing new), reported as a timeout and recorded in its health, inside the
 * minute before the next tick pulls it again. Messages it took but did not delete reappear in
 * their queue after their visibility timeout.
 */
export const SOURCE_DEADLINE_MS = 50_000;

export interface EachSourceOptions {
  concurrency?: number;
  deadlineMs?: number;
}

/**
 * Runs a cron's pull for each source on its own: up to `concurrency` at once, each within its
 * own deadline, so a slow or hanging source holds back no other, and one failing never changes
 * another's result. The report says what each did (a count) or why it failed (in source order),
 * and a failure goes into that source's health. `pull` gets a signal that aborts at the deadline.
 */
export async function eachSource<S extends { id: string }>(
  sources: S[],
  ports: Ports,
  now: number,
  pull: (source: S, signal: AbortSignal) => Promise<number>,
  opts: EachSourceOptions = {},
): Promise<Record<string, number | string>> {
  const deadlineMs = opts.deadlineMs ?? SOURCE_DEADLINE_MS;
  const outcomes = await settleBounded(
    sources,
    opts.concurrency ?? SOURCE_CONCURRENCY,
    async (source): Promise<number | string> => {
      const expired = () =>
        new DeadlineError(
          `the pull of source ${source.id} did not finish within ${deadlineMs / 1000} s (its deadline in a tick)`,
        );
      try {
        return await withDeadline(deadlineMs, expired, (signal) => pull(source, signal));
      } catch (err) {
        // the report keeps the pull's own error, even if its health cannot be written now
        await ports.health.recordError(source.id, whatFailed(err), now).catch(() => {});
        return whatFailed(err);
      }
    },
  );
  const report: Record<string, number | string> = {};
  sources.forEach((source, i) => {
    const o = outcomes[i];
    report[source.id] = o?.status === "fulfilled" ? o.value : whatFailed(o?.reason);
  });
  return report;
}
