import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ADMIN_TOKEN, call, QUERY_TOKEN } from "../helpers";

/**
 * One request, one self-audit event, named by its operation: every operation of the OpenAPI
 * document is called once, and the `auditflare` events stored under its request id are exactly
 * one whose action is the operationId — or none for the vendor deliveries, which carry the
 * vendor's credential (or none) instead of a person's or a reader's.
 */

interface Operation {
  operationId: string;
  security?: Array<Record<string, string[]>>;
}
type Doc = { paths: Record<string, Record<string, Operation>> };

/** Operations whose callers are vendors (ingest token, SNS signature, Pub/Sub token, Event Grid secret): not audited. */
const VENDOR_SCHEMES = new Set(["ingestToken", "pubsubPushToken", "eventGridSecret"]);
const isDelivery = (op: Operation) =>
  (op.security ?? []).every((s) => Object.keys(s).every((k) => VENDOR_SCHEMES.has(k)));

let seq = 0;

async function auditedAs(requestId: string): Promise<string[]> {
  const { results } = await env.DB.prepare(
    "SELECT eventName FROM logs WHERE sourceID = 'auditflare' AND json_extract(rawLog, '$.requestId') = ?",
  )
    .bind(requestId)
    .all<{ eventName: string }>();
  return results.map((r) => r.eventName);
}

/** Calls the operation with placeholder parameters: its answer may be 4xx, it is still audited. */
async function callOnce(method: string, path: string, token: string): Promise<string> {
  const requestId = `audit-walk-${++seq}`;
  const url = path.replace(/\{[^}]+\}/g, "no-such-id");
  const init: RequestInit = {
    method: method.toUpperCase(),
    headers: {
      authorization: `Bearer ${token}`,
      "cf-ray": requestId,
      "content-type": "application/json",
    },
  };
  if (method !== "get" && method !== "delete") init.body = "{}";
  await call(url, init);
  return requestId;
}

describe("self-audit: one event per request, named by its operationId", () => {
  it("every operation of GET /v1/openapi.json", async () => {
    const doc = (await (await call("/v1/openapi.json")).json()) as Doc;
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({ path, method, op })),
    );
    expect(operations.length).toBeGreaterThan(20);
    const seen: Record<string, string[]> = {};
    const expected: Record<string, string[]> = {};
    for (const { path, method, op } of operations) {
      const requestId = await callOnce(method, path, ADMIN_TOKEN);
      seen[op.operationId] = await auditedAs(requestId);
      expected[op.operationId] = isDelivery(op) ? [] : [op.operationId];
    }
    expect(seen).toEqual(expected);
  });

  it("reads named as themselves with the query token: list, histogram, facets, schema", async () => {
    const cases: Array<[string, string, string]> = [
      ["get", "/v1/logs", "listLogs"],
      ["get", "/v1/logs/histogram", "logsHistogram"],
      ["get", "/v1/logs/facets", "logsFacets"],
      ["get", "/v1/logs/{id}", "getLog"],
      ["get", "/v1/sql/schema", "sqlSchema"],
      ["get", "/v1/quarantine", "listQuarantine"],
      ["get", "/v1/rules", "listRules"],
      ["post", "/v1/sql", "runSql"],
    ];
    for (const [method, path, name] of cases) {
      const requestId = await callOnce(method, path, QUERY_TOKEN);
      expect(await auditedAs(requestId), `${method} ${path}`).toEqual([name]);
    }
  });
});
