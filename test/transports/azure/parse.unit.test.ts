import { describe, expect, it } from "vitest";
import { objectOf, readEvent, validationCode } from "../../../src/transports/azure/events";
import { messageEvents } from "../../../src/transports/azure/queue-poll";
import { parseQueueMessages, QueueXmlError } from "../../../src/transports/azure/queue-xml";
import { stringToSign } from "../../../src/transports/azure/shared-key";
import type { AzureConfig } from "../../../src/vendors/fields";
import cloudEvents from "../../fixtures/azure/cloudevents-blob-created.json";
import createFile from "../../fixtures/azure/cloudevents-datalake-createfile.json";
import blobCreated from "../../fixtures/azure/eventgrid-blob-created.json";
import blobDeleted from "../../fixtures/azure/eventgrid-blob-deleted.json";
import validation from "../../fixtures/azure/subscription-validation.json";

/** The pure parts: Microsoft's sample events, Get Messages XML, the Shared Key string. */

const c = (prefix = "", container = "test-container"): AzureConfig => ({
  account: "acme",
  container,
  prefix,
  accountKeyEnv: "K",
});
const event = (v: unknown) => {
  const e = readEvent(v);
  if ("error" in e) throw new Error(e.error);
  return e;
};

describe("Azure events (Microsoft's samples)", () => {
  it("a BlobCreated in the container (either schema) is the blob: container, name, unquoted eTag, size", () => {
    const expected = {
      kind: "auditflare.object",
      sourceId: "s",
      bucket: "test-container",
      key: "new-file.txt",
      eTag: "0x8D4BCC2E4835CD0",
      size: 524288,
    };
    expect(objectOf("s", c(), event(blobCreated[0]))).toEqual(expected);
    expect(objectOf("s", c(), event(cloudEvents[0]))).toEqual(expected);
  });

  it("skips other types, containers, keys outside the prefix, and Data Lake's empty CreateFile", () => {
    expect(objectOf("s", c(), event(blobDeleted[0]))).toBe("skip");
    expect(objectOf("s", c("", "other"), event(blobCreated[0]))).toBe("skip");
    expect(objectOf("s", c("tpuf/"), event(blobCreated[0]))).toBe("skip");
    expect(objectOf("s", c("new-"), event(blobCreated[0]))).not.toBe("skip");
    expect(objectOf("s", c("", "my-file-system"), event(createFile[0]))).toBe("skip");
  });

  it("a BlobCreated whose subject is not a blob's, or whose data is wrong, is an error to keep", () => {
    const bad = { ...blobCreated[0], subject: "/blobServices/default/containers/x" };
    expect(objectOf("s", c(), event(bad))).toEqual({
      error:
        'subject "/blobServices/default/containers/x" is not /blobServices/default/containers/<container>/blobs/<name>',
    });
    const size = { ...blobCreated[0], data: { contentLength: "big" } };
    expect(objectOf("s", c(), event(size))).toEqual({
      error:
        "data of Microsoft.Storage.BlobCreated: contentLength: Invalid input: expected number, received string",
    });
  });

  it("reads an event of either schema, and says what is missing otherwise", () => {
    expect(event(cloudEvents[0])).toMatchObject({
      id: "831e1650-001e-001b-66ab-eeb76e069631",
      type: "Microsoft.Storage.BlobCreated",
    });
    expect(readEvent({ specversion: "1.0", id: "x", type: "t" })).toEqual({
      error:
        "not a CloudEvents 1.0 event: source: Invalid input: expected string, received undefined",
    });
    expect(readEvent([1])).toMatchObject({
      error: expect.stringMatching(/^not an Event Grid event/),
    });
  });

  it("finds the validation code of Microsoft's SubscriptionValidationEvent, and none elsewhere", () => {
    expect(validationCode(validation)).toBe("512d38b6-c7b8-40c8-89fe-f46f9e9622b6");
    expect(validationCode(blobCreated)).toBeNull();
    expect(validationCode([])).toBeNull();
  });
});

