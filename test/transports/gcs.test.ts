import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import worker from "../../src/index";
import { base64urlEncode } from "../../src/lib/jwt";
import { deliver } from "../bucket-helpers";
import { BASE, count, envWith, type Json } from "../helpers";

/**
 * GCS → Pub/Sub push → POST /v1/gcs/:sourceId, with Google's side played by keys made here: the
 * push token is signed by a test key whose JWKS is pinned (GOOGLE_JWKS), the bucket is a mocked
 * JSON API (https://gcs.test) that wants the service account's access token.
 */

const AUDIENCE = "https://auditflare.test/v1/gcs/tpuf-gcs";
const PUSHER = "pubsub-push@acme.iam.gserviceaccount.com";
const KEY = "turbopuffer/2026-11-23/0001.ndjson";

const algorithm = {
  name: "RSASSA-PKCS1-v1_5",
  modulusLength: 2048,
  publicExponent: new Uint8Array([1, 0, 1]),
  hash: "SHA-256",
};
let google: CryptoKeyPair;
let jwks: string;
let serviceAccount: string;

beforeAll(async () => {
  google = (await crypto.subtle.generateKey(algorithm, true, ["sign", "verify"])) as CryptoKeyPair;
  const jwk = (await crypto.subtle.exportKey("jwk", google.publicKey)) as JsonWebKey;
  jwks = JSON.stringify({ keys: [{ ...jwk, kid: "google-1", alg: "RS256", use: "sig" }] });
  const sa = (await crypto.subtle.generateKey(algorithm, true, ["sign"])) as CryptoKeyPair;
  const pkcs8 = new Uint8Array(
    (await crypto.subtle.exportKey("pkcs8", sa.privateKey)) as ArrayBuffer,
  );
  const b64 = btoa(String.fromCharCode(...pkcs8))
    .match(/.{1,64}/g)
    ?.join("\n");
  serviceAccount = JSON.stringify({
    type: "service_account",
    client_email: "reader@acme.iam.gserviceaccount.com",
    private_key: `-----BEGIN PRIVATE KEY-----\n${b64}\n-----END PRIVATE KEY-----\n`,
    token_uri: "https://oauth2.test/token",
  });
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

async function token(claims: Record<string, unknown>, header: Record<string, unknown> = {}) {
  const now = Math.floor(Date.now() / 1000);
  const h = base64urlEncode(
    JSON.stringify({ alg: "RS256", kid: "google-1", typ: "JWT", ...header }),
  );
  const p = base64urlEncode(
    JSON.stringify({
      iss: "https://accounts.google.com",
      aud: AUDIENCE,
      email: PUSHER,
      email_verified: true,
      iat: now,
      exp: now + 3600,
      sub: "1234",
      ...claims,
    }),
  );
  const sig = await crypto.subtle.sign(
    "RSASSA-PKCS1-v1_5",
    google.privateKey,
    new TextEncoder().encode(`${h}.${p}`),
  );
  return `${h}.${p}.${base64urlEncode(new Uint8Array(sig))}`;
}

const testEnv = () => envWith({ GOOGLE_JWKS: jwks, TPUF_GCS_SA: serviceAccount });

/** A wrapped push message for a GCS notification of `key` (JSON_API_V1 payload). */
function push(key: string, eventType = "OBJECT_FINALIZE", messageId = `${Math.random()}`) {
  const object = {
    kind: "storage#object",
    bucket: "acme-tpuf-audit",
    name: key,
    generation: "1732320000000001",
    size: "512",
  };
  return {
    message: {
      attributes: {
        eventType,
        bucketId: "acme-tpuf-audit",
        objectId: key,
        payloadFormat: "JSON_API_V1",
      },
      data: btoa(JSON.stringify(object)),
      messageId,
      publishTime: new Date().toISOString(),
    },
    subscription: "projects/acme/subscriptions/auditflare",
  };
}

async function post(body: unknown, authorization?: string): Promise<Response> {
  const ctx = createExecutionContext();
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (authorization) headers.authorization = authorization;
  const res = await worker.fetch(
    new Request(`${BASE}/v1/gcs/tpuf-gcs`, { method: "POST", headers, body: JSON.stringify(body) }),
    testEnv(),
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return res;
}

const tpEvent = (i: number) =>
  JSON.stringify({
    id: `gcs-${i}`,
    action: "namespace.write",
    occurred_at: "2026-11-23T00:00:00Z",
    actor: { type: "user", id: "u1", name: "alice" },
    targets: [{ type: "namespace", id: "ns1" }],
    context: { location: "gcp-us-central1" },
    metadata: { session_id: "s1" },
  });

describe("POST /v1/gcs/:sourceId (GCS → Pub/Sub push → auditflare)", () => {
  it("a verified push queues the object; the consumer reads it with a service-account token, once", async () => {
    const sent: unknown[] = [];
    vi.spyOn(env.BUCKET_EVENTS, "sendBatch").mockImplementation(async (batch) => {
      for (const m of batch) sent.push(m.body);
      return undefined as never;
    });
    const message = push(KEY, "OBJECT_FINALIZE", "pubsub-1");
    const res = await post(message, `Bearer ${await token({})}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "queued", objects: 1 });
    expect(await (await post(message, `Bearer ${await token({})}`)).json()).toEqual({
      status: "duplicate",
    });
    expect(sent).toEqual([
      {
        kind: "auditflare.object",
        sourceId: "tpuf-gcs",
        bucket: "acme-tpuf-audit",
        key: KEY,
        eTag: "1732320000000001",
        size: 512,
      },
    ]);

    const requests: Request[] = [];
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      const req = new Request(input as RequestInfo, init);
      requests.push(req);
      if (req.url === "https://oauth2.test/token")
        return Response.json({ access_token: "ya29.test", expires_in: 3600, token_type: "Bearer" });
      if (req.headers.get("authorization") !== "Bearer ya29.test")
        return new Response("", { status: 401 });
      const body = [tpEvent(1), tpEvent(2), tpEvent(3)].join("\n");
      return new Response(body, {
        headers: { "x-goog-generation": "1732320000000001", etag: "CAE=" },
      });
    });
    await deliver([{ body: sent[0] }], undefined, testEnv());
    expect(await count("SELECT count(*) AS n FROM logs WHERE sourceID = 'tpuf-gcs'")).toBe(3);
    const read = requests.find((r) => r.url.startsWith("https://gcs.test/"));
    expect(read?.url).toBe(
      `https://gcs.test/storage/v1/b/acme-tpuf-audit/o/${encodeURIComponent(KEY)}?alt=media`,
    );
    // Redelivered: the version (generation) is done, nothing more.
    await deliver([{ body: sent[0] }], undefined, testEnv());
    expect(await count("SELECT count(*) AS n FROM logs WHERE sourceID = 'tpuf-gcs'")).toBe(3);
  });

  it("401 for a missing token, wrong aud, wrong email, unverified email, expired, alg none", async () => {
    const sent = vi.spyOn(env.BUCKET_EVENTS, "sendBatch");
    const header = base64urlEncode(JSON.stringify({ alg: "none", typ: "JWT" }));
    const payload = base64urlEncode(
      JSON.stringify({ aud: AUDIENCE, email: PUSHER, email_verified: true, exp: 9e9 }),
    );
    const cases: Array<[string, string | undefined, RegExp]> = [
      ["no token", undefined, /no Bearer token/],
      ["wrong aud", `Bearer ${await token({ aud: "https://other.example.com" })}`, /audience/],
      [
        "wrong email",
        `Bearer ${await token({ email: "someone@evil.example.com" })}`,
        /not gcs.pushServiceAccount/,
      ],
      ["unverified email", `Bearer ${await token({ email_verified: false })}`, /not verified/],
      [
        "expired",
        `Bearer ${await token({ exp: Math.floor(Date.now() / 1000) - 3600 })}`,
        /expired/,
      ],
      ["alg none", `Bearer ${header}.${payload}.`, /alg none/],
    ];
    for (const [name, auth, message] of cases) {
      const res = await post(push(KEY), auth);
      expect(res.status, name).toBe(401);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code, name).toBe("push_token_invalid");
      expect(body.error.message, name).toMatch(message);
    }
    expect(sent).not.toHaveBeenCalled();
  });

  it("skips other events; keeps a payload that is not an object resource", async () => {
    const auth = `Bearer ${await token({})}`;
    expect(await (await post(push(KEY, "OBJECT_DELETE"), auth)).json()).toEqual({
      status: "skipped",
    });
    const bad = push(KEY, "OBJECT_FINALIZE", "bad-payload");
    bad.message.data = btoa("not json");
    expect(await (await post(bad, auth)).json()).toEqual({ status: "quarantined" });
    const kept = await env.DB.prepare(
      "SELECT errorCode FROM quarantine WHERE location = 'pubsub bad-payload'",
    ).first<Json>();
    expect(kept).toEqual({ errorCode: "invalid_notification" });
    expect((await post({ nope: 1 }, auth)).status).toBe(400);
  });

  it("Google's keys that never come: 502 upstream_failed saying timeout, nothing queued", async () => {
    const sent = vi.spyOn(env.BUCKET_EVENTS, "sendBatch");
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    let called!: () => void;
    const started = new Promise<void>((resolve) => {
      called = resolve;
    });
    vi.spyOn(globalThis, "fetch").mockImplementation((_input, init) => {
      called();
      return new Promise<Response>((_, reject) =>
        init?.signal?.addEventListener("abort", () => reject(new Error("aborted"))),
      );
    });
    const ctx = createExecutionContext();
    const pending = worker.fetch(
      new Request(`${BASE}/v1/gcs/tpuf-gcs`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${await token({})}` },
        body: JSON.stringify(push(KEY)),
      }),
      envWith({ TPUF_GCS_SA: serviceAccount }),
      ctx,
    );
    await started;
    await vi.advanceTimersByTimeAsync(10_001);
    const res = await pending;
    vi.useRealTimers();
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(502);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("upstream_failed");
    expect(body.error.message).toMatch(
      /^Google's keys: timeout: https:\/\/www\.googleapis\.com\/oauth2\/v3\/certs did not answer within 10 s/,
    );
    expect(sent).not.toHaveBeenCalled();
  });
});
