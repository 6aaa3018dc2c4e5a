import { env } from "cloudflare:workers";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { deliver } from "../../bucket-helpers";
import { envWith, type Json } from "../../helpers";

/**
 * Every failure to read a vendor's bucket object, whatever its cause (a credential that is not a
 * key, a token endpoint or bucket that never answers or answers too much), reaches the source's
 * health (`lastError` in GET /v1/sources), and the message is retried.
 */

const algorithm = {
  name: "RSASSA-PKCS1-v1_5",
  modulusLength: 2048,
  publicExponent: new Uint8Array([1, 0, 1]),
  hash: "SHA-256",
};
let privateKeyPem: string;

beforeAll(async () => {
  const sa = (await crypto.subtle.generateKey(algorithm, true, ["sign"])) as CryptoKeyPair;
  const pkcs8 = new Uint8Array(
    (await crypto.subtle.exportKey("pkcs8", sa.privateKey)) as ArrayBuffer,
  );
  const b64 = btoa(String.fromCharCode(...pkcs8))
    .match(/.{1,64}/g)
    ?.join("\n");
  privateKeyPem = `-----BEGIN PRIVATE KEY-----\n${b64}\n-----END PRIVATE KEY-----\n`;
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

let accounts = 0;
/** A service-account key file; each gets its own client_email (tokens are cached per account). */
const keyFile = (over: Json = {}) =>
  JSON.stringify({
    type: "service_account",
    client_email: `reader-${++accounts}@acme.iam.gserviceaccount.com`,
    private_key: privateKeyPem,
    token_uri: "https://oauth2.test/token",
    ...over,
  });

const gcsObject = (key: string) => ({
  kind: "auditflare.object",
  sourceId: "tpuf-gcs",
  bucket: "acme-tpuf-audit",
  key,
  eTag: "1732320000000001",
  size: 512,
});

const s3Object = (key: string) => ({
  kind: "auditflare.object",
  sourceId: "cci-s3",
  bucket: "acme-audit",
  key,
  eTag: "e1",
  size: 512,
});

async function lastError(sourceID: string): Promise<string> {
  const row = await env.DB.prepare("SELECT lastError FROM source_stats WHERE sourceID = ?")
    .bind(sourceID)
    .first<{ lastError: string | null }>();
  return String(row?.lastError);
}

/** A fetch that answers only when aborted (then fails as fetch does); resolves `called` first. */
function hangingFetch() {
  let called!: () => void;
  const started = new Promise<void>((resolve) => {
    called = resolve;
  });
  vi.spyOn(globalThis, "fetch").mockImplementation((_input, init) => {
    called();
    return new Promise<Response>((_, reject) =>
      init?.signal?.addEventListener("abort", () => reject(new Error("The operation was aborted"))),
    );
  });
  return started;
}

describe("a bucket object that cannot be read: the source's health says why", () => {
  it("a GCS secret that is not a service-account key", async () => {
    const fetch = vi.spyOn(globalThis, "fetch");
    const e = envWith({ TPUF_GCS_SA: "not a key file" });
    const result = await deliver(
      [{ body: gcsObject("turbopuffer/not-a-key.ndjson") }],
      undefined,
      e,
    );
    expect(result.retryMessages).toHaveLength(1);
    expect(await lastError("tpuf-gcs")).toMatch(/TPUF_GCS_SA.*is not valid JSON/);
    expect(fetch).not.toHaveBeenCalled();
  });

  it("a GCS key whose token_uri is not https is refused before anything is sent", async () => {
    const fetch = vi.spyOn(globalThis, "fetch");
    const e = envWith({ TPUF_GCS_SA: keyFile({ token_uri: "http://oauth2.test/token" }) });
    const result = await deliver([{ body: gcsObject("turbopuffer/http.ndjson") }], undefined, e);
    expect(result.retryMessages).toHaveLength(1);
    expect(await lastError("tpuf-gcs")).toMatch(
      /TPUF_GCS_SA.*token_uri is not an https URL: http:\/\/oauth2\.test\/token/,
    );
    expect(fetch).not.toHaveBeenCalled();
  });

  it("a GCS token endpoint answering past the cap: too_large", async () => {
    vi.spyOn(globalThis, "fetch").mockImplementation(
      async () => new Response(JSON.stringify({ access_token: "x".repeat(512 * 1024) })),
    );
    const e = envWith({ TPUF_GCS_SA: keyFile() });
    const result = await deliver(
      [{ body: gcsObject("turbopuffer/huge-token.ndjson") }],
      undefined,
      e,
    );
    expect(result.retryMessages).toHaveLength(1);
    expect(await lastError("tpuf-gcs")).toMatch(
      /^too_large: https:\/\/oauth2\.test\/token answered more than/,
    );
  });

  it("an S3 bucket that never answers: timeout after 30 s, not a hang", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const started = hangingFetch();
    const delivery = deliver([{ body: s3Object("circleci/hangs.ndjson") }]);
    await started;
    await vi.advanceTimersByTimeAsync(30_001);
    const result = await delivery;
    expect(result.retryMessages).toHaveLength(1);
    expect(await lastError("cci-s3")).toMatch(
      /^timeout: https:\/\/s3\.test\/acme-audit\/circleci\/hangs\.ndjson did not answer within 30 s/,
    );
  });

  it("an S3 object that stops sending mid-file: timeout, retried, not kept as a bad file", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    let called!: () => void;
    const started = new Promise<void>((resolve) => {
      called = resolve;
    });
    vi.spyOn(globalThis, "fetch").mockImplementation(async () => {
      const body = new ReadableStream<Uint8Array>({
        start(c) {
          c.enqueue(new TextEncoder().encode('{"id":"half-1"'));
          called();
        },
      });
      return new Response(body, { headers: { etag: '"e1"' } });
    });
    const delivery = deliver([{ body: s3Object("circleci/stalls.ndjson") }]);
    await started;
    await vi.advanceTimersByTimeAsync(30_001);
    const result = await delivery;
    expect(result.retryMessages).toHaveLength(1);
    expect(await lastError("cci-s3")).toMatch(/^timeout: .*stalls\.ndjson sent nothing for 30 s/);
    const object = await env.DB.prepare("SELECT status FROM objects WHERE key = ?")
      .bind("circleci/stalls.ndjson")
      .first<Json>();
    expect(object).toEqual({ status: "in_progress" });
  });

  it("an S3 object that drips a line every 29 s: ends at the read's deadline, retried, not lost", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const started = Date.now();
    vi.spyOn(globalThis, "fetch").mockImplementation(
      async () => new Response(drip(), { headers: { etag: '"e1"' } }),
    );
    const result = await settles(deliver([{ body: s3Object("circleci/drips.ndjson") }]));
    expect(Date.now() - started).toBeLessThan(70_000);
    expect(result.retryMessages).toHaveLength(1);
    expect(await lastError("cci-s3")).toMatch(
      /^timeout: https:\/\/s3\.test\/acme-audit\/circleci\/drips\.ndjson sent 32 bytes in 60 s, under 64 KiB\/s after its first 60 s \(the deadline of one object read\)/,
    );
    expect(await objectState("circleci/drips.ndjson")).toEqual({
      status: "in_progress",
      lastError: expect.stringMatching(/the deadline of one object read/),
    });
  });

  it("a landing-bucket (R2) object that drips: the same deadline, retried, not lost", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const key = "circleci/drips-r2.ndjson";
    const landing = {
      get: async () => ({ body: drip(), etag: "r1", size: 4096, customMetadata: {} }),
    };
    const notification = {
      account: "9a3f51c07be24d86a1e0c4b7d2f85e63",
      action: "PutObject",
      bucket: "auditflare-landing",
      object: { key, size: 4096, eTag: "r1" },
      eventTime: new Date().toISOString(),
    };
    const result = await settles(
      deliver([{ body: notification }], undefined, envWith({ LANDING: landing })),
    );
    expect(result.retryMessages).toHaveLength(1);
    expect(await lastError("circleci")).toMatch(
      /^timeout: r2:\/\/auditflare-landing\/circleci\/drips-r2\.ndjson sent 32 bytes in \d+ s, under 64 KiB\/s/,
    );
    expect(await objectState(key)).toEqual({
      status: "in_progress",
      lastError: expect.stringMatching(/the deadline of one object read/),
    });
  });
});

/** A body that sends one NDJSON line every 29 s for ever: each inside the 30 s idle limit. */
function drip(): ReadableStream<Uint8Array> {
  let lines = 0;
  return new ReadableStream<Uint8Array>({
    async pull(c) {
      await new Promise((r) => setTimeout(r, 29_000));
      c.enqueue(new TextEncoder().encode(`{"id":"drip-${++lines}"}\n`));
    },
  });
}

/**
 * `work`'s result, fake time advanced a second at a time (D1 let work between) up to ten
 * minutes: a read with no deadline never settles, and the test fails instead of hanging.
 */
async function settles<T>(work: Promise<T>): Promise<T> {
  let settled = false;
  const done = work.finally(() => {
    settled = true;
  });
  for (let s = 0; s < 600 && !settled; s++) {
    await vi.advanceTimersByTimeAsync(1000);
    await env.DB.prepare("SELECT 1").first();
  }
  expect(settled).toBe(true);
  return done;
}

const objectState = (key: string) =>
  env.DB.prepare("SELECT status, lastError FROM objects WHERE key = ?").bind(key).first<Json>();
