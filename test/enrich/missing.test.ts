import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { POINTER_KEY } from "../../scripts/ipdb/core.mjs";
import { resetIpdbCache } from "../../src/enrich/load";
import { runDuePollers } from "../../src/transports/poll/scheduler";
import { portsOf } from "../../src/wiring";
import { type Json, push, query, tpEvent } from "../helpers";
import { type FakeApi, fakePlanetScale, psEvent, T0 } from "../poll-helpers";

// Storage is per test file: the IPDB bucket starts empty here.

async function pushAndRead(i: number, location: string): Promise<Json> {
  const res = await push("turbopuffer", JSON.stringify({ ...tpEvent(i), context: { location } }));
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ received: 1, inserted: 1, duplicates: 0, quarantined: 0 });
  const list = (await (await query(`/v1/logs?actor=user_${i}`)).json()) as { data: Json[] };
  expect(list.data).toHaveLength(1);
  return list.data[0] as Json;
}

const nulls = {
  srcIP: "8.8.8.8",
  srcASNumber: null,
  srcASOrganization: null,
  srcASCountryCode: null,
  srcISP: null,
  srcCity: null,
  enrichments: [],
};

describe("enrichment without a usable IP database", () => {
  beforeEach(() => resetIpdbCache());

  it("stores the event with null AS fields when the bucket has no database", async () => {
    expect(await env.IPDB.head(POINTER_KEY)).toBeNull();
    expect(await pushAndRead(8001, "8.8.8.8")).toMatchObject(nulls);
  });

  it("says the database is missing in GET /v1/sources", async () => {
    const res = await query("/v1/sources");
    expect(res.status).toBe(200);
    const body = (await res.json()) as Json;
    expect(body.enrichment).toMatchObject({
      ipdb: { status: "missing", version: null, message: expect.stringContaining(POINTER_KEY) },
    });
  });

  it("stores the event when the pointer names a corrupt blob, and reports the error", async () => {
    await env.IPDB.put("ipdb/v1/broken.bin.gz", new Uint8Array([0x1f, 0x8b, 8, 0, 1, 2, 3]));
    await env.IPDB.put(POINTER_KEY, JSON.stringify({ key: "ipdb/v1/broken.bin.gz" }));
    expect(await pushAndRead(8002, "8.8.8.8")).toMatchObject(nulls);
    const body = (await (await query("/v1/sources")).json()) as Json;
    expect(body.enrichment).toMatchObject({
      ipdb: { status: "error", key: "ipdb/v1/broken.bin.gz", message: expect.any(String) },
    });
  });

  it("stores the event when the pointer is not JSON", async () => {
    await env.IPDB.put(POINTER_KEY, "not json");
    expect(await pushAndRead(8003, "8.8.8.8")).toMatchObject(nulls);
  });
});

describe("polled events without a usable IP database", () => {
  it("stores a polled PlanetScale event with null AS fields", async () => {
    resetIpdbCache();
    const api: FakeApi = { requests: [], events: [{ ...psEvent(9002, T0), remote_ip: "8.8.8.8" }] };
    fakePlanetScale(api);
    await runDuePollers(env, portsOf(env), Date.UTC(2026, 10, 5));
    vi.restoreAllMocks();
    const list = (await (await query("/v1/logs?sourceID=ps")).json()) as { data: Json[] };
    expect(list.data).toHaveLength(1);
    expect(list.data[0]).toMatchObject({
      srcIP: "8.8.8.8",
      srcASNumber: null,
      srcASOrganization: null,
      enrichments: [],
    });
  });
});
