import { AuditflareError } from "./errors";

// RS256 JWT verification against a JWKS (pinned, or fetched and cached per isolate), WebCrypto
// only: Google Pub/Sub push tokens, Cloudflare Access `Cf-Access-Jwt-Assertion` tokens.

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

const RS256 = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" } as const;
const MAX_TOKEN_CHARS = 16_384;
const encoder = new TextEncoder();
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const BASE64URL = /^[A-Za-z0-9_-]*$/;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Base64url without padding, as JWS writes it. */
export function base64urlEncode(data: Uint8Array | string): string {
  const bytes = typeof data === "string" ? encoder.encode(data) : data;
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Strict base64url: no padding, no other characters, unused trailing bits zero; else null. */
export function base64urlDecode(s: string): Uint8Array | null {
  if (!BASE64URL.test(s) || s.length % 4 === 1) return null;
  const bin = atob(s.replace(/-/g, "+").replace(/_/g, "/"));
  const out = Uint8Array.from(bin, (c) => c.charCodeAt(0));
  return base64urlEncode(out) === s ? out : null; // nonzero unused trailing bits differ
}

/** A value from the token, safe and short enough for a message. */
function show(v: unknown): string {
  const s = typeof v === "string" ? v : (JSON.stringify(v) ?? "missing");
  return s.length > 80 ? `${s.slice(0, 80)}…` : s;
}

/** A NumericDate (seconds) as ISO-8601, or the number when no Date can hold it. */
function when(seconds: number): string {
  const ms = seconds * 1000;
  return Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : String(seconds);
}

interface ParsedToken {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  signed: Uint8Array;
  signature: Uint8Array;
}

function jsonSegment(segment: string, what: string): Record<string, unknown> {
  const bytes = segment === "" ? null : base64urlDecode(segment);
  if (!bytes) throw new JwtError(`malformed token: the ${what} is not base64url`);
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(bytes));
  } catch {
    throw new JwtError(`malformed token: the ${what} is not JSON`);
  }
  if (!isObject(value)) throw new JwtError(`malformed token: the ${what} is not a JSON object`);
  return value;
}

function parseToken(token: string): ParsedToken {
  if (token.length > MAX_TOKEN_CHARS) {
    throw new JwtError(`malformed token: longer than ${MAX_TOKEN_CHARS} characters`);
  }
  const parts = token.split(".");
  if (parts.length !== 3) {
    throw new JwtError(`malformed token: ${parts.length} dot-separated parts, not 3`);
  }
  const [h = "", p = "", s = ""] = parts;
  const header = jsonSegment(h, "header");
  const claims = jsonSegment(p, "payload");
  const signature = base64urlDecode(s);
  if (!signature) throw new JwtError("malformed token: the signature is not base64url");
  return { header, claims, signed: encoder.encode(`${h}.${p}`), signature };
}

/** Only RS256 (never none, HS256 or anything else), no critical extensions; returns the kid. */
function checkHeader(header: Record<string, unknown>): string {
  if (header.alg === undefined) throw new JwtError("token header has no alg");
  if (header.alg !== "RS256") throw new JwtError(`unsupported alg ${show(header.alg)}`);
  if (header.crit !== undefined) throw new JwtError("unsupported crit header");
  if (typeof header.kid !== "string" || !header.kid) throw new JwtError("token header has no kid");
  return header.kid;
}

/** Why a JWK cannot verify RS256 signatures, or null when it can. */
function unsuitable(jwk: Jwk): string | null {
  if (jwk.kty !== "RSA") return `is not an RSA key (kty ${show(jwk.kty)})`;
  if (jwk.alg !== undefined && jwk.alg !== "RS256") return `is for alg ${show(jwk.alg)}`;
  if (jwk.use !== undefined && jwk.use !== "sig") return `is for use ${show(jwk.use)}`;
  return null;
}

function withKid(jwks: Jwks, kid: string): Jwk | undefined {
  const matching = jwks.keys.filter((k) => k.kid === kid);
  return matching.find((k) => unsuitable(k) === null) ?? matching[0];
}

