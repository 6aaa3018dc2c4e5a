import { AuditflareError } from "./errors";
import { readLimited, TooLargeError } from "./read-limited";

/**
 * Every call auditflare makes to another party goes through here, so none can hang the Worker
 * or fill its memory: a deadline covers the whole exchange (connecting, the headers and reading
 * the body), and a body is read while it streams and refused past a byte cap, never buffered
 * whole first. Hitting either is an OutboundError whose `kind` says which (`timeout`,
 * `too_large`); a connection that fails is `network`. The limits live here, one table.
 */

export type OutboundKind = "timeout" | "too_large" | "network";

export class OutboundError extends AuditflareError {
  constructor(
    readonly kind: OutboundKind,
    message: string,
    readonly url: string,
  ) {
    super("upstream_failed", message);
  }
}

/** The deadline and byte cap of each kind of call (ms, bytes). */
export const LIMITS = {
  /** A page of a vendor's audit-log API (pollers, SQS receive). */
  api: { timeoutMs: 30_000, maxBytes: 16 * 1024 * 1024 },
  /** Token endpoints, key sets, certificates, subscription confirmations. */
  small: { timeoutMs: 10_000, maxBytes: 256 * 1024 },
  /** An alert delivery (fetchStatus: the receiver's answer read up to this and dropped). */
  webhook: { timeoutMs: 10_000, maxBytes: 64 * 1024 },
  /**
   * A bucket object: the headers within `timeoutMs`, then at most `idleMs` between two chunks,
   * and at most `totalMs` waiting on the bucket over the whole read (headers included), plus one
   * second per `minBytesPerSecond` it sent: an object that drips a chunk just inside `idleMs`
   * cannot hold its queue consumer for ever, while a slow but steady bucket (a large gzip that
   * must be read from its start, at 100 KB/s) is read to its end. Time the consumer spends
   * between chunks (committing rows) is not the bucket's and is not counted. 60 s: a batch of 10
   * dripping objects holds its consumer 10 min at most, inside an invocation's 15 min; a healthy
   * bucket (tens of MB/s) sends far more than an invocation's record budget within it.
   */
  object: { timeoutMs: 30_000, idleMs: 30_000, totalMs: 60_000, minBytesPerSecond: 64 * 1024 },
} as const;

/** The limits of a streamed read (a bucket object), as LIMITS.object has them (ms). */
export interface StreamLimits {
  /** The headers within this. */
  timeoutMs: number;
  /** At most this between two chunks. */
  idleMs: number;
  /** At most this waiting on the other party over the whole read, headers included, … */
  totalMs: number;
  /** … plus one second per this many bytes it sent (none: `totalMs` alone). */
  minBytesPerSecond?: number;
}

export interface Limits {
  timeoutMs: number;
  maxBytes: number;
}

/** What a call answered, its body read in full within the limits. */
export interface BoundedResponse {
  status: number;
  ok: boolean;
  headers: Headers;
  body: Uint8Array;
  text(): string;
}

const where = (url: string) => {
  try {
    const u = new URL(url);
    // Not u.origin: that is "null" for r2:// and other non-web schemes.
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return url;
  }
};

type Fetcher = (input: string, init?: RequestInit) => Promise<Response>;

/**
 * A fetch under a deadline: the abort fires after `timeoutMs`; `timedOut` says it did. The
 * caller's own `init.signal` (e.g. its source's deadline in a tick) aborts it too.
 */
async function fetchBefore(
  url: string,
  init: RequestInit,
  timeoutMs: number,
  fetcher: Fetcher,
): Promise<{ res: Response; controller: AbortController; deadline: Deadline }> {
  const controller = new AbortController();
  const caller = init.signal;
  if (caller?.aborted) controller.abort();
  else caller?.addEventListener("abort", () => controller.abort(), { once: true });
  const deadline: Deadline = {
    timedOut: false,
    timer: setTimeout(() => {
      deadline.timedOut = true;
      controller.abort();
    }, timeoutMs),
    message: `${where(url)} did not answer within ${timeoutMs / 1000} s`,
    get abandoned() {
      return caller?.aborted === true;
    },
  };
  try {
    const res = await fetcher(url, { ...init, signal: controller.signal });
    return { res, controller, deadline };
  } catch (err) {
    clearTimeout(deadline.timer);
    throw failure(err, deadline, url);
  }
}

interface Deadline {
  timedOut: boolean;
  /** The caller's signal aborted the call. */
  readonly abandoned: boolean;
  timer: ReturnType<typeof setTimeout>;
  message: string;
}

/** What a failed exchange was: the deadline, or the network. */
function failure(err: unknown, deadline: Deadline, url: string): OutboundError {
  if (err instanceof OutboundError) return err;
  if (deadline.timedOut) return new OutboundError("timeout", deadline.message, url);
  if (deadline.abandoned)
    return new OutboundError("timeout", `${where(url)}: given up at the caller's deadline`, url);
  return new OutboundError("network", `${where(url)}: ${(err as Error).message}`, url);
}

/**
 * Fetches `url` and reads its body within `limits`. Throws OutboundError on a timeout, a body
 * over the cap (the connection is cancelled at the first chunk past it) or a network failure;
 * an HTTP error status is returned, not thrown: the caller knows what it means.
 */