describe("Storage Queue messages", () => {
  const XML = `\uFEFF<?xml version="1.0" encoding="utf-8"?><QueueMessagesList><QueueMessage><MessageId>5974b586-0df3-4e2d-ad0c-18e3892bfca2</MessageId><InsertionTime>Fri, 09 Oct 2009 21:04:30 GMT</InsertionTime><ExpirationTime>Fri, 16 Oct 2009 21:04:30 GMT</ExpirationTime><PopReceipt>YzQ4Yzg1MDItYTc0Ny00OWNjLTkxYTUtZGM0MDFiZDAwYzEw+/=</PopReceipt><TimeNextVisible>Fri, 09 Oct 2009 23:29:20 GMT</TimeNextVisible><DequeueCount>2</DequeueCount><MessageText>{&quot;a&quot;:&quot;&lt;b&gt; &amp; &#233;&#x1F600;&quot;}</MessageText></QueueMessage><QueueMessage><MessageId>m2</MessageId><PopReceipt>p2</PopReceipt><DequeueCount>1</DequeueCount><MessageText /></QueueMessage></QueueMessagesList>`;

  it("parses Get Messages: ids, pop receipts, counts, text with entities decoded", () => {
    expect(parseQueueMessages(XML)).toEqual([
      {
        messageId: "5974b586-0df3-4e2d-ad0c-18e3892bfca2",
        popReceipt: "YzQ4Yzg1MDItYTc0Ny00OWNjLTkxYTUtZGM0MDFiZDAwYzEw+/=",
        dequeueCount: 2,
        messageText: '{"a":"<b> & é😀"}',
      },
      { messageId: "m2", popReceipt: "p2", dequeueCount: 1, messageText: "" },
    ]);
    expect(parseQueueMessages("<QueueMessagesList />")).toEqual([]);
    expect(parseQueueMessages("<QueueMessagesList></QueueMessagesList>")).toEqual([]);
  });

  it("refuses anything else with a QueueXmlError", () => {
    for (const xml of [
      "<Error><Code>QueueNotFound</Code></Error>",
      "<QueueMessagesList><QueueMessage><MessageId>m</MessageId>",
      "<QueueMessagesList><QueueMessage><MessageId>m</MessageId><MessageText>x</MessageText></QueueMessage></QueueMessagesList>",
      "<QueueMessagesList><QueueMessage><MessageId>m</MessageId><PopReceipt>p</PopReceipt><MessageText>&foo;</MessageText></QueueMessage></QueueMessagesList>",
      "<QueueMessagesList><QueueMessage><MessageId>m</MessageId><PopReceipt>p</PopReceipt><MessageText><x/></MessageText></QueueMessage></QueueMessagesList>",
    ])
      expect(() => parseQueueMessages(xml), xml).toThrow(QueueXmlError);
  });

  it("a message's events: base64 or plain JSON, one event or an array; anything else says why", () => {
    const one = JSON.stringify(blobCreated[0]);
    expect(messageEvents(btoa(one))).toEqual([blobCreated[0]]);
    expect(messageEvents(` ${one} `)).toEqual([blobCreated[0]]);
    expect(messageEvents(JSON.stringify(cloudEvents))).toEqual(cloudEvents);
    expect(messageEvents("@@@")).toEqual({
      error: "the message is neither JSON nor base64 of JSON",
    });
    expect(messageEvents("[]")).toEqual({ error: "the message holds no event" });
    expect(messageEvents(btoa("\xff\xfe"))).toEqual({
      error: "the message is neither JSON nor base64 of JSON",
    });
  });
});

describe("Shared Key string to sign", () => {
  it("signs the verb, the standard headers by position, x-ms-* sorted, then /account/path and sorted decoded query", () => {
    const url = new URL(
      "http://127.0.0.1:10001/devstoreaccount1/q/messages/m%201?popreceipt=AgAA%2B%2F%3D&Timeout=30",
    );
    const text = stringToSign(
      "delete",
      url,
      {
        "x-ms-version": "2023-11-03",
        "X-MS-Date": "Sat, 05 Dec 2026 11:00:00 GMT",
        "If-Match": '"0x1"',
        "Content-Length": "0",
      },
      "devstoreaccount1",
    );
    expect(text).toBe(
      [
        "DELETE",
        "", // Content-Encoding
        "", // Content-Language
        "", // Content-Length (0 is empty)
        "", // Content-MD5
        "", // Content-Type
        "", // Date
        "", // If-Modified-Since
        '"0x1"', // If-Match
        "", // If-None-Match
        "", // If-Unmodified-Since
        "", // Range
        "x-ms-date:Sat, 05 Dec 2026 11:00:00 GMT",
        "x-ms-version:2023-11-03",
        "/devstoreaccount1/devstoreaccount1/q/messages/m%201",
        "popreceipt:AgAA+/=",
        "timeout:30",
      ].join("\n"),
    );
  });
});
