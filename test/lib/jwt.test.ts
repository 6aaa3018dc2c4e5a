import { afterEach, describe, expect, it, vi } from "vitest";
import {
  base64urlDecode,
  base64urlEncode,
  fetchedKeys,
  type Jwk,
  JwtError,
  type KeySource,
  pinnedKeys,
  verifyJwt,
} from "../../src/lib/jwt";
import { OutboundError } from "../../src/lib/outbound";

const NOW = Date.UTC(2026, 5, 1, 12);
const ISS = "https://accounts.google.com";
const AUD = "https://auditflare.test/v1/pubsub/gws";
const CHECK = { audience: AUD, issuers: [ISS, "accounts.google.com"], now: NOW };
const RS256 = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
const encoder = new TextEncoder();

interface TestKey {
  kid: string;
  privateKey: CryptoKey;
  jwk: Jwk;
}

async function makeKey(kid: string, modulusLength = 2048): Promise<TestKey> {
  const params = { ...RS256, modulusLength, publicExponent: new Uint8Array([1, 0, 1]) };
  const pair = (await crypto.subtle.generateKey(params, true, ["sign", "verify"])) as CryptoKeyPair;
  const jwk = (await crypto.subtle.exportKey("jwk", pair.publicKey)) as Jwk;
  return { kid, privateKey: pair.privateKey, jwk: { ...jwk, kid, alg: "RS256", use: "sig" } };
}

const keyA = await makeKey("key-a");
const keyB = await makeKey("key-b");

function claims(over: Record<string, unknown> = {}): Record<string, unknown> {
  const iat = NOW / 1000;
  return {
    iss: ISS,
    aud: AUD,
    sub: "1234",
    email: "push@p.iam.gserviceaccount.com",
    iat,
    exp: iat + 3600,
    ...over,
  };
}

/** Signs the two segments as they are (base64url or not), appending the signature. */
async function signSegments(key: TestKey, h: string, p: string): Promise<string> {
  const signature = await crypto.subtle.sign(RS256, key.privateKey, encoder.encode(`${h}.${p}`));
  return `${h}.${p}.${base64urlEncode(new Uint8Array(signature))}`;
}

async function sign(key: TestKey, payload: object, header?: object): Promise<string> {
  const h = JSON.stringify(header ?? { alg: "RS256", typ: "JWT", kid: key.kid });
  return signSegments(key, base64urlEncode(h), base64urlEncode(JSON.stringify(payload)));
}

const pinnedAB = () => pinnedKeys(JSON.stringify({ keys: [keyA.jwk, keyB.jwk] }));

/** A JWKS endpoint: serves `state.keys`, counts its calls. Each one gets its own URL. */
let endpoints = 0;
function jwksEndpoint(keys: Jwk[], headers: Record<string, string> = {}) {
  const state = { keys, calls: 0, status: 200 };
  const url = `https://keys.test/${++endpoints}/certs`;
  const fetcher = (async (input: RequestInfo | URL) => {
    expect(String(input)).toBe(url);
    state.calls++;
    return new Response(JSON.stringify({ keys: state.keys }), { status: state.status, headers });
  }) as typeof fetch;
  return { state, source: fetchedKeys(url, fetcher) };
}

async function rejected(token: string, source: KeySource, check = CHECK): Promise<string> {
  const err = await verifyJwt(token, source, check).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(JwtError);
  expect((err as JwtError).code).toBe("invalid_token");
  return (err as JwtError).message;
}

afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe("verifyJwt accepts", () => {
  it("a valid token with pinned keys and returns its claims", async () => {
    const token = await sign(keyB, claims());
    expect(await verifyJwt(token, pinnedAB(), CHECK)).toEqual(claims());
  });

  it("a valid token with fetched keys: the second verification fetches and imports nothing", async () => {
    const { state, source } = jwksEndpoint([keyA.jwk]);
    const importKey = vi.spyOn(crypto.subtle, "importKey");
    const token = await sign(keyA, claims());
    expect((await verifyJwt(token, source, CHECK)).sub).toBe("1234");
    expect(state.calls).toBe(1);
    expect(importKey).toHaveBeenCalledTimes(1);
    const other = await sign(keyA, claims({ sub: "5678" }));
    expect((await verifyJwt(other, source, CHECK)).sub).toBe("5678");
    expect(state.calls).toBe(1);
    expect(importKey).toHaveBeenCalledTimes(1);
  });

  it("an aud array holding one of the audiences, and times within the skew", async () => {
    const check = { ...CHECK, audience: ["https://other.test", AUD] };
    const iat = NOW / 1000;
    const token = await sign(keyA, claims({ aud: ["x", AUD], exp: iat - 30, nbf: iat + 30 }));
    expect((await verifyJwt(token, pinnedAB(), check)).aud).toEqual(["x", AUD]);
  });

  it("a rotated key: a kid unknown in the cached set but present after one refetch", async () => {
    const { state, source } = jwksEndpoint([keyA.jwk]);
    await verifyJwt(await sign(keyA, claims()), source, CHECK);
    state.keys = [keyA.jwk, keyB.jwk];
    await verifyJwt(await sign(keyB, claims()), source, CHECK);
    expect(state.calls).toBe(2);
  });
});

describe("verifyJwt rejects bad claims, saying why", () => {
  it("a wrong audience or issuer", async () => {
    const source = pinnedAB();
    expect(await rejected(await sign(keyA, claims({ aud: "https://evil.test" })), source)).toMatch(
      /^audience does not match: aud is https:\/\/evil\.test$/,
    );
    expect(await rejected(await sign(keyA, claims({ aud: [] })), source)).toMatch(
      /audience does not match/,
    );
    expect(await rejected(await sign(keyA, claims({ iss: "https://evil.test" })), source)).toMatch(
      /^issuer does not match: iss is https:\/\/evil\.test$/,
    );
  });

  it("times: expired, not yet valid, issued in the future, no exp", async () => {
    const source = pinnedAB();
    const t = NOW / 1000;
    expect(await rejected(await sign(keyA, claims({ exp: t - 61 })), source)).toBe(
      `token expired at ${new Date((t - 61) * 1000).toISOString()}`,
    );
    expect(await rejected(await sign(keyA, claims({ nbf: t + 120 })), source)).toMatch(
      /^token not yet valid: nbf is 2026-06-01T12:02:00\.000Z$/,
    );
    expect(await rejected(await sign(keyA, claims({ iat: t + 120 })), source)).toMatch(
      /^token issued in the future/,
    );
    expect(await rejected(await sign(keyA, claims({ exp: undefined })), source)).toBe(
      "token has no exp",
    );
    expect(await rejected(await sign(keyA, claims({ exp: "soon" })), source)).toMatch(
      /exp is not a number/,
    );
    const strict = { ...CHECK, skewSeconds: 0 };
    expect(await rejected(await sign(keyA, claims({ exp: t - 1 })), source, strict)).toMatch(
      /token expired/,
    );
  });
});