export async function fetchBounded(
  url: string,
  init: RequestInit,
  limits: Limits,
  fetcher: Fetcher = (u, i) => fetch(u, i),
): Promise<BoundedResponse> {
  const { res, deadline } = await fetchBefore(url, init, limits.timeoutMs, fetcher);
  try {
    const declared = Number(res.headers.get("content-length"));
    if (Number.isFinite(declared) && declared > limits.maxBytes) {
      await res.body?.cancel().catch(() => {});
      throw tooLarge(url, limits.maxBytes);
    }
    let body: Uint8Array;
    try {
      body = res.body ? await readLimited(res.body, limits.maxBytes) : new Uint8Array(0);
    } catch (err) {
      if (err instanceof TooLargeError) throw tooLarge(url, limits.maxBytes);
      throw failure(err, deadline, url);
    }
    let text: string | undefined;
    return {
      status: res.status,
      ok: res.ok,
      headers: res.headers,
      body,
      text: () => {
        text ??= new TextDecoder().decode(body);
        return text;
      },
    };
  } finally {
    clearTimeout(deadline.timer);
  }
}

/**
 * Sends a request of which only the answer's status matters (an alert delivery): the status
 * within the deadline, or an OutboundError as fetchBounded throws it. The body is read up to
 * `limits.maxBytes` and dropped: a longer one is cancelled there, not an error (a receiver that
 * took the message and echoed it back took it), and one that stalls ends at the deadline.
 */
export async function fetchStatus(
  url: string,
  init: RequestInit,
  limits: Limits,
  fetcher: Fetcher = (u, i) => fetch(u, i),
): Promise<number> {
  const { res, deadline } = await fetchBefore(url, init, limits.timeoutMs, fetcher);
  try {
    if (res.body) await readLimited(res.body, limits.maxBytes).catch(() => {});
  } finally {
    clearTimeout(deadline.timer);
  }
  return res.status;
}

function tooLarge(url: string, maxBytes: number): OutboundError {
  return new OutboundError(
    "too_large",
    `${where(url)} answered more than ${maxBytes} bytes (the cap for this call)`,
    url,
  );
}

/**
 * Fetches a stream that may legitimately be large (a bucket object, read and checkpointed by
 * its consumer): the headers must arrive within `timeoutMs`, then each chunk within `idleMs` of
 * the last, and the whole answer within `totalMs` of waiting on it (see boundedStream), or the
 * stream errors with an OutboundError `timeout`. Size is the consumer's budget.
 */
export async function fetchStreaming(
  url: string,
  init: RequestInit,
  limits: StreamLimits,
  fetcher: Fetcher = (u, i) => fetch(u, i),
  now: () => number = Date.now,
): Promise<Response> {
  const asked = now();
  const headersMs = Math.min(limits.timeoutMs, limits.totalMs);
  const { res, controller, deadline } = await fetchBefore(url, init, headersMs, fetcher);
  clearTimeout(deadline.timer);
  if (!res.body) return res;
  const body = boundedStream(res.body, limits, url, () => controller.abort(), now, now() - asked);
  return new Response(body, {
    status: res.status,
    statusText: res.statusText,
    headers: res.headers,
  });
}

/**
 * `stream`, erroring with an OutboundError `timeout` when no chunk arrives within `idleMs` of
 * the previous one, or when the time spent waiting on it (from `waited`, the time its headers
 * took) passes `totalMs` plus a second per `minBytesPerSecond` bytes received: the read's
 * deadline (a slow but steady sender earns its time). Only time spent waiting for a chunk counts, not
 * the reader's own work between chunks. `onTimeout`: called on either (e.g. abort the fetch).
 */
export function boundedStream(
  stream: ReadableStream<Uint8Array>,
  limits: Omit<StreamLimits, "timeoutMs">,
  url: string,
  onTimeout: () => void = () => {},
  now: () => number = Date.now,
  waited = 0,
): ReadableStream<Uint8Array> {
  const reader = stream.getReader();
  const { idleMs, totalMs, minBytesPerSecond } = limits;
  let received = 0;
  const idle = () =>
    new OutboundError(
      "timeout",
      `${where(url)} sent nothing for ${idleMs / 1000} s in the middle of its answer`,
      url,
    );
  const overall = (spent: number) =>
    new OutboundError(
      "timeout",
      minBytesPerSecond
        ? `${where(url)} sent ${received} bytes in ${Math.round(spent / 1000)} s, under ${minBytesPerSecond / 1024} KiB/s after its first ${totalMs / 1000} s (the deadline of one object read)`
        : `${where(url)} took more than ${totalMs / 1000} s in all to send its answer (the deadline of one object read)`,
      url,
    );
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const earned = minBytesPerSecond ? (received * 1000) / minBytesPerSecond : 0;
      const left = totalMs + earned - waited;
      const byDeadline = left <= idleMs;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const stalled = new Promise<never>((_, reject) => {
        const ms = byDeadline ? Math.max(0, left) : idleMs;
        timer = setTimeout(() => reject(byDeadline ? overall(waited + ms) : idle()), ms);
      });
      const started = now();
      try {
        const { done, value } = await Promise.race([reader.read(), stalled]);
        if (done) controller.close();
        else {
          received += value.byteLength;
          controller.enqueue(value);
        }
      } catch (err) {
        onTimeout();
        reader.cancel().catch(() => {});
        controller.error(err);
      } finally {
        clearTimeout(timer);
        waited += now() - started;
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}
