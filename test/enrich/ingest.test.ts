import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { blobKey, POINTER_KEY } from "../../scripts/ipdb/core.mjs";
import { lookup } from "../../src/enrich";
import { getIpdb, RECHECK_MS, resetIpdbCache } from "../../src/enrich/load";
import { runDuePollers } from "../../src/transports/poll/scheduler";
import { portsOf } from "../../src/wiring";
import { SLICE_VERSION, uploadSlice } from "../fixtures/ipdb/build";
import { type Json, push, query, tpEvent } from "../helpers";
import { type FakeApi, fakePlanetScale, psEvent, T0 } from "../poll-helpers";

async function pushedRow(i: number, location: string): Promise<Json> {
  const event = { ...tpEvent(i), context: { location } };
  const res = await push("turbopuffer", JSON.stringify(event));
  expect(res.status).toBe(200);
  expect(await res.json()).toMatchObject({ inserted: 1 });
  const list = (await (await query(`/v1/logs?actor=user_${i}`)).json()) as { data: Json[] };
  expect(list.data).toHaveLength(1);
  return list.data[0] as Json;
}

describe("enrichment with the test blob in the IPDB bucket", () => {
  beforeAll(async () => {
    await uploadSlice(env.IPDB);
    resetIpdbCache();
  });

  it("fills the AS fields of a pushed turbopuffer event from 8.8.8.8", async () => {
    const row = await pushedRow(7001, "8.8.8.8");
    expect(row).toMatchObject({
      srcIP: "8.8.8.8",
      srcASNumber: 15169,
      srcASOrganization: "Google LLC",
      srcISP: "Google LLC",
      srcASCountryCode: "US",
      srcCity: null,
      srcLatitude: null,
      srcLongitude: null,
      dstASNumber: null,
    });
    expect(row.enrichments).toEqual([
      {
        type: "ipdb",
        version: SLICE_VERSION,
        field: "srcIP",
        filled: ["srcASNumber", "srcASOrganization", "srcISP", "srcASCountryCode"],
      },
    ]);
  });

  it("fills the AS fields of an IPv6 source address", async () => {
    const row = await pushedRow(7002, "2a03:2880:f12f:83:face:b00c::25de");
    expect(row).toMatchObject({
      srcASNumber: 32934,
      srcASOrganization: "Facebook, Inc.",
      srcASCountryCode: "IE",
    });
  });

  it("stores a private source address with null AS fields and no enrichment entry", async () => {
    const row = await pushedRow(7003, "10.0.0.1");
    expect(row).toMatchObject({ srcIP: "10.0.0.1", srcASNumber: null, srcASOrganization: null });
    expect(row.enrichments).toEqual([]);
  });

  it("enriches every event of a batch", async () => {
    const batch = [
      { ...tpEvent(7010), context: { location: "1.1.1.1" } },
      { ...tpEvent(7011), context: { location: "9.9.9.9" } },
    ];
    expect((await push("turbopuffer", JSON.stringify(batch))).status).toBe(200);
    const asn = await env.DB.prepare(
      "SELECT srcASNumber AS n FROM logs WHERE srcIP IN ('1.1.1.1', '9.9.9.9') ORDER BY srcIP",
    ).all<{ n: number }>();
    expect(asn.results.map((r) => r.n)).toEqual([13335, 19281]);
  });

  it("reports the loaded database in GET /v1/sources", async () => {
    const body = (await (await query("/v1/sources")).json()) as Json;
    expect(body.enrichment).toMatchObject({
      ipdb: {
        status: "ok",
        message: null,
        version: SLICE_VERSION,
        key: blobKey(SLICE_VERSION),
        segments: { ipv4: expect.any(Number), ipv6: expect.any(Number) },
      },
    });
    expect(Array.isArray(body.data)).toBe(true);
  });
});

describe("refreshing the database by flipping the pointer", () => {
  it("keeps serving the old blob until the pointer flips, then loads the new one", async () => {
    resetIpdbCache();
    await uploadSlice(env.IPDB, SLICE_VERSION);
    const t0 = Date.now();
    const first = await getIpdb(env.IPDB, t0);
    expect(first.status === "ok" && first.db.header.version).toBe(SLICE_VERSION);

    // A new build is uploaded under its own key: nothing changes until the pointer moves.
    await uploadSlice(env.IPDB, "next-version", false);
    const later = await getIpdb(env.IPDB, t0 + RECHECK_MS + 1);
    expect(later.status === "ok" && later.db).toBe(first.status === "ok" && first.db);

    await env.IPDB.put(POINTER_KEY, JSON.stringify({ key: blobKey("next-version") }));
    const cached = await getIpdb(env.IPDB, t0 + RECHECK_MS + 2);
    expect(cached.status === "ok" && cached.db.header.version).toBe(SLICE_VERSION);
    const flipped = await getIpdb(env.IPDB, t0 + 2 * RECHECK_MS + 3);
    expect(flipped.status === "ok" && flipped.db.header.version).toBe("next-version");
    expect(flipped.status === "ok" && lookup(flipped.db, "8.8.8.8")?.asNumber).toBe(15169);
    // The old blob is still there (removed by the operator once no isolate uses it).
    expect(await env.IPDB.head(blobKey(SLICE_VERSION))).not.toBeNull();
  });

  it("keeps the loaded database and says why when the pointer names a missing blob", async () => {
    resetIpdbCache();
    await uploadSlice(env.IPDB, SLICE_VERSION);
    const t0 = Date.now();
    expect((await getIpdb(env.IPDB, t0)).status).toBe("ok");
    await env.IPDB.put(POINTER_KEY, JSON.stringify({ key: "ipdb/v1/gone.bin.gz" }));
    const s = await getIpdb(env.IPDB, t0 + RECHECK_MS + 1);
    expect(s.status).toBe("ok");
    expect(s.status === "ok" && s.warning).toMatch(/gone\.bin\.gz.*not in the IPDB bucket/);
    // Put things back for any later test of this file.
    await uploadSlice(env.IPDB, SLICE_VERSION);
    resetIpdbCache();
  });
});

describe("enrichment of polled events", () => {
  beforeAll(async () => {
    await uploadSlice(env.IPDB);
    resetIpdbCache();
  });

  it("fills the AS fields of a polled PlanetScale event, keeping the vendor's location as srcCity", async () => {
    const api: FakeApi = { requests: [], events: [{ ...psEvent(9001, T0), remote_ip: "8.8.8.8" }] };
    fakePlanetScale(api);
    await runDuePollers(env, portsOf(env), Date.UTC(2026, 10, 5));
    vi.restoreAllMocks();
    const list = (await (await query("/v1/logs?sourceID=ps")).json()) as { data: Json[] };
    expect(list.data[0]).toMatchObject({
      srcIP: "8.8.8.8",
      srcASNumber: 15169,
      srcASOrganization: "Google LLC",
      srcCity: "Chicago, IL",
    });
  });
});
