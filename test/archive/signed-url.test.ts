import { env } from "cloudflare:workers";
import { beforeAll, expect, it } from "vitest";
import { runArchive } from "../../src/archive/job";
import { signObject } from "../../src/archive/signed-url";
import { prepareRecords } from "../../src/pipeline/prepare";
import { HOUR, hourOf } from "../../src/store/archive";
import { commit } from "../../src/store/ingest";
import { call, QUERY_TOKEN, query, tpEvent } from "../helpers";

const NOW = Date.now();
const HOUR0 = hourOf(NOW) - 3 * HOUR;

beforeAll(async () => {
  const framed = Array.from({ length: 40 }, (_, i) => {
    const value = tpEvent(i, NOW - 5 * HOUR + i * 1000);
    return { ok: true as const, value, raw: JSON.stringify(value), location: `[${i}]` };
  });
  const source = { id: "turbopuffer", type: "turbopuffer" as const };
  const prepared = await prepareRecords(env, source, framed, HOUR0 + 1000);
  await commit(env, {
    sourceID: "turbopuffer",
    sourceType: "turbopuffer",
    ...prepared,
    received: 40,
    now: HOUR0 + 1000,
  });
  await runArchive(env, NOW);
});

const range = `from=${new Date(HOUR0 - HOUR).toISOString()}&to=${new Date(HOUR0 + HOUR).toISOString()}`;

it("hands out signed URLs that read their object by ranges, for a short time, and nothing else", async () => {
  expect((await call(`/v1/archive/urls?${range}`)).status, "no token").toBe(401);
  const res = await query(`/v1/archive/urls?source=turbopuffer&${range}`);
  expect(res.status).toBe(200);
  const { data } = (await res.json()) as {
    data: Array<{ key: string; url: string; bytes: number }>;
  };
  expect(data).toHaveLength(1);
  const { key, url, bytes } = data[0] as { key: string; url: string; bytes: number };
  const whole = new Uint8Array(await ((await env.ARCHIVE.get(key)) as R2ObjectBody).arrayBuffer());

  const head = await call(url, { method: "HEAD" });
  expect(head.status).toBe(200);
  expect(head.headers.get("content-length")).toBe(String(bytes));
  // the route's own cache rule stands (the API's no-store is for answers without one)
  expect(head.headers.get("cache-control")).toBe("private, max-age=60");
  const tail = await call(url, { headers: { range: "bytes=-8" } });
  expect(tail.status).toBe(206);
  expect(new Uint8Array(await tail.arrayBuffer())).toEqual(whole.slice(-8));
  const mid = await call(url, { headers: { range: "bytes=4-99" } });
  expect(mid.headers.get("content-range")).toBe(`bytes 4-99/${bytes}`);
  expect(new Uint8Array(await mid.arrayBuffer())).toEqual(whole.slice(4, 100));

  const u = new URL(url, "https://x");
  const expires = Number(u.searchParams.get("expires"));
  const sig = u.searchParams.get("sig") as string;
  const other = key.replace("-0.parquet", "-1.parquet");
  const bad = [
    `/v1/archive/object/${other}?expires=${expires}&sig=${sig}`, // another object
    `${u.pathname}?expires=${expires + 1}&sig=${sig}`, // another expiry
    `${u.pathname}?expires=${expires}&sig=${"0".repeat(64)}`,
    `${u.pathname}?expires=${NOW - 1000}&sig=${await signObject(QUERY_TOKEN, key, NOW - 1000)}`, // expired
    `${u.pathname}?expires=${NOW + 86_400_000}&sig=${await signObject(QUERY_TOKEN, key, NOW + 86_400_000)}`, // too long
    `/v1/archive/object/quarantine/x?expires=${expires}&sig=${await signObject(QUERY_TOKEN, "quarantine/x", expires)}`, // not the archive
  ];
  for (const b of bad) expect((await call(b)).status, b).toBe(401);
});
