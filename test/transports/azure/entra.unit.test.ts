import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { azureStore } from "../../../src/transports/azure/blob-store";
import { STORAGE_SCOPE } from "../../../src/transports/azure/entra";
import { BucketReadError } from "../../../src/transports/bucket/object-store";
import type { AzureConfig } from "../../../src/vendors/fields";
import { type Answer, type LocalServer, startServer } from "../../local-server.mjs";

/**
 * Entra client credentials against a local token endpoint (a real HTTP server here, standing in
 * for login.microsoftonline.com through `authorityHost`), its token sent as Bearer to a local
 * blob endpoint that accepts only the token it issued last.
 */

const TENANT = "contoso.onmicrosoft.com";
let server: LocalServer;
let issued = 0;
const tokenCalls = () => server.requests.filter((r) => r.path.endsWith("/oauth2/v2.0/token"));

beforeAll(async () => {
  server = await startServer((req): Answer => {
    if (req.method === "POST" && req.path === `/${TENANT}/oauth2/v2.0/token`) {
      const form = new URLSearchParams(req.body);
      if (form.get("client_secret") !== "app-secret")
        return {
          status: 401,
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            error: "invalid_client",
            error_description:
              "AADSTS7000215: Invalid client secret provided.\r\nTrace ID: 0000\r\nCorrelation ID: 1111",
          }),
        };
      issued++;
      return {
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          token_type: "Bearer",
          expires_in: 3599,
          access_token: `tok-${issued}`,
        }),
      };
    }
    if (req.headers.authorization !== `Bearer tok-${issued}`)
      return { status: 403, headers: { "x-ms-error-code": "AuthorizationFailure" } };
    return { headers: { etag: '"0x8DE1"', "content-length": "3" }, body: "[1]" };
  });
});
afterAll(() => server?.stop());
afterEach(() => vi.useRealTimers());

const config = (clientId: string): AzureConfig => ({
  account: "acmeaudit",
  container: "audit-logs",
  prefix: "",
  endpoint: `${server.url}/acmeaudit`,
  entra: {
    tenantId: TENANT,
    clientId,
    clientSecretEnv: "AZ_APP_SECRET",
    authorityHost: server.url,
  },
});
const env = (secret = "app-secret") => ({ AZ_APP_SECRET: secret }) as unknown as Env;

describe("Azure blob store (Entra app) with a local token endpoint", () => {
  it("gets a client-credentials token for the storage scope, sends it as Bearer, keeps it until shortly before expiry", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.UTC(2026, 0, 1));
    const store = azureStore(env(), config("app-1"));
    const before = tokenCalls().length;
    for (let i = 0; i < 3; i++)
      expect(await store.head("a.json")).toEqual({ eTag: "0x8DE1", size: 3 });
    expect(tokenCalls().length - before).toBe(1);
    const form = new URLSearchParams(tokenCalls().at(-1)?.body);
    expect(Object.fromEntries(form)).toEqual({
      client_id: "app-1",
      client_secret: "app-secret",
      scope: STORAGE_SCOPE,
      grant_type: "client_credentials",
    });
    expect(STORAGE_SCOPE).toBe("https://storage.azure.com/.default");
    const read = server.requests.at(-1);
    expect(read?.path).toBe("/acmeaudit/audit-logs/a.json");
    expect(read?.headers["x-ms-version"]).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    // 54 minutes on: still the cached token. 56 minutes on (within 5 min of expiry): a new one.
    vi.setSystemTime(Date.UTC(2026, 0, 1, 0, 54));
    await store.head("a.json");
    expect(tokenCalls().length - before).toBe(1);
    vi.setSystemTime(Date.UTC(2026, 0, 1, 0, 56));
    await store.head("a.json");
    expect(tokenCalls().length - before).toBe(2);
  });

  it("a refused client secret: Entra's error (AADSTS code, first line) in the read's error", async () => {
    const err = await azureStore(env("wrong"), config("app-2"))
      .get("a.json")
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BucketReadError);
    expect((err as Error).message).toBe(
      `the Entra token request for client app-2 (tenant ${TENANT}) failed: HTTP 401 invalid_client: AADSTS7000215: Invalid client secret provided.`,
    );
  });
});
