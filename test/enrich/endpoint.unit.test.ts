import { describe, expect, it } from "vitest";
import { enrichEndpoint } from "../../src/enrich";
import { parseIpdb } from "../../src/enrich/ipdb-parse";
import { specialPurpose } from "../../src/enrich/reserved";
import { parseIP } from "../../src/lib/ip";
import type { Endpoint } from "../../src/vendors/event";
import { buildSlice } from "../fixtures/ipdb/build";

describe("enrichEndpoint", () => {
  const db = parseIpdb(buildSlice().bytes);

  it("fills AS number, organization, ISP and country of an empty endpoint", () => {
    const e: Endpoint = { ip: "8.8.8.8" };
    expect(enrichEndpoint(db, e)).toEqual([
      "srcASNumber",
      "srcASOrganization",
      "srcISP",
      "srcASCountryCode",
    ]);
    expect(e).toEqual({
      ip: "8.8.8.8",
      asNumber: 15169,
      asOrganization: "Google LLC",
      isp: "Google LLC",
      asCountryCode: "US",
    });
  });

  it("never overwrites what the vendor sent", () => {
    const e: Endpoint = {
      ip: "8.8.8.8",
      asNumber: 64496,
      asCountryCode: "NZ",
      isp: "Vendor ISP",
      city: "Auckland",
      latitude: -36.85,
      longitude: 174.76,
    };
    expect(enrichEndpoint(db, e)).toEqual([]);
    expect(e).toEqual({
      ip: "8.8.8.8",
      asNumber: 64496,
      asCountryCode: "NZ",
      isp: "Vendor ISP",
      city: "Auckland",
      latitude: -36.85,
      longitude: 174.76,
    });
  });

  it("does nothing without an address or for a private one", () => {
    expect(enrichEndpoint(db, { ip: null })).toEqual([]);
    const priv: Endpoint = { ip: "10.0.0.1" };
    expect(enrichEndpoint(db, priv)).toEqual([]);
    expect(priv).toEqual({ ip: "10.0.0.1" });
  });
});

describe("specialPurpose", () => {
  it("names the block of a special-purpose address and passes global ones", () => {
    const sp = (s: string) => {
      const p = parseIP(s);
      if (!p) throw new Error(s);
      return specialPurpose(p);
    };
    expect(sp("100.127.255.255")).toMatch(/CGNAT/);
    expect(sp("100.128.0.0")).toBeNull();
    expect(sp("172.31.255.255")).toMatch(/private/);
    expect(sp("172.32.0.0")).toBeNull();
    expect(sp("fe80::1")).toBe("link-local");
    expect(sp("febf:ffff::1")).toBe("link-local");
    expect(sp("fec0::1")).toMatch(/site-local/);
    expect(sp("3fff:fff:ffff::1")).toMatch(/documentation/);
    expect(sp("2a03:2880::1")).toBeNull();
    expect(sp("8.8.8.8")).toBeNull();
  });
});
