import type { AzureConfig } from "../../vendors/fields";
import { answer, checkStatus, encodeKey, type ObjectStore, unquote } from "../bucket/object-store";
import { blobEndpoint } from "./endpoints";
import { azureFetch, azureStream, errorCode } from "./rest";

/**
 * An Azure container as an ObjectStore (Blob REST API, Get Blob / Get Blob Properties): a read
 * of the notified version is pinned with `If-Match` (a rewritten blob answers 412: `changed`),
 * a resumed read starts at its offset with `x-ms-range`, and 403/404 throw a BucketReadError
 * whose message (with Azure's error code) lands in the source's lastError. The blob is always
 * read from the configured endpoint, never from a URL an event names.
 */
export function azureStore(env: Env, c: AzureConfig): ObjectStore {
  const url = (key: string) => `azure://${c.account}/${c.container}/${key}`;
  const blobUrl = (key: string) => `${blobEndpoint(c)}/${c.container}/${encodeKey(key)}`;
  return {
    async get(key, opts = {}) {
      const headers: Record<string, string> = {};
      if (opts.eTag) headers["if-match"] = `"${opts.eTag}"`;
      if (opts.offset) headers["x-ms-range"] = `bytes=${opts.offset}-`;
      const res = await azureStream(env, c, { method: "GET", url: blobUrl(key), headers });
      return answer(res, url(key), opts.eTag, errorCode(res));
    },
    async head(key) {
      const res = await azureFetch(env, c, { method: "HEAD", url: blobUrl(key) });
      if (res.status === 404) return null;
      checkStatus(res.status, url(key), errorCode(res));
      return {
        eTag: unquote(res.headers.get("etag")),
        size: Number(res.headers.get("content-length") ?? 0),
      };
    },
    url,
  };
}
