import {
  base64url,
  createLocalJWKSet,
  decodeProtectedHeader,
  errors,
  type JWSHeaderParameters,
  jwtVerify,
} from "jose";
import { AuditflareError } from "./errors";
import { type BoundedResponse, fetchBounded, LIMITS, OutboundError } from "./outbound";

// RS256 JWT verification against a JWKS (pinned, or fetched and cached per isolate) with jose:
// Google Pub/Sub push tokens, Cloudflare Access `Cf-Access-Jwt-Assertion` tokens.

/** A JSON Web Key as a JWKS lists it: its `kid` selects it. */
export interface Jwk extends JsonWebKey {
  kid?: string;
}

export interface Jwks {
  keys: Jwk[];
}

/** The token is not acceptable; the message says why. A key set that cannot be read is an Error. */
export class JwtError extends AuditflareError {
  constructor(message: string) {
    super("invalid_token", message);
  }
}

export interface JwtCheck {
  /** The token's aud (a string or an array) must contain one of these. */
  audience: string | string[];
  /** The token's iss must be one of these. */
  issuers: string[];
  /** Epoch milliseconds; Date.now() when absent. */
  now?: number;
  /** Clock skew allowed for exp, nbf and iat; 60 when absent. */
  skewSeconds?: number;
}

/** Where the keys come from: `forceRefresh` asks for a fresh set (a kid was not found). */
export interface KeySource {
  keys(forceRefresh?: boolean): Promise<Jwks>;
}

const MAX_TOKEN_CHARS = 16_384;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Base64url without padding, as JWS writes it. */
export function base64urlEncode(data: Uint8Array | string): string {
  return base64url.encode(data);
}

/** Strict base64url: no padding, no other characters, unused trailing bits zero; else null. */
export function base64urlDecode(s: string): Uint8Array | null {
  if (!BASE64URL.test(s)) return null;
  try {
    const bytes = base64url.decode(s);
    return base64url.encode(bytes) === s ? bytes : null; // nonzero unused trailing bits differ
  } catch {
    return null;
  }
}

/** A value from the token, safe and short enough for a message. */
function show(v: unknown): string {
  const s = typeof v === "string" ? v : (JSON.stringify(v) ?? "missing");
  return s.length > 80 ? `${s.slice(0, 80)}…` : s;
}

/** A NumericDate (seconds) as ISO-8601, or the value when no Date can hold it. */
function when(seconds: unknown): string {
  const ms = Number(seconds) * 1000;
  return Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : show(seconds);
}

// jose's key sets (they import each key once) by the JWKS object they were made from: key sources
// hand out the same cached objects (per URL, per pinned JSON) until they refetch.
type KeySet = ReturnType<typeof createLocalJWKSet>;
const keySets = new WeakMap<Jwks, KeySet>();

function keySet(jwks: Jwks): KeySet {
  let set = keySets.get(jwks);
  if (!set) {
    set = createLocalJWKSet(jwks as Parameters<typeof createLocalJWKSet>[0]);
    keySets.set(jwks, set);
  }
  return set;
}

/** The key for the header's kid from `jwks`, or null when the set has no usable one. */
async function keyFrom(jwks: Jwks, header: JWSHeaderParameters): Promise<CryptoKey | null> {
  try {
    return await keySet(jwks)(header);
  } catch (err) {
    if (err instanceof errors.JWKSNoMatchingKey) return null;
    if (err instanceof errors.JWKSMultipleMatchingKeys) {
      for await (const key of err) return key; // several keys with the kid: the first that imports
    }
    throw new JwtError(`key ${show(header.kid)} cannot be imported: ${(err as Error).message}`);
  }
}

