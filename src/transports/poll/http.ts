import { AuditflareError } from "../../lib/errors";
import { fetchBounded, type Limits, OutboundError } from "../../lib/outbound";
import type { PageRequest } from "../../vendors/types";

/** Vendor API calls for the pollers: one request, its failure classified for the scheduler. */

type PollErrorKind =
  | "auth"
  | "rate_limited"
  | "server"
  | "network"
  | "timeout"
  | "too_large"
  | "malformed"
  | "cursor_loop"
  | "config";

export class PollError extends AuditflareError {
  constructor(
    readonly kind: PollErrorKind,
    message: string,
    readonly details: { status?: number; retryAfterMs?: number; body?: string; url?: string } = {},
  ) {
    super("poll_failed", message);
  }
}

/** Retry-After: seconds, or an HTTP date. */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header.trim());
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** A page as the API answered it: poll clients page by body fields or by headers (Link). */
interface Page {
  status: number;
  headers: Headers;
  body: string;
}

/** Fetches a page within `limits`; returns it, or throws a PollError saying what went wrong. */
export async function getPage(req: PageRequest, now: number, limits: Limits): Promise<Page> {
  const headers = { accept: "application/json", "user-agent": "auditflare", ...req.headers };
  const init: RequestInit =
    req.method === "POST" ? { method: "POST", body: req.body ?? "", headers } : { headers };
  const res = await fetchBounded(req.url, init, limits).catch((err: unknown) => {
    if (err instanceof OutboundError) throw new PollError(err.kind, err.message, { url: req.url });
    throw err;
  });
  const body = res.text();
  if (res.ok) return { status: res.status, headers: res.headers, body };
  const details = { status: res.status, body: body.slice(0, 2000), url: req.url };
  if (res.status === 429) {
    throw new PollError("rate_limited", "rate limited (429)", {
      ...details,
      retryAfterMs: retryAfterMs(res.headers.get("retry-after"), now),
    });
  }
  if (res.status === 401 || res.status === 402 || res.status === 403 || res.status === 404) {
    throw new PollError("auth", req.explainAuth(res.status), details);
  }
  throw new PollError("server", `the API answered ${res.status}`, details);
}

export function parseJsonBody(body: string, url: string): unknown {
  try {
    return JSON.parse(body);
  } catch (err) {
    throw new PollError("malformed", `response is not JSON: ${(err as Error).message}`, {
      body,
      url,
    });
  }
}
