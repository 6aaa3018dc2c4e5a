import { afterEach, describe, expect, it } from "vitest";
import { vendorOf } from "../../../src/vendors";
import type { Vendor } from "../../../src/vendors/types";
import { GITHUB } from "../../fixtures/signature-schemes";
import { count, gzip, type Json, push, tpEvent } from "../../helpers";

/**
 * A pushed vendor that signs its deliveries declares `push.auth` in its folder; the push route
 * does the rest. Here turbopuffer is given GitHub's scheme for the length of a test (no seed
 * vendor signs), and source `tp-other` (secret OTHER_INGEST_TOKEN) receives through the route.
 */
const SECRET = "other-ingest-token";
const vendor = vendorOf("turbopuffer") as Vendor & { push?: Vendor["push"] };

afterEach(() => {
  delete vendor.push;
});

async function sign(body: Uint8Array | string, secret = SECRET): Promise<string> {
  const bytes = typeof body === "string" ? new TextEncoder().encode(body) : body;
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, bytes));
  return `sha256=${[...mac].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}

const stored = (id: string) => count("SELECT count(*) AS n FROM logs WHERE eventID = ?1", id);

describe("push ingest: a vendor that signs its deliveries (push.auth hmac)", () => {
  it("stores a delivery signed with the source's secret, with no bearer token", async () => {
    vendor.push = { auth: GITHUB };
    const body = JSON.stringify({ ...tpEvent(7001), id: "signed-1" });
    const res = await push("tp-other", body, {
      token: null,
      headers: { "x-hub-signature-256": await sign(body) },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ received: 1, inserted: 1 });
    expect(await stored("signed-1")).toBe(1);
  });

  it("refuses a wrong or missing signature with 401 signature_invalid, storing nothing", async () => {
    vendor.push = { auth: GITHUB };
    const body = JSON.stringify({ ...tpEvent(7002), id: "signed-2" });
    const cases: Array<[Record<string, string>, string]> = [
      [{ "x-hub-signature-256": await sign(body, "another-secret") }, "does not match the body"],
      [{ "x-hub-signature-256": await sign(`${body} `) }, "does not match the body"],
      [{}, "the x-hub-signature-256 header is missing"],
    ];
    for (const [headers, reason] of cases) {
      // A valid bearer token does not stand in for the signature.
      const res = await push("tp-other", body, { token: SECRET, headers });
      expect(res.status).toBe(401);
      const error = ((await res.json()) as { error: Json }).error;
      expect(error.code).toBe("signature_invalid");
      expect(String(error.message)).toContain(reason);
    }
    expect(await stored("signed-2")).toBe(0);
  });

  it("checks the bytes as sent: a gzipped body is signed compressed", async () => {
    vendor.push = { auth: GITHUB };
    const wire = await gzip(JSON.stringify({ ...tpEvent(7003), id: "signed-3" }));
    const res = await push("tp-other", wire, {
      token: null,
      headers: { "content-encoding": "gzip", "x-hub-signature-256": await sign(wire) },
    });
    expect(res.status).toBe(200);
    expect(await stored("signed-3")).toBe(1);
  });

  it("without push.auth a vendor takes a bearer token, as before", async () => {
    const body = JSON.stringify({ ...tpEvent(7004), id: "signed-4" });
    expect((await push("tp-other", body, { token: null })).status).toBe(401);
    expect((await push("tp-other", body, { token: SECRET })).status).toBe(200);
  });
});
