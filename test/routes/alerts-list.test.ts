import { describe, expect, it } from "vitest";
import { encodeAlertsCursor } from "../../src/lib/cursor";
import { query } from "../helpers";

describe("GET /v1/alerts cursor", () => {
  it("answers, as every API route, with Cache-Control: no-store", async () => {
    for (const path of ["/v1/alerts", "/v1/logs?limit=1", "/v1/sources"])
      expect((await query(path)).headers.get("cache-control"), path).toBe("no-store");
    expect((await query("/v1/nope")).headers.get("cache-control")).toBe("no-store");
  });

  it("a cursor the API did not issue is a 400 naming the parameter, not a 500", async () => {
    // not base64 / base64 of JSON that is not [firstSeen, id] / the pair the other way round
    for (const cursor of ["abc", btoa("1"), btoa(JSON.stringify(["a", 1]))]) {
      const res = await query(`/v1/alerts?cursor=${encodeURIComponent(cursor)}`);
      expect(res.status, cursor).toBe(400);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe("invalid_parameter");
      expect(body.error.message).toContain('"cursor"');
    }
  });

  it("a cursor it issued is taken", async () => {
    const res = await query(`/v1/alerts?cursor=${encodeURIComponent(encodeAlertsCursor(1, "x"))}`);
    expect(res.status).toBe(200);
  });
});