describe("verifyJwt rejects a bad header or key, saying why", () => {
  it("alg none and HS256 before any key is fetched", async () => {
    const { state, source } = jwksEndpoint([keyA.jwk]);
    const payload = base64urlEncode(JSON.stringify(claims()));
    const none = `${base64urlEncode('{"alg":"none"}')}.${payload}.`;
    expect(await rejected(none, source)).toBe("unsupported alg none");
    // HS256 keyed with the public key's bytes: the classic algorithm-confusion forgery.
    const header = base64urlEncode(JSON.stringify({ alg: "HS256", typ: "JWT", kid: keyA.kid }));
    const hmac = { name: "HMAC", hash: "SHA-256" };
    const secret = await crypto.subtle.importKey(
      "raw",
      encoder.encode(JSON.stringify(keyA.jwk)),
      hmac,
      false,
      ["sign"],
    );
    const mac = await crypto.subtle.sign("HMAC", secret, encoder.encode(`${header}.${payload}`));
    const hs = `${header}.${payload}.${base64urlEncode(new Uint8Array(mac))}`;
    expect(await rejected(hs, source)).toBe("unsupported alg HS256");
    const noAlg = await sign(keyA, claims(), { kid: keyA.kid });
    expect(await rejected(noAlg, source)).toBe("token header has no alg");
    const noKid = await sign(keyA, claims(), { alg: "RS256" });
    expect(await rejected(noKid, source)).toBe("token header has no kid");
    expect(state.calls).toBe(0);
  });

  it("an unknown kid after one refetch, and refetches at most once per 5 minutes", async () => {
    const { state, source } = jwksEndpoint([keyA.jwk]);
    await verifyJwt(await sign(keyA, claims()), source, CHECK);
    expect(state.calls).toBe(1);
    const stranger = { ...keyB, kid: "who", jwk: { ...keyB.jwk, kid: "who" } };
    expect(await rejected(await sign(stranger, claims()), source)).toBe("no key with kid who");
    expect(state.calls).toBe(2);
    expect(await rejected(await sign({ ...keyB, kid: "who-else" }, claims()), source)).toMatch(
      /no key/,
    );
    expect(state.calls).toBe(2);
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 5 * 60_000 + 1000);
    state.keys = [keyA.jwk, stranger.jwk];
    expect((await verifyJwt(await sign(stranger, claims()), source, CHECK)).sub).toBe("1234");
    expect(state.calls).toBe(3);
  });
});

describe("verifyJwt rejects a bad signature or encoding, saying why", () => {
  it("a tampered payload (one byte) or a signature by another key", async () => {
    const source = pinnedAB();
    const [h, p, s] = (await sign(keyA, claims())).split(".") as [string, string, string];
    const bytes = base64urlDecode(p) as Uint8Array;
    bytes[bytes.indexOf(encoder.encode("1")[0] as number)] = encoder.encode("2")[0] as number;
    expect(await rejected(`${h}.${base64urlEncode(bytes)}.${s}`, source)).toBe("bad signature");
    const forged = await sign({ ...keyB, kid: keyA.kid }, claims());
    expect(await rejected(forged, source)).toBe("bad signature");
    const short = base64urlEncode((base64urlDecode(s) as Uint8Array).slice(0, -1));
    expect(await rejected(`${h}.${p}.${short}`, source)).toBe("bad signature");
  });

  it("malformed tokens", async () => {
    const source = pinnedAB();
    const [h, p, s] = (await sign(keyA, claims())).split(".") as [string, string, string];
    const signed = (v: string | Uint8Array) => signSegments(keyA, h, base64urlEncode(v));
    const notClaims = /^malformed token: JWT Claims Set must be a top-level JSON object$/;
    const cases: [string, RegExp][] = [
      ["", /^malformed token: Invalid Compact JWS$/],
      ["abc.def", /^malformed token: Invalid Compact JWS$/],
      [`${h}.${p}.${s}.x`, /^malformed token: Invalid Compact JWS$/],
      [`${h}!.${p}.${s}`, /^malformed token: JWS Protected Header is invalid$/],
      [`.${p}.${s}`, /^malformed token: JWS Protected Header is invalid$/],
      [`${base64urlEncode("[1]")}.${p}.${s}`, /^malformed token: JWS Protected Header is invalid$/],
      [`${h}.${p}.${s}+`, /^malformed token: Failed to base64url decode the signature$/],
      // The signature covers the segments as sent: a payload altered in any way fails it.
      [`${h}.${p}!.${s}`, /^bad signature$/],
      [`${h}.${p}.${s}${"A".repeat(20_000)}`, /^malformed token: longer than 16384 characters$/],
      // Signed, but the payload is not a JSON object: refused once the signature is checked.
      [await signed("{nope"), notClaims],
      [await signed("[1]"), notClaims],
      [await signed(new Uint8Array([0x7b, 0xff, 0x7d])), notClaims],
    ];
    for (const [token, message] of cases) expect(await rejected(token, source)).toMatch(message);
  });

  it("a key that is not an RSA signing key for RS256", async () => {
    const ec = { kty: "EC", crv: "P-256", x: "x", y: "y", kid: "ec" };
    const enc = { ...keyA.jwk, kid: "enc", use: "enc" };
    const ps = { ...keyA.jwk, kid: "ps", alg: "PS256" };
    const short = { ...(await makeKey("short", 1024)).jwk };
    const broken = { ...keyA.jwk, kid: "broken", n: "AQ" };
    const source = pinnedKeys(JSON.stringify({ keys: [ec, enc, ps, short, broken] }));
    const cases: [string, RegExp][] = [
      ["ec", /^key ec is not an RSA key \(kty EC\)$/],
      ["enc", /^key enc is for use enc$/],
      ["ps", /^key ps is for alg PS256$/],
      ["short", /^key short has 1024 bits: RS256 needs 2048$/], // checked before the signature
      ["broken", /^key broken cannot be imported: /],
    ];
    for (const [kid, message] of cases) {
      expect(await rejected(await sign({ ...keyA, kid }, claims()), source)).toMatch(message);
    }
  });
});

