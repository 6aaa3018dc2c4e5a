import { describe, expect, it } from "vitest";
import {
  buildIpdb,
  combine,
  countryCode,
  csvRows,
  flatten,
  gzip,
  parseRanges,
} from "../../scripts/ipdb/core.mjs";
import { lookup } from "../../src/enrich";
import { type Ipdb, IpdbFormatError } from "../../src/enrich/ipdb";
import { parseIpdb } from "../../src/enrich/ipdb-parse";
import { gunzipSized } from "../../src/enrich/load";
import { parseIP } from "../../src/lib/ip";
import { buildSlice, SLICE_VERSION } from "../fixtures/ipdb/build";

const V4_MAX = (1n << 32n) - 1n;
const ip4 = (s: string) => {
  const p = parseIP(s);
  if (p?.v !== 4) throw new Error(s);
  return BigInt(p.n);
};

describe("ipdb build: the committed real slice", () => {
  const { bytes, header } = buildSlice();
  const db = parseIpdb(bytes);

  it("maps 1.1.1.1 to AS13335 with the organization the data has", () => {
    expect(lookup(db, "1.1.1.1")).toMatchObject({
      asNumber: 13335,
      asOrganization: "Cloudflare, Inc.",
      countryCode: "AU",
    });
  });

  it("maps 8.8.8.8 to AS15169 Google LLC in US", () => {
    expect(lookup(db, "8.8.8.8")).toEqual({
      asNumber: 15169,
      asOrganization: "Google LLC",
      countryCode: "US",
      city: null,
      latitude: null,
      longitude: null,
    });
  });

  it("maps the ends of a range and not one address past it", () => {
    expect(lookup(db, "8.8.8.0")?.asNumber).toBe(15169);
    expect(lookup(db, "8.8.8.255")?.asNumber).toBe(15169);
    expect(lookup(db, "8.8.9.0")?.asNumber).toBe(23089);
    expect(lookup(db, "8.8.7.255")?.asNumber).toBe(3356);
  });

  it("maps an IPv6 address of AS32934", () => {
    expect(lookup(db, "2a03:2880:f12f:83:face:b00c::25de")).toMatchObject({
      asNumber: 32934,
      asOrganization: "Facebook, Inc.",
      countryCode: "IE",
    });
    expect(lookup(db, "2606:4700:4700::1111")?.asNumber).toBe(13335);
    expect(lookup(db, "2001:4860:4860::8888")?.asNumber).toBe(15169);
  });

  it("sends IPv4-mapped IPv6 to the IPv4 table", () => {
    expect(lookup(db, "::ffff:8.8.8.8")?.asNumber).toBe(15169);
    expect(lookup(db, "::ffff:808:808")?.asNumber).toBe(15169);
    expect(lookup(db, "::ffff:10.0.0.1")).toBeNull();
  });

  it("gives null for private, loopback, link-local, documentation, CGNAT and multicast", () => {
    for (const ip of [
      "10.0.0.1",
      "fe80::1",
      "127.0.0.1",
      "192.168.1.1",
      "172.16.5.4",
      "169.254.169.254",
      "100.64.0.1",
      "192.0.2.1",
      "198.51.100.7",
      "203.0.113.42",
      "224.0.0.1",
      "255.255.255.255",
      "0.0.0.0",
      "::1",
      "::",
      "fd12:3456::1",
      "2001:db8::1",
      "ff02::1",
    ])
      expect([ip, lookup(db, ip)]).toEqual([ip, null]);
  });

  it("gives null for addresses the data does not cover and for non-addresses", () => {
    expect(lookup(db, "5.5.5.5")).toBeNull();
    expect(lookup(db, "not an ip")).toBeNull();
    expect(lookup(db, "")).toBeNull();
  });

  it("takes the innermost of nested real country ranges", () => {
    // 2.58.197.0/23 … DE contains the one-address range 2.58.197.15 BE.
    expect(lookup(db, "2.58.197.15")?.countryCode).toBe("BE");
    expect(lookup(db, "2.58.197.14")?.countryCode).toBe("DE");
    expect(lookup(db, "2.58.197.16")?.countryCode).toBe("DE");
    // IPv6: JP ⊃ NL ⊃ GB (and a US and an IL range inside NL).
    expect(lookup(db, "2001:420:4000::5")?.countryCode).toBe("GB");
    expect(lookup(db, "2001:420:4100::")?.countryCode).toBe("US");
    expect(lookup(db, "2001:420:4488::")?.countryCode).toBe("NL");
    expect(lookup(db, "2001:420:5000::")?.countryCode).toBe("JP");
  });

  it("keeps the country where the AS data has a gap", () => {
    expect(lookup(db, "2001:420:4488::")).toMatchObject({ asNumber: null, asOrganization: null });
  });

  it("writes a versioned blob with its sources and an AS name dictionary", () => {
    expect(db.header.version).toBe(SLICE_VERSION);
    expect(db.header.sources.map((s) => s.name)).toEqual([
      "@ip-location-db/asn",
      "@ip-location-db/geo-whois-asn-country",
    ]);
    expect(header.counts.v4Segments).toBe(db.v4Starts.length);
    expect([...db.asnKeys]).toEqual([...db.asnKeys].sort((a, b) => a - b));
    expect(db.asnKeys).toContain(13335);
    expect(bytes.length % 8).toBe(0);
  });

  it("round-trips through gzip and the streaming decompressor", async () => {
    const gz = await gzip(bytes);
    expect(gz.length).toBeLessThan(bytes.length);
    const back = await gunzipSized(new Blob([gz]).stream());
    expect(back).toEqual(bytes);
    expect(lookup(parseIpdb(back), "1.1.1.1")?.asNumber).toBe(13335);
  });

  it("rejects a truncated, corrupt or foreign blob", async () => {
    const gz = await gzip(bytes.subarray(0, bytes.length - 8));
    await expect(gunzipSized(new Blob([gz]).stream())).rejects.toThrow(/truncated/);
    await expect(gunzipSized(new Blob([await gzip(new Uint8Array(64))]).stream())).rejects.toThrow(
      IpdbFormatError,
    );
    expect(() => parseIpdb(bytes.subarray(0, bytes.length - 8))).toThrow(IpdbFormatError);
    const bad = bytes.slice();
    bad[4] = 9;
    expect(() => parseIpdb(bad)).toThrow(/format 9/);
  });
});

