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
  /** A bucket object: the headers within the deadline, then at most this long between chunks. */
  object: { timeoutMs: 30_000, idleMs: 30_000 },
} as const;

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
    return `${u.origin}${u.pathname}`;
  } catch {
    return url;
  }
};

type Fetcher = (input: string, init?: RequestInit) => Promise<Response>;

/** A fetch under a deadline: the abort fires after `timeoutMs`; `timedOut` says it did. */
async function fetchBefore(
  url: string,
  init: RequestInit,
  timeoutMs: number,
  fetcher: Fetcher,
): Promise<{ res: Response; controller: AbortController; deadline: Deadline }> {
  const controller = new AbortController();
  const deadline: Deadline = {
    timedOut: false,
    timer: setTimeout(() => {
      deadline.timedOut = true;
      controller.abort();
    }, timeoutMs),
    message: `${where(url)} did not answer within ${timeoutMs / 1000} s`,
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
  timer: ReturnType<typeof setTimeout>;
  message: string;
}

/** What a failed exchange was: the deadline, or the network. */
function failure(err: unknown, deadline: Deadline, url: string): OutboundError {
  if (err instanceof OutboundError) return err;
  if (deadline.timedOut) return new OutboundError("timeout", deadline.message, url);
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
 * the last, or the stream errors with an OutboundError `timeout`. Size is the consumer's budget.
 */
export async function fetchStreaming(
  url: string,
  init: RequestInit,
  limits: { timeoutMs: number; idleMs: number },
  fetcher: Fetcher = (u, i) => fetch(u, i),
): Promise<Response> {
  const { res, controller, deadline } = await fetchBefore(url, init, limits.timeoutMs, fetcher);
  clearTimeout(deadline.timer);
  if (!res.body) return res;
  const body = idleTimeout(res.body, limits.idleMs, url, () => controller.abort());
  return new Response(body, {
    status: res.status,
    statusText: res.statusText,
    headers: res.headers,
  });
}

/** `stream`, erroring when no chunk arrives within `idleMs` of the previous one. */
export function idleTimeout(
  stream: ReadableStream<Uint8Array>,
  idleMs: number,
  url: string,
  onTimeout: () => void = () => {},
): ReadableStream<Uint8Array> {
  const reader = stream.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const stalled = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new OutboundError(
                "timeout",
                `${where(url)} sent nothing for ${idleMs / 1000} s in the middle of its answer`,
                url,
              ),
            ),
          idleMs,
        );
      });
      try {
        const { done, value } = await Promise.race([reader.read(), stalled]);
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (err) {
        onTimeout();
        reader.cancel().catch(() => {});
        controller.error(err);
      } finally {
        clearTimeout(timer);
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}