/** Why no key in `jwks` verifies RS256 signatures for `kid`. */
function noKey(jwks: Jwks, kid: string): JwtError {
  const jwk = jwks.keys.find((k) => k.kid === kid);
  if (!jwk) return new JwtError(`no key with kid ${show(kid)}`);
  let why = "cannot verify RS256 signatures";
  if (jwk.kty !== "RSA") why = `is not an RSA key (kty ${show(jwk.kty)})`;
  else if (jwk.use !== undefined && jwk.use !== "sig") why = `is for use ${show(jwk.use)}`;
  else if (jwk.alg !== undefined && jwk.alg !== "RS256") why = `is for alg ${show(jwk.alg)}`;
  return new JwtError(`key ${show(kid)} ${why}`);
}

/** jose's key resolver over a source: a kid the set does not have asks once for a fresh set. */
function resolver(source: KeySource) {
  return async (header: JWSHeaderParameters): Promise<CryptoKey> => {
    const kid = header.kid;
    if (typeof kid !== "string" || !kid) throw new JwtError("token header has no kid");
    let key = await keyFrom(await source.keys(), header);
    if (!key) {
      const fresh = await source.keys(true);
      key = await keyFrom(fresh, header);
      if (!key) throw noKey(fresh, kid);
    }
    // jose would throw a TypeError for a short key; it is the token's key that is unusable.
    const bits = (key.algorithm as { modulusLength?: number }).modulusLength ?? 0;
    if (bits < 2048) throw new JwtError(`key ${show(kid)} has ${bits} bits: RS256 needs 2048`);
    return key;
  };
}

function claimError(err: errors.JWTClaimValidationFailed): JwtError {
  const { claim, reason, payload } = err;
  const value = payload[claim];
  if (reason === "missing" && claim === "exp") return new JwtError("token has no exp");
  if (reason === "invalid") return new JwtError(`malformed token: ${claim} is not a number`);
  if (claim === "iss") return new JwtError(`issuer does not match: iss is ${show(value)}`);
  if (claim === "aud") return new JwtError(`audience does not match: aud is ${show(value)}`);
  if (claim === "nbf") return new JwtError(`token not yet valid: nbf is ${when(value)}`);
  return new JwtError(`token refused: ${err.message}`);
}

/** jose's refusals of the token as JwtError; anything else (the key set's faults) as it is. */
function refusal(err: unknown, token: string): unknown {
  if (err instanceof errors.JWTExpired)
    return new JwtError(`token expired at ${when(err.payload.exp)}`);
  if (err instanceof errors.JWTClaimValidationFailed) return claimError(err);
  if (err instanceof errors.JOSEAlgNotAllowed) {
    return new JwtError(`unsupported alg ${show(decodeProtectedHeader(token).alg)}`);
  }
  if (err instanceof errors.JWSSignatureVerificationFailed) return new JwtError("bad signature");
  if (err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid) {
    const noAlg = /"alg" .* missing/.test(err.message);
    return new JwtError(noAlg ? "token header has no alg" : `malformed token: ${err.message}`);
  }
  if (err instanceof errors.JOSENotSupported)
    return new JwtError(`unsupported token: ${err.message}`);
  return err;
}

/**
 * Verifies an RS256 JWT and returns its claims; throws JwtError saying what failed. jose checks
 * the header (alg) before any key is looked at, and the signature before any claim is read.
 */
export async function verifyJwt(
  token: string,
  keys: KeySource,
  check: JwtCheck,
): Promise<Record<string, unknown>> {
  if (token.length > MAX_TOKEN_CHARS) {
    throw new JwtError(`malformed token: longer than ${MAX_TOKEN_CHARS} characters`);
  }
  const now = check.now ?? Date.now();
  const skew = check.skewSeconds ?? 60;
  let claims: Record<string, unknown>;
  try {
    ({ payload: claims } = await jwtVerify(token, resolver(keys), {
      algorithms: ["RS256"],
      audience: check.audience,
      issuer: check.issuers,
      requiredClaims: ["exp"],
      currentDate: new Date(now),
      clockTolerance: skew,
    }));
  } catch (err) {
    throw refusal(err, token);
  }
  // jose checks iat only against a maximum age; a token from the future is refused here.
  const iat = claims.iat;
  if (typeof iat === "number" && iat > Math.floor(now / 1000) + skew) {
    throw new JwtError(`token issued in the future: iat is ${when(iat)}`);
  }
  return claims;
}

