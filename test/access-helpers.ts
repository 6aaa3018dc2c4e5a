import { base64urlEncode } from "../src/lib/jwt";
import { envWith } from "./helpers";

/**
 * Cloudflare Access in tests: a team, an audience, a fresh RS256 key whose JWKS is pinned
 * (ACCESS_JWKS), and assertions signed with it. `admins` go to ACCESS_ADMINS.
 */
export const TEAM = "https://acme.cloudflareaccess.com";
export const AUD = "4714c1358e65fe4b408ad6d432a5f878f08194bdb4752441fd56faefa9b2b6f2";

export async function accessSetup(admins: string[]) {
  const key = (await crypto.subtle.generateKey(
    {
      name: "RSASSA-PKCS1-v1_5",
      modulusLength: 2048,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: "SHA-256",
    },
    true,
    ["sign", "verify"],
  )) as CryptoKeyPair;
  const jwk = (await crypto.subtle.exportKey("jwk", key.publicKey)) as JsonWebKey;
  const env = envWith({
    ACCESS_TEAM_DOMAIN: TEAM,
    ACCESS_AUD: AUD,
    ACCESS_ADMINS: JSON.stringify(admins),
    ACCESS_JWKS: JSON.stringify({ keys: [{ ...jwk, kid: "access-1", alg: "RS256" }] }),
  });
  /** An assertion for reader@acme.com, valid for 10 minutes, unless `claims`/`header` say otherwise. */
  async function assertion(
    claims: Record<string, unknown>,
    header: Record<string, unknown> = {},
  ): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const h = base64urlEncode(
      JSON.stringify({ alg: "RS256", kid: "access-1", typ: "JWT", ...header }),
    );
    const p = base64urlEncode(
      JSON.stringify({
        aud: [AUD],
        iss: TEAM,
        email: "reader@acme.com",
        iat: now,
        exp: now + 600,
        type: "app",
        ...claims,
      }),
    );
    const s = await crypto.subtle.sign(
      "RSASSA-PKCS1-v1_5",
      key.privateKey,
      new TextEncoder().encode(`${h}.${p}`),
    );
    return `${h}.${p}.${base64urlEncode(new Uint8Array(s))}`;
  }
  return { env, assertion };
}
