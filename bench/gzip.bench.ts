import { env } from "cloudflare:workers";
import { it, vi } from "vitest";
import { inflated } from "../src/parse/gzip";
import { deliver, putObject } from "../test/bucket-helpers";
import { gzip } from "../test/helpers";
import { benchEvent } from "./events";

/**
 * gzip_decompressed_ratio: bytes the bucket consumer decompresses for one gzip NDJSON file, over
 * all the invocations it takes, ÷ the file's uncompressed size (src/parse/gzip.ts counts every
 * byte it inflates; continuations restart from a restart point, not from byte 0). The test config's record budget (BUCKET_RECORD_BUDGET, 20,000 per
 * invocation) stands in for production's 100,000 on a file 1/7 the size of a 1.4 M-event file,
 * so the number of continuations (10) is of the same order.
 */
it("gzip_decompressed_ratio: a 200,000-event gzip NDJSON file through the queue consumer", async () => {
  const n = 200_000;
  const text = Array.from({ length: n }, (_, i) => JSON.stringify(benchEvent("circleci", i))).join(
    "\n",
  );
  const size = new TextEncoder().encode(text).byteLength;
  const key = "circleci/bench/ratio.ndjson.gz";
  const notification = await putObject(key, await gzip(text));
  const before = inflated.bytes;
  const sent: unknown[] = [];
  vi.spyOn(env.BUCKET_EVENTS, "send").mockImplementation(async (body) => {
    sent.push(body);
    return undefined as never;
  });
  await deliver([{ body: notification }]);
  for (let i = 0; i < sent.length && i < 100; i++) await deliver([{ body: sent[i] }]);
  vi.restoreAllMocks();
  const stored = await env.DB.prepare(
    "SELECT recordsCommitted AS n, invocations FROM objects WHERE key = ?1",
  )
    .bind(key)
    .first<{ n: number; invocations: number }>();
  if (stored?.n !== n) throw new Error(`file not finished: ${JSON.stringify(stored)}`);
  console.log(`BENCH gzip_decompressed_ratio ${((inflated.bytes - before) / size).toFixed(2)}`);
  console.log(
    `BENCH gzip file: events / invocations / MB uncompressed ${n} / ${stored.invocations} / ${(size / 1e6).toFixed(0)}`,
  );
});
