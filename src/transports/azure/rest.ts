import {
  type BoundedResponse,
  fetchBounded,
  fetchStreaming,
  LIMITS,
  type Limits,
} from "../../lib/outbound";
import type { AzureConfig } from "../../vendors/fields";
import { BucketReadError, secret } from "../bucket/object-store";
import { entraToken } from "./entra";
import { sharedKey } from "./shared-key";

/**
 * Requests to an Azure source's storage account (Blob and Queue REST APIs), authorized by its one
 * credential: Shared Key (the account key signs each request), a SAS token (appended to the
 * query), or an Entra app's bearer token. Every call is bounded (src/lib/outbound.ts).
 */

/** The REST API version sent as x-ms-version (Bearer tokens need 2017-11-09 or later). */
export const API_VERSION = "2023-11-03";

interface AzureCall {
  method: string;
  url: string;
  headers?: Record<string, string>;
  /** Aborts the call (e.g. its source's deadline in a tick). */
  signal?: AbortSignal;
}

/** The request with its credential: the URL (SAS added) and the headers to send. */
export async function authorize(
  env: Env,
  c: AzureConfig,
  call: AzureCall,
  now = Date.now(),
): Promise<{ url: string; headers: Record<string, string> }> {
  const headers: Record<string, string> = {
    ...call.headers,
    "x-ms-version": API_VERSION,
    "x-ms-date": new Date(now).toUTCString(),
  };
  if (c.accountKeyEnv) {
    const key = secret(env, c.accountKeyEnv, "the storage account key");
    try {
      headers.authorization = await sharedKey(
        c.account,
        key,
        call.method,
        new URL(call.url),
        headers,
      );
    } catch (err) {
      throw new BucketReadError(
        "config_invalid",
        `the secret ${c.accountKeyEnv}: ${(err as Error).message}`,
      );
    }
    return { url: call.url, headers };
  }
  if (c.sasTokenEnv) {
    const sas = secret(env, c.sasTokenEnv, "the SAS token").replace(/^\?/, "");
    return { url: `${call.url}${call.url.includes("?") ? "&" : "?"}${sas}`, headers };
  }
  if (c.entra) {
    const clientSecret = secret(env, c.entra.clientSecretEnv, "the Entra app's client secret");
    headers.authorization = `Bearer ${await entraToken(c.entra, clientSecret, now)}`;
    return { url: call.url, headers };
  }
  throw new BucketReadError("config_invalid", "the azure source has no credential");
}

/** A bounded call (its whole answer read within `limits`). */
export async function azureFetch(
  env: Env,
  c: AzureConfig,
  call: AzureCall,
  limits: Limits = LIMITS.small,
): Promise<BoundedResponse> {
  const { url, headers } = await authorize(env, c, call);
  return fetchBounded(url, { method: call.method, headers, signal: call.signal }, limits);
}

/** A streamed call (a blob): headers within the deadline, then no long pause between chunks. */
export async function azureStream(env: Env, c: AzureConfig, call: AzureCall): Promise<Response> {
  const { url, headers } = await authorize(env, c, call);
  return fetchStreaming(url, { method: call.method, headers }, LIMITS.object);
}

/** Azure's own name for an error (x-ms-error-code), e.g. AuthenticationFailed, BlobNotFound. */
export const errorCode = (res: { headers: Headers }) => res.headers.get("x-ms-error-code") ?? "";