describe("key sources", () => {
  it("pinnedKeys refuses what is not a JWKS", () => {
    expect(() => pinnedKeys("{")).toThrow("the pinned JWKS is not valid JSON");
    expect(() => pinnedKeys('{"keys":{}}')).toThrow(
      /is not a JWKS: expected an object with a "keys" array/,
    );
    expect(() => pinnedKeys('{"keys":[{"n":"x"}]}')).toThrow(/keys\[0\] is not a JWK with a kty/);
  });

  it("fetchedKeys honours max-age and reports a failing endpoint", async () => {
    const { state, source } = jwksEndpoint([keyA.jwk], { "cache-control": "public, max-age=120" });
    const token = await sign(keyA, claims());
    await verifyJwt(token, source, CHECK);
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 60_000);
    await verifyJwt(token, source, CHECK);
    expect(state.calls).toBe(1);
    vi.setSystemTime(Date.now() + 61_000);
    state.status = 503;
    const err = await verifyJwt(token, source, CHECK).catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(JwtError);
    expect((err as Error).message).toMatch(
      /^cannot fetch the JWKS at https:\/\/keys\.test\/\d+\/certs: HTTP 503$/,
    );
    expect(state.calls).toBe(2);
  });

  it("a JWKS endpoint that never answers times out; a key set past the cap is too_large", async () => {
    const token = await sign(keyA, claims());
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const hanging = ((_: RequestInfo | URL, init?: RequestInit) =>
      new Promise<Response>((_, reject) =>
        init?.signal?.addEventListener("abort", () => reject(new Error("aborted"))),
      )) as typeof fetch;
    const pending = verifyJwt(token, fetchedKeys("https://keys.test/hang", hanging), CHECK).catch(
      (e: unknown) => e,
    );
    await vi.advanceTimersByTimeAsync(10_001);
    const err = await pending;
    expect(err).toBeInstanceOf(OutboundError);
    expect(err).toMatchObject({ kind: "timeout", url: "https://keys.test/hang" });
    vi.useRealTimers();
    const padding = "x".repeat(300 * 1024);
    const huge = (async () =>
      Response.json({ keys: [keyA.jwk], padding })) as unknown as typeof fetch;
    await expect(
      verifyJwt(token, fetchedKeys("https://keys.test/huge", huge), CHECK),
    ).rejects.toMatchObject({ kind: "too_large" });
  });

  it("base64url decoding is strict", () => {
    expect(base64urlDecode("AQID")).toEqual(new Uint8Array([1, 2, 3]));
    expect(base64urlDecode("AQ")).toEqual(new Uint8Array([1]));
    for (const bad of ["AR", "AQ==", "A", "AQ+/", "AQ I", "AQ\n"])
      expect(base64urlDecode(bad)).toBeNull();
  });
});
