import { afterAll, beforeAll } from "vitest";
import {
  type Azurite,
  type AzuriteClient,
  azuriteClient,
  startAzurite,
} from "../../../scripts/lib/azurite.mjs";
import type { Ports, WholeEntry } from "../../../src/ports";

/**
 * Azurite for this test file (free loopback ports, in memory): started before its tests,
 * stopped after; `az` and `admin` (setup calls signed with the account key) once started.
 */
export function useAzurite(): { az: Azurite; admin: AzuriteClient } {
  const ctx = {} as { az: Azurite; admin: AzuriteClient };
  beforeAll(async () => {
    ctx.az = await startAzurite();
    ctx.admin = azuriteClient(ctx.az);
  }, 60_000);
  afterAll(() => ctx.az?.stop());
  return ctx;
}

/**
 * In-memory ports for Node-side transport tests: what was kept in quarantine (once per
 * identity), skipped, recorded as an error, and which deliveries were handled. Objects and
 * cursors and the ingest sink are not used by the Azure transports and throw if touched.
 */
export function fakePorts() {
  const kept = new Map<string, WholeEntry>();
  const errors: string[] = [];
  const skipped = { n: 0 };
  const delivered = new Set<string>();
  const untouched = new Proxy(
    {},
    {
      get: (_, name) => {
        throw new Error(`port method ${String(name)} is not expected here`);
      },
    },
  );
  const ports: Ports = {
    quarantine: {
      keepWhole: async (e) => {
        kept.set(e.identity ?? `${e.stage} ${e.error} ${e.location} ${String(e.raw)}`, e);
      },
    },
    health: {
      recordError: async (_, message) => {
        errors.push(message);
      },
      countSkipped: async (_, n) => {
        skipped.n += n;
      },
    },
    deliveries: {
      seen: async (s, id) => delivered.has(`${s} ${id}`),
      record: async (s, id) => {
        const fresh = !delivered.has(`${s} ${id}`);
        delivered.add(`${s} ${id}`);
        return fresh;
      },
      saveSubscription: async () => {},
    },
    objects: untouched as Ports["objects"],
    cursors: untouched as Ports["cursors"],
    ingest: untouched as Ports["ingest"],
  };
  return { ports, kept, errors, skipped, delivered };
}

/** A queue binding that records what is sent (or fails when `fail` says so). */
export function fakeQueue(fail: (body: unknown) => boolean = () => false) {
  const sent: unknown[] = [];
  return {
    sent,
    binding: {
      sendBatch: async (batch: Iterable<{ body: unknown }>) => {
        for (const m of batch) if (fail(m.body)) throw new Error("queue unavailable");
        for (const m of batch) sent.push(m.body);
      },
    },
  };
}
