import { fetchBounded, LIMITS } from "../../lib/outbound";
import type { AzureConfig } from "../../vendors/fields";
import { BucketReadError } from "../bucket/object-store";

/**
 * Microsoft Entra ID tokens for Azure Storage by the OAuth 2.0 client-credentials grant
 * (learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow): the app's
 * client secret is exchanged at `<authorityHost>/<tenantId>/oauth2/v2.0/token` for a token of
 * scope https://storage.azure.com/.default, kept per isolate until shortly before it expires.
 */

type Entra = NonNullable<AzureConfig["entra"]>;

export const STORAGE_SCOPE = "https://storage.azure.com/.default";
const DEFAULT_AUTHORITY = "https://login.microsoftonline.com";
/** A cached token is renewed this long before it expires (or at half its life, if shorter). */
const EARLY_RENEWAL_MS = 5 * 60_000;

const tokens = new Map<string, { token: string; renewAt: number }>();

export const tokenUrl = (e: Entra) =>
  `${(e.authorityHost ?? DEFAULT_AUTHORITY).replace(/\/+$/, "")}/${encodeURIComponent(e.tenantId)}/oauth2/v2.0/token`;

/** Entra's `error: error_description` (its AADSTS code first), or the start of another body. */
function entraError(text: string): string {
  try {
    const v = JSON.parse(text) as { error?: unknown; error_description?: unknown };
    if (typeof v.error === "string") {
      const line =
        typeof v.error_description === "string" ? v.error_description.split(/\r?\n/)[0] : "";
      return line ? `${v.error}: ${line}` : v.error;
    }
  } catch {}
  return text.trim().slice(0, 200) || "(empty body)";
}

/** A token for Azure Storage, from the cache or the tenant's token endpoint. */
export async function entraToken(
  e: Entra,
  clientSecret: string,
  now = Date.now(),
): Promise<string> {
  const url = tokenUrl(e);
  const cacheKey = `${url}\n${e.clientId}`;
  const cached = tokens.get(cacheKey);
  if (cached && now < cached.renewAt) return cached.token;
  // A timeout or an answer over the cap is an OutboundError (kind timeout / too_large).
  const res = await fetchBounded(
    url,
    {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body: new URLSearchParams({
        client_id: e.clientId,
        client_secret: clientSecret,
        scope: STORAGE_SCOPE,
        grant_type: "client_credentials",
      }).toString(),
    },
    LIMITS.small,
  );
  const text = res.text();
  const where = `the Entra token request for client ${e.clientId} (tenant ${e.tenantId})`;
  if (!res.ok)
    throw new BucketReadError(
      "bucket_read_failed",
      `${where} failed: HTTP ${res.status} ${entraError(text)}`,
    );
  let body: { access_token?: unknown; expires_in?: unknown } = {};
  try {
    body = JSON.parse(text);
  } catch {}
  if (typeof body.access_token !== "string" || body.access_token === "")
    throw new BucketReadError("bucket_read_failed", `${where} returned no access_token`);
  const lifeMs = Number(body.expires_in) * 1000;
  if (Number.isFinite(lifeMs) && lifeMs > 0)
    tokens.set(cacheKey, {
      token: body.access_token,
      renewAt: now + lifeMs - Math.min(EARLY_RENEWAL_MS, lifeMs / 2),
    });
  else tokens.delete(cacheKey);
  return body.access_token;
}
