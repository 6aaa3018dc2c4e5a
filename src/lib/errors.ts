import type { ContentfulStatusCode } from "hono/utils/http-status";

/**
 * The one error type request handling throws. `app.onError` renders it as the contract's
 * `{"error": {"code", "message"}}` body with its status; anything else becomes a generic 500.
 */
export class AppError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "AppError";
  }
}

export interface ErrorBody {
  error: { code: string; message: string; requestId?: string };
}

export function errorBody(code: string, message: string, requestId?: string): ErrorBody {
  return { error: requestId ? { code, message, requestId } : { code, message } };
}

/** A message safe to log or store for any thrown value. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}
