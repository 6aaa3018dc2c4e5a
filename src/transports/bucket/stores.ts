import { AwsClient } from "aws4fetch";
import { withDeadline } from "../../lib/concurrency";
import { AuditflareError } from "../../lib/errors";
import { accessToken, parseServiceAccount, type ServiceAccount } from "../../lib/google-token";
import {
  boundedStream,
  fetchBounded,
  fetchStreaming,
  LIMITS,
  OutboundError,
} from "../../lib/outbound";
import type { AzureConfig, GcsConfig, S3Config } from "../../vendors/fields";
import { azureStore } from "../azure/blob-store";
import {
  answer,
  BucketReadError,
  checkStatus,
  encodeKey,
  type ObjectStore,
  secret,
  unquote,
} from "./object-store";

export {
  BucketReadError,
  type ObjectRead,
  type ObjectStore,
  type StoredObject,
} from "./object-store";

/**
 * Where a bucket source's files are read from: the R2 landing bucket (a prefix), the vendor's
 * own Amazon S3 bucket (SigV4 through aws4fetch), Google Cloud Storage bucket (JSON API, a
 * service-account token) or Azure Storage container (src/transports/azure/). One interface, so every file goes through the same streaming,
 * exactly-once path (src/transports/bucket/object.ts).
 */

/**
 * The landing bucket, read with the limits of any bucket object (LIMITS.object): the object
 * within its header deadline (one that answers later has its body cancelled), then its body
 * with the idle time and overall deadline of boundedStream.
 */
function r2Store(env: Env): ObjectStore {
  const url = (key: string) => `r2://auditflare-landing/${key}`;
  const { timeoutMs } = LIMITS.object;
  return {
    async get(key, opts = {}) {
      const options = {
        ...(opts.offset ? { range: { offset: opts.offset } } : {}),
        ...(opts.eTag ? { onlyIf: { etagMatches: opts.eTag } } : {}),
      };
      const expired = () =>
        new OutboundError(
          "timeout",
          `${url(key)} did not answer within ${timeoutMs / 1000} s`,
          url(key),
        );
      const asked = Date.now();
      const pending = env.LANDING.get(key, options);
      const o = await withDeadline(timeoutMs, expired, () => pending).catch((err: unknown) => {
        // Answered after all: nobody reads it.
        pending
          .then((late) => {
            if (late && "body" in late) return late.body.cancel();
          })
          .catch(() => {});
        throw err;
      });
      if (!o) return "missing";
      if (!("body" in o)) return "changed";
      return {
        body: boundedStream(
          o.body,
          LIMITS.object,
          url(key),
          undefined,
          undefined,
          Date.now() - asked,
        ),
        eTag: o.etag,
        size: o.size,
        upload: o.customMetadata?.auditflareOrigin === "upload",
      };
    },
    async head(key) {
      const h = await env.LANDING.head(key);
      return h && { eTag: h.etag, size: h.size };
    },
    url,
  };
}

export function s3Client(env: Env, c: S3Config, service: "s3" | "sqs" = "s3"): AwsClient {
  return new AwsClient({
    accessKeyId: secret(env, c.accessKeyIdEnv, "the S3 access key id"),
    secretAccessKey: secret(env, c.secretAccessKeyEnv, "the S3 secret access key"),
    region: c.region,
    service,
    retries: 1, // the queue retries with backoff; do not hold the consumer
  });
}

/** Virtual-hosted URL on AWS (path-style is deprecated there), path-style on any other endpoint. */
function s3Url(c: S3Config, key: string): string {
  if (c.endpoint) return `${c.endpoint.replace(/\/$/, "")}/${c.bucket}/${encodeKey(key)}`;
  if (c.bucket.includes("."))
    return `https://s3.${c.region}.amazonaws.com/${c.bucket}/${encodeKey(key)}`;
  return `https://${c.bucket}.s3.${c.region}.amazonaws.com/${encodeKey(key)}`;
}

/**
 * A SigV4-signed request to the bucket, sent with outbound limits: the headers within
 * LIMITS.object's deadline, then no pause longer than its idle time while the body streams.
 */
async function s3Fetch(
  env: Env,
  c: S3Config,
  key: string,
  init: { method?: string; headers?: Record<string, string> },
): Promise<Response> {
  const signed = await s3Client(env, c).sign(s3Url(c, key), init);
  return fetchStreaming(
    signed.url,
    { method: signed.method, headers: signed.headers },
    LIMITS.object,
  );
}