// Imported keys by the JWK object they came from: key sources hand out the same cached objects
// (per URL, per pinned JSON) until they refetch, so a kid is imported once per key set.
const imported = new WeakMap<Jwk, CryptoKey>();

async function importJwk(jwk: Jwk, kid: string): Promise<CryptoKey> {
  const cached = imported.get(jwk);
  if (cached) return cached;
  const problem = unsuitable(jwk);
  if (problem) throw new JwtError(`key ${show(kid)} ${problem}`);
  let key: CryptoKey;
  try {
    // The public parts only: key_ops, or private parts published by mistake, cannot get in.
    const pub: JsonWebKey = { kty: "RSA", n: jwk.n, e: jwk.e, alg: "RS256", ext: true };
    key = await crypto.subtle.importKey("jwk", pub, RS256, false, ["verify"]);
  } catch (err) {
    throw new JwtError(`key ${show(kid)} cannot be imported: ${(err as Error).message}`);
  }
  imported.set(jwk, key);
  return key;
}

/** The key for `kid`; a kid the set does not have asks the source once for a fresh set. */
async function findKey(source: KeySource, kid: string): Promise<CryptoKey> {
  let jwk = withKid(await source.keys(), kid);
  if (!jwk) jwk = withKid(await source.keys(true), kid);
  if (!jwk) throw new JwtError(`no key with kid ${show(kid)}`);
  return importJwk(jwk, kid);
}

function numericDate(claims: Record<string, unknown>, name: string): number | undefined {
  const v = claims[name];
  if (v === undefined) return undefined;
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw new JwtError(`malformed token: ${name} is not a number`);
  }
  return v;
}

function checkTimes(claims: Record<string, unknown>, check: JwtCheck): void {
  const now = (check.now ?? Date.now()) / 1000;
  const skew = check.skewSeconds ?? 60;
  const exp = numericDate(claims, "exp");
  if (exp === undefined) throw new JwtError("token has no exp");
  if (now - skew >= exp) throw new JwtError(`token expired at ${when(exp)}`);
  const nbf = numericDate(claims, "nbf");
  if (nbf !== undefined && now + skew < nbf) {
    throw new JwtError(`token not yet valid: nbf is ${when(nbf)}`);
  }
  const iat = numericDate(claims, "iat");
  if (iat !== undefined && now + skew < iat) {
    throw new JwtError(`token issued in the future: iat is ${when(iat)}`);
  }
}

function checkClaims(claims: Record<string, unknown>, check: JwtCheck): void {
  checkTimes(claims, check);
  const { iss, aud } = claims;
  if (typeof iss !== "string" || !check.issuers.includes(iss)) {
    throw new JwtError(`issuer does not match: iss is ${show(iss)}`);
  }
  const wanted = typeof check.audience === "string" ? [check.audience] : check.audience;
  const auds: unknown[] = typeof aud === "string" ? [aud] : Array.isArray(aud) ? aud : [];
  if (!auds.some((a) => typeof a === "string" && wanted.includes(a))) {
    throw new JwtError(`audience does not match: aud is ${show(aud)}`);
  }
}

/**
 * Verifies an RS256 JWT and returns its claims; throws JwtError saying what failed. The header is
 * checked before any key is looked at; the signature before any claim is trusted.
 */
export async function verifyJwt(
  token: string,
  keys: KeySource,
  check: JwtCheck,
): Promise<Record<string, unknown>> {
  const { header, claims, signed, signature } = parseToken(token);
  const kid = checkHeader(header);
  const key = await findKey(keys, kid);
  const ok = await crypto.subtle.verify(RS256, key, signature, signed).catch(() => false);
  if (!ok) throw new JwtError("bad signature");
  checkClaims(claims, check);
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
  let res: Response;
  try {
    res = await fetcher(url, { headers: { accept: "application/json" } });
  } catch (err) {
    throw new Error(`cannot fetch the JWKS at ${url}: ${(err as Error).message}`);
  }
  const text = await res.text();
  if (!res.ok) throw new Error(`cannot fetch the JWKS at ${url}: HTTP ${res.status}`);
  const jwks = parseJwks(text, `the JWKS at ${url}`);
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
