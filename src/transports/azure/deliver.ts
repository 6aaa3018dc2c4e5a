import type { Ports } from "../../ports";
import type { AzureConfig } from "../../vendors/fields";
import type { BucketSource } from "../bucket/kept";
import type { ExternalObject } from "../bucket/messages";
import { enqueueObjects } from "../bucket/s3-events";
import { objectOf, readEvent } from "./events";

/**
 * Acting on Azure events, from the webhook or a Storage Queue alike: each blob a BlobCreated
 * announces is queued for the bucket consumer (one `auditflare.object` message, as S3 and GCS
 * objects are), anything else is counted as skipped, a malformed event is kept in quarantine.
 * An event id already handled does nothing (Event Grid delivers at least once); and should one
 * be queued twice, the consumer's per-version progress stores its blob's records once.
 */

export type AzureSource = BucketSource & { azure: AzureConfig };

export interface Delivered {
  queued: number;
  skipped: number;
  duplicates: number;
  quarantined: number;
}

/** The deliveries key of an event (ports.deliveries), shared by the webhook and the queue. */
const deliveryId = (id: string) => `azure-event ${id}`;

/** Handles `values` (events as delivered); resolves only once their objects are queued. */
export async function deliverEvents(
  env: Env,
  ports: Ports,
  source: AzureSource,
  values: unknown[],
  where: string,
  now: number,
): Promise<Delivered> {
  const done: Delivered = { queued: 0, skipped: 0, duplicates: 0, quarantined: 0 };
  const objects: ExternalObject[] = [];
  const handled = new Set<string>();
  const keep = (error: string, location: string, raw: unknown) => {
    done.quarantined++;
    return ports.quarantine.keepWhole(
      {
        sourceID: source.id,
        sourceType: source.type,
        stage: "route",
        errorCode: "invalid_notification",
        error,
        location,
        raw: JSON.stringify(raw) ?? String(raw),
      },
      now,
    );
  };
  for (const [i, value] of values.entries()) {
    const location = values.length > 1 ? `${where} [${i}]` : where;
    const e = readEvent(value);
    if ("error" in e) {
      await keep(e.error, location, value);
      continue;
    }
    const id = deliveryId(e.id);
    if (handled.has(id) || (await ports.deliveries.seen(source.id, id))) {
      done.duplicates++;
      continue;
    }
    handled.add(id);
    const o = objectOf(source.id, source.azure, e);
    if (o === "skip") done.skipped++;
    else if ("error" in o) await keep(o.error, `${location} event ${e.id}`, value);
    else objects.push(o);
  }
  await enqueueObjects(env, objects);
  done.queued = objects.length;
  if (done.skipped > 0) await ports.health.countSkipped(source.id, done.skipped);
  for (const id of handled) await ports.deliveries.record(source.id, id, now);
  return done;
}
