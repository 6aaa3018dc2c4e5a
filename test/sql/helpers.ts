import { expect } from "vitest";
import { checkReadOnly } from "../../src/sql/readonly";

/** The relations `POST /v1/sql` will allow: the logs table and the per-source views. */
export const ALLOWED: ReadonlySet<string> = new Set([
  "logs",
  "turbopuffer_audit_logs",
  "circleci_audit_logs",
  "airkit_audit_logs",
  "planetscale_logs",
  "turso_audit_logs",
  "auditflare_audit_logs",
]);

/** The message for a relation outside ALLOWED. */
export const NOT_ALLOWED =
  /^relation "(.+)" is not allowed; query one of: logs, turbopuffer_audit_logs, /;

/** The SQL the gate lets through, failing the test with the gate's message otherwise. */
export function allowedSql(sql: string, allowed: ReadonlySet<string> = ALLOWED): string {
  const check = checkReadOnly(sql, allowed);
  if (!check.ok) expect.fail(`refused ${JSON.stringify(sql)}: ${check.message}`);
  return check.sql;
}

/** The gate's message for SQL it must refuse. */
export function refusal(sql: string, allowed: ReadonlySet<string> = ALLOWED): string {
  const check = checkReadOnly(sql, allowed);
  if (check.ok) expect.fail(`allowed ${JSON.stringify(sql)} as ${JSON.stringify(check.sql)}`);
  return check.message;
}