function s3Store(env: Env, c: S3Config): ObjectStore {
  const url = (key: string) => `s3://${c.bucket}/${key}`;
  return {
    async get(key, opts = {}) {
      const headers: Record<string, string> = {};
      if (opts.eTag) headers["if-match"] = `"${opts.eTag}"`;
      if (opts.offset) headers.range = `bytes=${opts.offset}-`;
      return answer(await s3Fetch(env, c, key, { headers }), url(key), opts.eTag);
    },
    async head(key) {
      const res = await s3Fetch(env, c, key, { method: "HEAD" });
      await res.body?.cancel().catch(() => {});
      if (res.status === 404) return null;
      if (checkStatus(res.status, url(key)) === "changed") return null;
      return {
        eTag: unquote(res.headers.get("etag")),
        size: Number(res.headers.get("content-length") ?? 0),
      };
    },
    url,
  };
}

const GCS_SCOPE = "https://www.googleapis.com/auth/devstorage.read_only";

/**
 * The service account of the secret, or a BucketReadError naming the secret and what is wrong
 * with it (not JSON, a field missing, a token_uri that is not https, a key that is not PKCS#8).
 */
function serviceAccount(env: Env, c: GcsConfig): ServiceAccount {
  const json = secret(env, c.serviceAccountJsonEnv, "the service-account JSON");
  try {
    return parseServiceAccount(json);
  } catch (err) {
    throw new BucketReadError(
      "config_invalid",
      `the secret ${c.serviceAccountJsonEnv}: ${(err as Error).message}`,
    );
  }
}

/** An access token for the bucket; a failure other than a timeout or cap names the secret. */
async function gcsToken(env: Env, c: GcsConfig): Promise<string> {
  const sa = serviceAccount(env, c);
  try {
    return await accessToken(sa, GCS_SCOPE);
  } catch (err) {
    if (err instanceof AuditflareError) throw err;
    throw new BucketReadError(
      "bucket_read_failed",
      `the secret ${c.serviceAccountJsonEnv} gives no access token: ${(err as Error).message}`,
    );
  }
}

function gcsStore(env: Env, c: GcsConfig): ObjectStore {
  const base = `${(c.endpoint ?? "https://storage.googleapis.com").replace(/\/$/, "")}/storage/v1/b/${encodeURIComponent(c.bucket)}/o/`;
  const url = (key: string) => `gs://${c.bucket}/${key}`;
  const authorized = async (headers: Record<string, string> = {}) => ({
    ...headers,
    authorization: `Bearer ${await gcsToken(env, c)}`,
  });
  return {
    async get(key, opts = {}) {
      const q = opts.eTag ? `&ifGenerationMatch=${encodeURIComponent(opts.eTag)}` : "";
      const headers = await authorized(opts.offset ? { range: `bytes=${opts.offset}-` } : {});
      const res = await fetchStreaming(
        `${base}${encodeURIComponent(key)}?alt=media${q}`,
        { headers },
        LIMITS.object,
      );
      const read = answer(res, url(key), opts.eTag);
      // The version is the generation (an object's ETag changes with its metadata too).
      if (typeof read !== "string") read.eTag = res.headers.get("x-goog-generation") ?? read.eTag;
      return read;
    },
    async head(key) {
      const res = await fetchBounded(
        `${base}${encodeURIComponent(key)}`,
        { headers: await authorized() },
        LIMITS.small,
      );
      if (res.status === 404) return null;
      if (!res.ok) checkStatus(res.status, url(key));
      const meta = JSON.parse(res.text()) as { generation?: string; size?: string };
      return { eTag: String(meta.generation ?? ""), size: Number(meta.size ?? 0) };
    },
    url,
  };
}

/** The store a bucket source reads (no s3, gcs or azure: the R2 landing bucket). */
export function storeFor(
  env: Env,
  source: { s3?: S3Config; gcs?: GcsConfig; azure?: AzureConfig },
): ObjectStore {
  if (source.s3) return s3Store(env, source.s3);
  if (source.gcs) return gcsStore(env, source.gcs);
  if (source.azure) return azureStore(env, source.azure);
  return r2Store(env);
}