describe("ipdb build: synthetic nested, gap and merge cases", () => {
  const csvV4 = (rows: Array<[string, string, string]>) =>
    rows.map(([s, e, v]) => `${ip4(s)},${ip4(e)},${v}`).join("\n");
  const build = (asn: string, country: string): Ipdb =>
    parseIpdb(
      buildIpdb({
        version: "synthetic",
        builtAt: "2026-01-01T00:00:00.000Z",
        asn: { v4: asn, v6: "" },
        country: { v4: country, v6: "" },
      }).bytes,
    );

  it("takes the most specific of three nested ranges and returns to the outer one after", () => {
    const db = build(
      "",
      csvV4([
        ["11.0.0.0", "11.0.255.255", "US"],
        ["11.0.1.0", "11.0.1.255", "CA"],
        ["11.0.1.128", "11.0.1.128", "MX"],
      ]),
    );
    expect(lookup(db, "11.0.0.255")?.countryCode).toBe("US");
    expect(lookup(db, "11.0.1.0")?.countryCode).toBe("CA");
    expect(lookup(db, "11.0.1.127")?.countryCode).toBe("CA");
    expect(lookup(db, "11.0.1.128")?.countryCode).toBe("MX");
    expect(lookup(db, "11.0.1.129")?.countryCode).toBe("CA");
    expect(lookup(db, "11.0.2.0")?.countryCode).toBe("US");
    expect(lookup(db, "11.1.0.0")).toBeNull();
  });

  it("does not depend on the order of the rows", () => {
    const db = build(
      "",
      csvV4([
        ["11.0.1.128", "11.0.1.128", "MX"],
        ["11.0.0.0", "11.0.255.255", "US"],
        ["11.0.1.0", "11.0.1.255", "CA"],
      ]),
    );
    expect(["11.0.0.1", "11.0.1.1", "11.0.1.128"].map((a) => lookup(db, a)?.countryCode)).toEqual([
      "US",
      "CA",
      "MX",
    ]);
  });

  it("fills gaps with nothing and merges equal neighbours", () => {
    const asn = csvV4([
      ["12.0.0.0", "12.0.0.255", "64500,Example One"],
      ["12.0.1.0", "12.0.1.255", "64500,Example One"],
      ["12.0.3.0", "12.0.3.255", "64501,Example Two"],
    ]);
    const db = build(asn, "");
    expect(lookup(db, "12.0.1.255")?.asNumber).toBe(64500);
    expect(lookup(db, "12.0.2.0")).toBeNull();
    expect(lookup(db, "12.0.3.0")).toMatchObject({
      asNumber: 64501,
      asOrganization: "Example Two",
    });
    // 0.0.0.0, 12.0.0.0 (two rows merged), 12.0.2.0 (gap), 12.0.3.0, 12.0.4.0 (gap to the end)
    expect([...db.v4Starts]).toEqual(
      ["0.0.0.0", "12.0.0.0", "12.0.2.0", "12.0.3.0", "12.0.4.0"].map((s) => Number(ip4(s))),
    );
  });

  it("combines AS and country layers whose boundaries differ", () => {
    const db = build(
      csvV4([["13.0.0.0", "13.0.3.255", "64502,Wide AS"]]),
      csvV4([
        ["13.0.2.0", "13.0.5.255", "DE"],
        ["12.255.255.0", "13.0.0.255", "FR"],
      ]),
    );
    expect(lookup(db, "12.255.255.1")).toMatchObject({ asNumber: null, countryCode: "FR" });
    expect(lookup(db, "13.0.0.1")).toMatchObject({ asNumber: 64502, countryCode: "FR" });
    expect(lookup(db, "13.0.1.1")).toMatchObject({ asNumber: 64502, countryCode: null });
    expect(lookup(db, "13.0.2.1")).toMatchObject({ asNumber: 64502, countryCode: "DE" });
    expect(lookup(db, "13.0.4.1")).toMatchObject({ asNumber: null, countryCode: "DE" });
  });

  it("covers the first and the last address of each family", () => {
    const db = parseIpdb(
      buildIpdb({
        version: "edges",
        builtAt: "2026-01-01T00:00:00.000Z",
        asn: {
          v4: `0,0,64510,First\n${V4_MAX},${V4_MAX},64511,Last`,
          v6: `${(1n << 128n) - 1n},${(1n << 128n) - 1n},64512,Last6`,
        },
        country: { v4: "", v6: "" },
      }).bytes,
    );
    expect(db.v4Asn[0]).toBe(64510);
    expect(db.v4Asn[db.v4Asn.length - 1]).toBe(64511);
    expect(db.v6Asn[db.v6Asn.length - 1]).toBe(64512);
  });

  it("flattens partly overlapping ranges with the smaller one winning", () => {
    const r = (s: number, e: number, v: number) => ({ s: BigInt(s), e: BigInt(e), v });
    expect(flatten([r(10, 29, 1), r(20, 24, 2), r(22, 40, 3)], 100n)).toEqual({
      starts: [0n, 10n, 20n, 25n, 41n],
      values: [0, 1, 2, 3, 0],
    });
    // Equal sizes: the later row wins.
    expect(flatten([r(5, 9, 1), r(5, 9, 2)], 100n).values).toEqual([0, 2, 0]);
    expect(
      combine([
        { starts: [0n, 10n], values: [0, 1] },
        { starts: [0n, 5n, 10n], values: [0, 7, 7] },
      ]),
    ).toEqual({
      starts: [0n, 5n, 10n],
      values: [
        [0, 0, 1],
        [0, 7, 7],
      ],
    });
  });

  it("reads quoted CSV fields and rejects malformed rows", () => {
    expect(
      csvRows('1,2,3,"Enecom,Inc."\n\n# note\n1,2,201907,"LLC ""SPUTNIK"""\n1,2,,', "t"),
    ).toEqual([
      ["1", "2", "3", "Enecom,Inc."],
      ["1", "2", "201907", 'LLC "SPUTNIK"'],
      ["1", "2", "", ""],
    ]);
    expect(() => parseRanges("5,1,US", V4_MAX, () => 1, "t")).toThrow(/end before start/);
    expect(() => parseRanges("1,4294967296,US", V4_MAX, () => 1, "t")).toThrow(/out of range/);
    expect(() => parseRanges("x,1,US", V4_MAX, () => 1, "t")).toThrow(/not a number/);
    expect(() => csvRows('1,2,"open', "t")).toThrow(/t: CSV row 1: Quoted field unterminated/);
    expect(countryCode("us")).toBe(0x5553);
    expect(countryCode("-")).toBe(0);
  });
});

