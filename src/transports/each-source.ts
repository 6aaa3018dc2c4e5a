import { describeError } from "../lib/errors";
import { OutboundError } from "../lib/outbound";
import type { Ports } from "../ports";

/** A failed call in words: `timeout: …`, `too_large: …`, `network: …`, or the error itself. */
export const whatFailed = (err: unknown) =>
  err instanceof OutboundError ? `${err.kind}: ${err.message}` : describeError(err);

/**
 * Runs a cron's pull for each source on its own (one failing never stops the others): the
 * report says what each did (a count) or why it failed, and a failure goes into its health.
 */
export async function eachSource<S extends { id: string }>(
  sources: S[],
  ports: Ports,
  now: number,
  pull: (source: S) => Promise<number>,
): Promise<Record<string, number | string>> {
  const report: Record<string, number | string> = {};
  for (const source of sources) {
    try {
      report[source.id] = await pull(source);
    } catch (err) {
      report[source.id] = whatFailed(err);
      await ports.health.recordError(source.id, whatFailed(err), now);
    }
  }
  return report;
}
