import type { TestProject } from "vitest/node";
import {
  type AzuriteClient,
  azuriteClient,
  DEV_ACCOUNT,
  DEV_KEY,
  startAzurite,
} from "../scripts/lib/azurite.mjs";
import { startServer } from "./local-server.mjs";

/**
 * The worker project's global setup: Azurite (Microsoft's Azure Storage emulator) on free
 * loopback ports, in memory, for the Azure tests that run in workerd
 * (test/transports/azure-pipeline.test.ts), and a small admin endpoint beside it: workerd cannot
 * spawn or sign with Node's crypto, so a test asks this Node side to create containers, write
 * blobs and put queue messages (`POST {op, args}` → the AzuriteClient call's result). Both stop
 * with the run.
 */

export interface AzuriteContext {
  blob: string;
  queue: string;
  account: string;
  key: string;
  /** POST {"op": "<AzuriteClient method>", "args": [...]} → {"result"} or 500 {"error"}. */
  admin: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    azurite: AzuriteContext;
  }
}

export default async function setup(project: TestProject) {
  const az = await startAzurite();
  const client = azuriteClient(az);
  const admin = await startServer(async (req) => {
    try {
      const { op, args } = JSON.parse(req.body) as { op: keyof AzuriteClient; args: unknown[] };
      const call = client[op] as (...a: unknown[]) => unknown;
      const result = await call(...args);
      return {
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ result: result ?? null }),
      };
    } catch (err) {
      return { status: 500, body: JSON.stringify({ error: (err as Error).message }) };
    }
  });
  project.provide("azurite", {
    blob: az.blob,
    queue: az.queue,
    account: DEV_ACCOUNT,
    key: DEV_KEY,
    admin: admin.url,
  });
  return async () => {
    await admin.stop();
    await az.stop();
  };
}
