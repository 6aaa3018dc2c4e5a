import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { roleOf } from "../../src/routes/query-auth";
import { ADMIN_TOKEN, count, envWith, QUERY_TOKEN, query } from "../helpers";

/** roleOf: a token's role, the token hashed per request and each secret's digest kept. */
describe("roleOf", () => {
  it("the query token reads, the admin token administers, anything else is no one", async () => {
    expect(await roleOf(env, QUERY_TOKEN)).toBe("reader");
    expect(await roleOf(env, ADMIN_TOKEN)).toBe("admin");
    for (const wrong of ["", "x", QUERY_TOKEN.slice(0, -1), `${QUERY_TOKEN}x`, ` ${QUERY_TOKEN}`])
      expect(await roleOf(env, wrong)).toBeNull();
  });

  it("a rotated secret: the old token stops working at once, the new one works", async () => {
    expect(await roleOf(env, QUERY_TOKEN)).toBe("reader");
    const rotated = envWith({ QUERY_API_TOKEN: "rotated-query-token" });
    expect(await roleOf(rotated, QUERY_TOKEN)).toBeNull();
    expect(await roleOf(rotated, "rotated-query-token")).toBe("reader");
    expect(await roleOf(rotated, ADMIN_TOKEN)).toBe("admin");
    // and back: each secret's value has its own digest
    expect(await roleOf(env, "rotated-query-token")).toBeNull();
    expect(await roleOf(env, QUERY_TOKEN)).toBe("reader");
  });

  it("unset secrets match nothing, not even an empty token", async () => {
    const none = envWith({ QUERY_API_TOKEN: "", ADMIN_API_TOKEN: "" });
    expect(await roleOf(none, "")).toBeNull();
    expect(await roleOf(none, QUERY_TOKEN)).toBeNull();
    const queryOnly = envWith({ ADMIN_API_TOKEN: "" });
    expect(await roleOf(queryOnly, QUERY_TOKEN)).toBe("reader");
    expect(await roleOf(queryOnly, ADMIN_TOKEN)).toBeNull();
  });

  it("many secrets over time (past the digests kept): each compared with its own value", async () => {
    for (let i = 0; i < 20; i++) {
      const e = envWith({ QUERY_API_TOKEN: `query-${i}`, ADMIN_API_TOKEN: `admin-${i}` });
      expect(await roleOf(e, `query-${i}`)).toBe("reader");
      expect(await roleOf(e, `admin-${i}`)).toBe("admin");
      expect(await roleOf(e, `query-${i - 1}`)).toBeNull();
    }
  });
});

describe("a read through two role middlewares (`/v1/logs` and `/v1/logs/*`, two routers)", () => {
  it("is judged once and audited once, with either token", async () => {
    const paths = ["/v1/logs?limit=1", "/v1/logs/histogram?since=1h", "/v1/logs/facets?since=1h"];
    let ip = 10;
    for (const token of [QUERY_TOKEN, ADMIN_TOKEN]) {
      for (const path of paths) {
        const from = `198.51.100.${ip++}`;
        const res = await query(path, {
          authorization: `Bearer ${token}`,
          "cf-connecting-ip": from,
        });
        expect(res.status, path).toBe(200);
        const n = await count(
          "SELECT count(*) AS n FROM logs WHERE sourceID = 'auditflare' AND srcIP = ?",
          from,
        );
        expect(n, `${path} audited`).toBe(1);
      }
    }
    const denied = await query("/v1/logs?limit=1", { authorization: "Bearer nope" });
    expect(denied.status).toBe(401);
  });
});
