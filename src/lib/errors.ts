import type { ContentfulStatusCode } from "hono/utils/http-status";

/**
 * Every error code auditflare answers with or records in quarantine, and the HTTP status each
 * maps to: one closed set, one table. Data failures (a record, a body, a file) travel as tagged
 * values carrying one of these codes; request failures are thrown as AppError.
 */
export const ERRORS = {
  // Requests
  invalid_parameter: 400,
  unknown_parameter: 400,
  empty_body: 400,
  body_unreadable: 400,
  invalid_sns_message: 400,
  invalid_push_message: 400,
  invalid_rule: 400,
  invalid_pipeline: 400,
  sql_not_allowed: 400,
  sql_error: 400,
  missing_token: 401,
  malformed_authorization: 401,
  invalid_token: 401,
  sns_verification_failed: 401,
  push_token_invalid: 401,
  signature_invalid: 401,
  admin_required: 403,
  cross_site_request: 403,
  saved_owned_by_other: 403,
  ip_not_allowed: 403,
  not_found: 404,
  source_not_found: 404,
  not_a_push_source: 404,
  not_a_bucket_source: 404,
  log_not_found: 404,
  rule_not_found: 404,
  pipeline_not_found: 404,
  alert_not_found: 404,
  saved_not_found: 404,
  quarantine_entry_not_found: 404,
  pipeline_in_use: 409,
  body_too_large: 413,
  unsupported_content_type: 415,
  unsupported_content_encoding: 415,
  storage_unavailable: 503,
  access_keys_unavailable: 503,
  ingest_token_not_configured: 503,
  event_grid_secret_not_configured: 503,
  query_token_not_configured: 503,
  admin_token_not_configured: 503,
  // Input that does not parse (a pushed body is answered 400 and kept in quarantine)
  invalid_json: 400,
  nesting_too_deep: 400,
  invalid_gzip: 400,
  invalid_deflate: 400,
  invalid_utf8: 400,
  // Records and files kept aside in quarantine (a replay that still fails answers 422)
  invalid_event: 422,
  invalid_time: 422,
  invalid_csv_row: 422,
  invalid_records: 422,
  normalize_failed: 422,
  row_failed: 422,
  row_too_large: 422,
  id_collision: 422,
  record_too_large: 422,
  document_too_large: 422,
  invalid_file: 422,
  no_records: 422,
  not_replayable: 422,
  still_not_storable: 422,
  unknown_prefix: 422,
  invalid_notification: 422,
  retries_exhausted: 422,
  object_missing: 422,
  malformed_page: 422,
  not_an_s3_event: 422,
  // Our side
  config_invalid: 500,
  ipdb_invalid: 500,
  poll_failed: 502,
  upstream_failed: 502,
  sql_too_costly: 400,
  sns_certificate_unavailable: 502,
  bucket_read_failed: 502,
  http_error: 400,
  internal_error: 500,
} as const satisfies Record<string, ContentfulStatusCode>;

export type ErrorCode = keyof typeof ERRORS;

/** The root of auditflare's errors: each carries a code of the closed set. */
export class AuditflareError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * The error request handling throws. `app.onError` renders it as the contract's
 * `{"error": {"code", "message"}}` body with its code's status (or `status`, where the context
 * decides: a replay that still fails is 422 whatever the record's code).
 */
export class AppError extends AuditflareError {
  readonly status: ContentfulStatusCode;
  constructor(code: ErrorCode, message: string, status?: ContentfulStatusCode) {
    super(code, message);
    this.status = status ?? ERRORS[code];
  }
}

interface ErrorBody {
  error: { code: ErrorCode; message: string; requestId?: string };
}

export function errorBody(code: ErrorCode, message: string, requestId?: string): ErrorBody {
  return { error: requestId ? { code, message, requestId } : { code, message } };
}

/** A stack frame line (`    at f (file.js:1:2)`), as some runtimes' messages carry them. */
const FRAME_LINE = /^\s*at\s.*$/;

/**
 * A message safe to log, store or show for any thrown value: the error's name and message,
 * without stack frames (a D1 or runtime message may carry them; they never reach a response).
 */
export function describeError(err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return text
    .split("\n")
    .filter((line) => !FRAME_LINE.test(line))
    .join("\n")
    .trim();
}
