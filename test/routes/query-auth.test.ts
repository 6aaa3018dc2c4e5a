import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { roleOf } from "../../src/routes/query-auth";
import { ADMIN_TOKEN, envWith, QUERY_TOKEN } from "../helpers";

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
