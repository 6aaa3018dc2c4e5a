import { AuditflareError } from "../../lib/errors";

/** Vendor API calls for the pollers: one request, its failure classified for the scheduler. */

type PollErrorKind = "auth" | "rate_limited" | "server" | "network" | "malformed" | "config";

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

interface VendorRequest {
  url: string;
  headers: Record<string, string>;
  /** Explains an auth/permission status in words a user can act on. */
  explainAuth: (status: number) => string;
}

/** A page as the API answered it: poll clients page by body fields or by headers (Link). */
interface Page {
  status: number;
  headers: Headers;
  body: string;
}

/** GETs a page; returns it, or throws a PollError saying what went wrong. */
export async function getPage(req: VendorRequest, now: number): Promise<Page> {
  let res: Response;
  try {
    res = await fetch(req.url, {
      headers: { accept: "application/json", "user-agent": "auditflare", ...req.headers },
    });
  } catch (err) {
    throw new PollError("network", `request failed: ${(err as Error).message}`, { url: req.url });
  }
  const body = await res.text().catch(() => "");
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
