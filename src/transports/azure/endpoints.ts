import { type AzureConfig, isPathStyle } from "../../vendors/fields";

/**
 * An Azure source's service endpoints, without a trailing slash. The blob endpoint is
 * `azure.endpoint` or https://<account>.blob.core.windows.net. The queue endpoint is derived:
 * https://<account>.queue.core.windows.net by default; the `.queue.` twin of a `.blob.` host
 * (sovereign clouds); or, for a path-style endpoint (Azurite:
 * http://127.0.0.1:10000/devstoreaccount1), the same host and path on the next port
 * (http://127.0.0.1:10001/devstoreaccount1), as Azurite lays its services out.
 */

const trim = (url: string) => url.replace(/\/+$/, "");

export function blobEndpoint(c: AzureConfig): string {
  return trim(c.endpoint ?? `https://${c.account}.blob.core.windows.net`);
}

export function queueEndpoint(c: AzureConfig): string {
  if (!c.endpoint) return `https://${c.account}.queue.core.windows.net`;
  const u = new URL(c.endpoint);
  if (isPathStyle(u)) {
    const port = Number(u.port || (u.protocol === "https:" ? 443 : 80));
    u.port = String(port + 1);
  } else u.hostname = u.hostname.replace(".blob.", ".queue.");
  return trim(u.toString());
}
