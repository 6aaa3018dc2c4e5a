import { importPKCS8, type JWTHeaderParameters, SignJWT } from "jose";
import { fetchBounded, LIMITS } from "./outbound";

/**
 * Google service-account access tokens by the OAuth 2.0 JWT bearer grant (RFC 7523): a JWT signed
 * with the account's private key (by jose) is exchanged at its token_uri.
 */

/** The fields of a service-account key file (the JSON Google hands out) that the grant needs. */
export interface ServiceAccount {
  client_email: string;
  private_key: string;
  token_uri: string;
  private_key_id?: string;
}

const GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer";
const ASSERTION_LIFETIME_S = 3600;
/** A cached token is renewed this long before Google says it expires. */
const EARLY_RENEWAL_MS = 60_000;
const PEM_BEGIN = "-----BEGIN PRIVATE KEY-----";

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function isHttpsUrl(s: string): boolean {
  try {
    return new URL(s).protocol === "https:";
  } catch {
    return false;
  }
}

/** A service-account key from its JSON; throws an Error naming the field that is missing or bad. */
export function parseServiceAccount(json: string): ServiceAccount {
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch {
    throw new Error("the service account JSON is not valid JSON");
  }
  if (!isObject(v)) throw new Error("the service account JSON is not an object");
  const field = (name: string): string => {
    const value = v[name];
    if (typeof value !== "string" || value.trim() === "") {
      throw new Error(`the service account JSON has no ${name}`);
    }
    return value;
  };
  const sa: ServiceAccount = {
    client_email: field("client_email"),
    private_key: field("private_key"),
    token_uri: field("token_uri"),
  };
  if (!isHttpsUrl(sa.token_uri)) {
    throw new Error(`the service account token_uri is not an https URL: ${sa.token_uri}`);
  }
  if (!sa.private_key.includes(PEM_BEGIN)) {
    throw new Error(`the service account private_key is not a PKCS#8 PEM (${PEM_BEGIN})`);
  }
  if (typeof v.private_key_id === "string" && v.private_key_id !== "") {
    sa.private_key_id = v.private_key_id;
  }
  return sa;
}

async function importPrivateKey(pem: string): Promise<CryptoKey> {
  try {
    // Key files pasted with their newlines escaped keep the `\n`s; jose wants the PEM first.
    const clean = pem.slice(pem.indexOf(PEM_BEGIN)).replace(/\\n/g, "\n");
    return await importPKCS8(clean, "RS256");
  } catch (err) {
    throw new Error(
      `the service account private_key cannot be imported: ${(err as Error).message}`,
    );
  }
}

/** The signed JWT the grant presents: iss the account, aud its token_uri, valid for an hour. */
async function signedAssertion(sa: ServiceAccount, scope: string, now: number): Promise<string> {
  const iat = Math.floor(now / 1000);
  const header: JWTHeaderParameters = { alg: "RS256", typ: "JWT" };
  if (sa.private_key_id) header.kid = sa.private_key_id;
  const key = await importPrivateKey(sa.private_key);
  return new SignJWT({ scope })
    .setProtectedHeader(header)
    .setIssuer(sa.client_email)
    .setAudience(sa.token_uri)
    .setIssuedAt(iat)
    .setExpirationTime(iat + ASSERTION_LIFETIME_S)
    .sign(key);
}

function parseObject(text: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(text);
    return isObject(v) ? v : null;
  } catch {
    return null;
  }
}

/** Google's `error` and `error_description`, or the start of a body that is not its JSON. */
function oauthError(body: Record<string, unknown> | null, text: string): string {
  if (body && typeof body.error === "string") {
    const description = typeof body.error_description === "string" ? body.error_description : "";
    return description ? `${body.error}: ${description}` : body.error;
  }
  return text.trim().slice(0, 200) || "(empty body)";
}

interface TokenResponse {
  token: string;
  /** Seconds, when the answer says. */
  expiresIn: number | undefined;
}

async function requestToken(
  sa: ServiceAccount,
  assertion: string,
  fetcher: typeof fetch,
): Promise<TokenResponse> {
  const where = `the token request to ${sa.token_uri}`;
  // A timeout or an answer over the cap is an OutboundError (kind timeout / too_large): thrown as it is.
  const res = await fetchBounded(
    sa.token_uri,
    {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        accept: "application/json",
      },
      body: new URLSearchParams({ grant_type: GRANT_TYPE, assertion }).toString(),
    },
    LIMITS.small,
    fetcher,
  );
  const text = res.text();
  const body = parseObject(text);
  if (!res.ok) throw new Error(`${where} failed: HTTP ${res.status} ${oauthError(body, text)}`);
  const token = body?.access_token;
  if (typeof token !== "string" || token === "")
    throw new Error(`${where} returned no access_token`);
  const expiresIn = Number(body?.expires_in);
  return { token, expiresIn: Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : undefined };
}

/** Tokens per (client_email, scope), kept until a minute before they expire. */
const tokens = new Map<string, { token: string; renewAt: number }>();

/**
 * An OAuth2 access token for the service account and scope(s) (space-separated), from the cache
 * or from the account's token_uri. Throws an Error with the HTTP status and Google's error.
 */
export async function accessToken(
  sa: ServiceAccount,
  scope: string,
  fetcher: typeof fetch = fetch,
  now = Date.now(),
): Promise<string> {
  const cacheKey = `${sa.client_email}\n${scope}`;
  const cached = tokens.get(cacheKey);
  if (cached && now < cached.renewAt) return cached.token;
  const assertion = await signedAssertion(sa, scope, now);
  const { token, expiresIn } = await requestToken(sa, assertion, fetcher);
  if (expiresIn === undefined) tokens.delete(cacheKey);
  else tokens.set(cacheKey, { token, renewAt: now + expiresIn * 1000 - EARLY_RENEWAL_MS });
  return token;
}