describe("ipdb build: optional city CSV", () => {
  const city = [
    // start,end,country,state1,state2,city,postcode,latitude,longitude,timezone
    `${ip4("8.8.8.0")},${ip4("8.8.8.255")},US,California,,Mountain View,,37.4056,-122.0775,America/Los_Angeles`,
    `${ip4("1.1.1.0")},${ip4("1.1.1.255")},AU,Queensland,,"South Brisbane",,-27.4767,153.017,`,
  ].join("\n");
  const slice = buildSlice();
  const withCity = parseIpdb(
    buildIpdb({
      version: "with-city",
      builtAt: "2026-01-01T00:00:00.000Z",
      asn: { v4: "", v6: "" },
      country: { v4: "", v6: "" },
      city: { v4: city, v6: "" },
    }).bytes,
  );

  it("fills city and coordinates from a city CSV", () => {
    expect(lookup(withCity, "8.8.8.8")).toEqual({
      asNumber: null,
      asOrganization: null,
      countryCode: null,
      city: "Mountain View",
      latitude: 37.4056,
      longitude: -122.0775,
    });
    expect(lookup(withCity, "1.1.1.1")?.city).toBe("South Brisbane");
  });

  it("leaves city and coordinates null without one", () => {
    expect(lookup(parseIpdb(slice.bytes), "8.8.8.8")?.city).toBeNull();
  });
});
