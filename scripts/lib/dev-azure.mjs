// The `turbopuffer-azure` dev source of `npm start`: Azurite on 127.0.0.1:10000 (Blob) and 10001
// (Queue), its data under .wrangler/azurite, a container `turbopuffer-audit` holding a turbopuffer
// file, and on the queue `audit-events` the BlobCreated event Event Grid would write there
// (base64, Event Grid schema): the every-minute cron pulls it and the consumer reads the blob.
// More: upload a file and put its event with the same calls (scripts/lib/azurite.mjs).
import { readFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { azuriteClient, portFree, startAzurite } from "./azurite.mjs";

export const DEV_CONTAINER = "turbopuffer-audit";
export const DEV_QUEUE = "audit-events";
const PORTS = { blob: 10000, queue: 10001, table: 10002 };

/** The BlobCreated event of a blob, as Event Grid's Event Grid schema writes it. */
function blobCreated(account, container, name, eTag, size, url) {
  return {
    topic: `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/dev/providers/Microsoft.Storage/storageAccounts/${account}`,
    subject: `/blobServices/default/containers/${container}/blobs/${name}`,
    eventType: "Microsoft.Storage.BlobCreated",
    eventTime: new Date().toISOString(),
    id: crypto.randomUUID(),
    data: {
      api: "PutBlob",
      eTag: `"${eTag}"`,
      contentType: "application/x-ndjson",
      contentLength: size,
      blobType: "BlockBlob",
      url,
    },
    dataVersion: "",
    metadataVersion: "1",
  };
}

/** Starts Azurite and seeds it; resolves to the Azurite handle, or null when its ports are taken. */
export async function startDevAzure(root) {
  const free = await Promise.all(Object.values(PORTS).map(portFree));
  if (free.includes(false)) {
    console.log(
      `[start] Azurite not started: port ${PORTS.blob}, ${PORTS.queue} or ${PORTS.table} is in use (another npm start?); the turbopuffer-azure dev source will report the error`,
    );
    return null;
  }
  const location = join(root, ".wrangler", "azurite");
  await mkdir(location, { recursive: true });
  const az = await startAzurite({ ports: PORTS, location });
  const client = azuriteClient(az);
  await client.createContainer(DEV_CONTAINER);
  await client.createQueue(DEV_QUEUE);
  const body = readFileSync(
    join(root, "src", "vendors", "turbopuffer", "fixtures", "batch.ndjson"),
  );
  const name = `${new Date().toISOString().slice(0, 10)}/audit-${Date.now()}.ndjson`;
  const eTag = await client.putBlob(DEV_CONTAINER, name, body);
  const event = blobCreated(
    "devstoreaccount1",
    DEV_CONTAINER,
    name,
    eTag,
    body.length,
    `${az.blob}/${DEV_CONTAINER}/${name}`,
  );
  await client.putMessage(DEV_QUEUE, Buffer.from(JSON.stringify(event)).toString("base64"));
  console.log(
    `[start] Azurite on ${az.blob} (queue ${az.queue}): ${DEV_CONTAINER}/${name} and its BlobCreated event on queue ${DEV_QUEUE}`,
  );
  return az;
}
