import { describe, expect, it } from "vitest";
import { parseSources } from "../../../src/config";
import { blobEndpoint, queueEndpoint } from "../../../src/transports/azure/endpoints";
import type { AzureConfig } from "../../../src/vendors/fields";

/** SOURCES entries with an `azure` bucket: each bad field is named, as other sources' are. */

const azure = { account: "acmeaudit", container: "audit-logs", accountKeyEnv: "AZ_KEY" };
const source = (a: Record<string, unknown>, type = "circleci") => [{ id: "az", type, azure: a }];
const parse = (a: Record<string, unknown>) => parseSources(source(a))[0] as { azure: AzureConfig };

describe("SOURCES: an azure bucket", () => {
  it("takes the minimal entry, prefix defaulting to the whole container", () => {
    expect(parse(azure).azure).toEqual({ ...azure, prefix: "" });
    const [t] = parseSources(source({ ...azure, prefix: "tpuf/" }, "turbopuffer"));
    expect(t).toMatchObject({ azure: { prefix: "tpuf/" } });
  });

  it("takes each of the three credentials alone", () => {
    const { accountKeyEnv: _, ...noKey } = azure;
    expect(parse({ ...noKey, sasTokenEnv: "AZ_SAS" }).azure.sasTokenEnv).toBe("AZ_SAS");
    const entra = {
      tenantId: "contoso.onmicrosoft.com",
      clientId: "1111-2222",
      clientSecretEnv: "AZ_APP_SECRET",
    };
    expect(parse({ ...noKey, entra }).azure.entra).toEqual(entra);
  });

  it("refuses no credential, or two, naming azure.accountKeyEnv", () => {
    const { accountKeyEnv: _, ...noKey } = azure;
    const message =
      'SOURCES[0] (id "az") field "azure.accountKeyEnv": needs exactly one credential: accountKeyEnv, sasTokenEnv or entra';
    expect(() => parse(noKey)).toThrow(message);
    expect(() => parse({ ...azure, sasTokenEnv: "AZ_SAS" })).toThrow(message);
  });

  it("names the field that is wrong", () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [
        { ...azure, account: "Acme_Audit" },
        /field "azure.account": must be a storage account name/,
      ],
      [{ ...azure, container: "Audit--Logs" }, /field "azure.container".*container name/],
      [
        { ...azure, accountKeyEnv: "az-key" },
        /field "azure.accountKeyEnv": must be a variable name/,
      ],
      [{ ...azure, endpoint: "ftp://x" }, /field "azure.endpoint"/],
      [{ ...azure, queueName: "Q" }, /field "azure.queueName": must be a queue name/],
      [{ ...azure, eventGridSecretEnv: "" }, /field "azure.eventGridSecretEnv"/],
      [{ ...azure, bucket: "x" }, /field "azure": Unrecognized key: "bucket"/],
      [
        {
          ...azure,
          accountKeyEnv: undefined,
          entra: { tenantId: "t/../x", clientId: "c", clientSecretEnv: "S" },
        },
        /field "azure.entra.tenantId": must be a tenant id/,
      ],
      [
        { ...azure, accountKeyEnv: undefined, entra: { tenantId: "t", clientId: "c" } },
        /field "azure.entra.clientSecretEnv"/,
      ],
      [
        { ...azure, endpoint: "https://files.acme.example", queueName: "audit-events" },
        /field "azure.endpoint": with queueName, must be path-style/,
      ],
    ];
    for (const [entry, message] of cases) expect(() => parse(entry)).toThrow(message);
  });

  it("is one place only: not beside prefix, s3 or gcs", () => {
    expect(() => parseSources([{ id: "az", type: "airkit", prefix: "a/", azure }])).toThrow(
      'field "prefix": needs exactly one of prefix (the R2 landing bucket), s3, gcs or azure',
    );
  });
});

describe("an azure bucket's endpoints", () => {
  const c = (endpoint?: string) => parse(endpoint ? { ...azure, endpoint } : azure).azure;

  it("default to the account's blob and queue hosts", () => {
    expect(blobEndpoint(c())).toBe("https://acmeaudit.blob.core.windows.net");
    expect(queueEndpoint(c())).toBe("https://acmeaudit.queue.core.windows.net");
  });

  it("Azurite's path-style endpoint: the queue on the next port, same path", () => {
    const a = c("http://127.0.0.1:10000/devstoreaccount1/");
    expect(blobEndpoint(a)).toBe("http://127.0.0.1:10000/devstoreaccount1");
    expect(queueEndpoint(a)).toBe("http://127.0.0.1:10001/devstoreaccount1");
  });

  it("another cloud's blob host: its .queue. twin", () => {
    const gov = c("https://acmeaudit.blob.core.usgovcloudapi.net");
    expect(queueEndpoint(gov)).toBe("https://acmeaudit.queue.core.usgovcloudapi.net");
  });
});