/** A JWKS from JSON text, or an Error saying what is wrong with it. */
function parseJwks(text: string, what: string): Jwks {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`${what} is not valid JSON`);
  }
  if (!isObject(value) || !Array.isArray(value.keys)) {
    throw new Error(`${what} is not a JWKS: expected an object with a "keys" array`);
  }
  const bad = value.keys.findIndex((k: unknown) => !isObject(k) || typeof k.kty !== "string");
  if (bad >= 0) throw new Error(`${what} is not a JWKS: keys[${bad}] is not a JWK with a kty`);
  return { keys: value.keys as Jwk[] };
}

/** Parsed pinned sets by their JSON, so their imported keys are reused across requests. */
const pinned = new Map<string, Jwks>();

/** A fixed key set (JSON text); throws an Error at once if it is not a JWKS. */
export function pinnedKeys(jwksJson: string): KeySource {
  let jwks = pinned.get(jwksJson);
  if (!jwks) {
    jwks = parseJwks(jwksJson, "the pinned JWKS");
    if (pinned.size >= 16) pinned.clear();
    pinned.set(jwksJson, jwks);
  }
  const set = jwks;
  return { keys: async () => set };
}

// Fetched sets are cached here as resolved values, never as in-flight promises: workerd refuses
// to let one request await a promise made in another's context. (jose's createRemoteJWKSet
// neither honours Cache-Control nor allows a rotation refetch right after a fetch, so not used.)
interface FetchedSet {
  jwks: Jwks;
  expiresAt: number;
  forcedAt: number; // the last forced refresh (a kid not found): one per REFETCH_INTERVAL_MS
}

const fetched = new Map<string, FetchedSet>();
const REFETCH_INTERVAL_MS = 5 * 60_000;

/** Cache-Control max-age in seconds (at most a day), or an hour when absent. */
function maxAge(cacheControl: string | null): number {
  const m = /(?:^|,)\s*max-age\s*=\s*"?(\d+)"?\s*(?:,|$)/i.exec(cacheControl ?? "");
  return m ? Math.min(Number(m[1]), 86_400) : 3600;
}

async function download(url: string, fetcher: typeof fetch): Promise<FetchedSet> {
  let res: BoundedResponse;
  try {
    res = await fetchBounded(
      url,
      { headers: { accept: "application/json" } },
      LIMITS.small,
      fetcher,
    );
  } catch (err) {
    if (err instanceof OutboundError) throw err; // kind timeout / too_large / network, as it is
    throw new Error(`cannot fetch the JWKS at ${url}: ${(err as Error).message}`);
  }
  if (!res.ok) throw new Error(`cannot fetch the JWKS at ${url}: HTTP ${res.status}`);
  const jwks = parseJwks(res.text(), `the JWKS at ${url}`);
  const expiresAt = Date.now() + maxAge(res.headers.get("cache-control")) * 1000;
  return { jwks, expiresAt, forcedAt: Number.NEGATIVE_INFINITY };
}

/**
 * A key set fetched from `url`, cached per isolate for its Cache-Control max-age (an hour when
 * absent). A forced refresh (key rotation) refetches at most once per 5 minutes per URL.
 */
export function fetchedKeys(url: string, fetcher: typeof fetch = fetch): KeySource {
  return {
    async keys(forceRefresh = false): Promise<Jwks> {
      const now = Date.now();
      const cached = fetched.get(url);
      if (cached && now < cached.expiresAt) {
        if (!forceRefresh || now - cached.forcedAt < REFETCH_INTERVAL_MS) return cached.jwks;
      }
      const next = await download(url, fetcher);
      next.forcedAt = forceRefresh ? now : (cached?.forcedAt ?? next.forcedAt);
      fetched.set(url, next);
      return next.jwks;
    },
  };
}
