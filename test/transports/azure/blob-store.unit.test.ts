import { beforeAll, describe, expect, it } from "vitest";
import { DEV_ACCOUNT, DEV_KEY } from "../../../scripts/lib/azurite.mjs";
import { azureStore } from "../../../src/transports/azure/blob-store";
import { BucketReadError, type ObjectRead } from "../../../src/transports/bucket/object-store";
import type { AzureConfig } from "../../../src/vendors/fields";
import { useAzurite } from "./helpers";

/**
 * The Azure ObjectStore through Azurite's real Blob REST API (started here on free loopback
 * ports, in memory): Shared Key and SAS, range reads, If-Match pinning, 403 and 404.
 */

const ctx = useAzurite();
const CONTAINER = "audit-logs";
const KEY = "tpuf/2026/01/02 batch.ndjson";
const BODY = '{"a":1}\n{"a":2}\n{"a":3}\n';

beforeAll(() => ctx.admin.createContainer(CONTAINER));

const config = (extra: Partial<AzureConfig> = {}): AzureConfig => ({
  account: DEV_ACCOUNT,
  container: CONTAINER,
  prefix: "",
  endpoint: ctx.az.blob,
  ...(extra.sasTokenEnv || extra.entra ? {} : { accountKeyEnv: "AZ_KEY" }),
  ...extra,
});
const env = (vars: Record<string, string> = {}) => ({ AZ_KEY: DEV_KEY, ...vars }) as unknown as Env;

async function text(read: ObjectRead): Promise<string> {
  if (typeof read === "string") throw new Error(`expected an object, got ${read}`);
  return new Response(read.body).text();
}

const failure = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: unknown) => e,
  );

describe("Azure blob store (Shared Key) against Azurite", () => {
  it("reads a blob whole: its body, ETag (unquoted) and size", async () => {
    const eTag = await ctx.admin.putBlob(CONTAINER, KEY, BODY);
    const read = await azureStore(env(), config()).get(KEY);
    expect(read).toMatchObject({ eTag, size: BODY.length, upload: false });
    expect(await text(read)).toBe(BODY);
  });

  it("reads from an offset with x-ms-range (a resumed read), the size still the whole blob's", async () => {
    const eTag = await ctx.admin.putBlob(CONTAINER, KEY, BODY);
    const read = await azureStore(env(), config()).get(KEY, { eTag, offset: 8 });
    expect(read).toMatchObject({ eTag, size: BODY.length });
    expect(await text(read)).toBe(BODY.slice(8));
  });

  it("pins the notified version with If-Match: a rewritten blob is `changed`, the new one reads", async () => {
    const old = await ctx.admin.putBlob(CONTAINER, KEY, BODY);
    const now = await ctx.admin.putBlob(CONTAINER, KEY, `${BODY}{"a":4}\n`);
    expect(now).not.toBe(old);
    const store = azureStore(env(), config());
    expect(await store.get(KEY, { eTag: old })).toBe("changed");
    expect(await store.get(KEY, { eTag: old, offset: 8 })).toBe("changed");
    expect(await text(await store.get(KEY, { eTag: now }))).toBe(`${BODY}{"a":4}\n`);
  });

  it("head gives the current version and size; null for a missing blob", async () => {
    const eTag = await ctx.admin.putBlob(CONTAINER, "head.json", "[1,2]");
    const store = azureStore(env(), config());
    expect(await store.head("head.json")).toEqual({ eTag, size: 5 });
    expect(await store.head("no-such.json")).toBeNull();
    expect(store.url("a/b.json")).toBe(`azure://${DEV_ACCOUNT}/${CONTAINER}/a/b.json`);
  });

  it("a missing blob is a BucketReadError (404 BlobNotFound, named), never `missing`", async () => {
    const err = await failure(azureStore(env(), config()).get("gone.ndjson"));
    expect(err).toBeInstanceOf(BucketReadError);
    expect((err as Error).message).toBe(
      `azure://${DEV_ACCOUNT}/${CONTAINER}/gone.ndjson does not exist or cannot be seen (HTTP 404 BlobNotFound)`,
    );
  });

  it("a wrong account key: 403 with Azure's error code, in words", async () => {
    const wrong = btoa("not the key of this account, 64 bytes long...........................");
    const err = await failure(azureStore(env({ AZ_KEY: wrong }), config()).get(KEY));
    expect(err).toBeInstanceOf(BucketReadError);
    expect((err as Error).message).toBe(
      `the credentials cannot read azure://${DEV_ACCOUNT}/${CONTAINER}/${KEY} (HTTP 403 AuthorizationFailure)`, // Azure itself says AuthenticationFailed
    );
  });

  it("an unset or non-base64 key names its secret", async () => {
    const unset = await failure(azureStore({} as Env, config()).get(KEY));
    expect((unset as Error).message).toMatch(
      /the secret AZ_KEY \(the storage account key\) is not set/,
    );
    const bad = await failure(azureStore(env({ AZ_KEY: "not base64!" }), config()).get(KEY));
    expect((bad as Error).message).toMatch(/the secret AZ_KEY: the account key is not base64/);
  });
});

describe("Azure blob store (SAS) against Azurite", () => {
  it("reads with an account SAS appended (a leading ? accepted), ranges and pinning too", async () => {
    const eTag = await ctx.admin.putBlob(CONTAINER, KEY, BODY);
    const sas = ctx.admin.accountSas({ services: "b", resourceTypes: "o", permissions: "r" });
    for (const token of [sas, `?${sas}`]) {
      const store = azureStore(env({ AZ_SAS: token }), config({ sasTokenEnv: "AZ_SAS" }));
      expect(await text(await store.get(KEY, { eTag, offset: 16 }))).toBe(BODY.slice(16));
      expect(await store.head(KEY)).toEqual({ eTag, size: BODY.length });
    }
  });

  it("a SAS without read permission is a 403 in the source's words", async () => {
    const sas = ctx.admin.accountSas({ services: "b", resourceTypes: "o", permissions: "w" });
    const store = azureStore(env({ AZ_SAS: sas }), config({ sasTokenEnv: "AZ_SAS" }));
    const err = await failure(store.get(KEY));
    expect((err as Error).message).toMatch(
      /^the credentials cannot read azure:\/\/devstoreaccount1\/audit-logs\/.* \(HTTP 403 AuthorizationPermissionMismatch\)$/,
    );
  });
});
