// Airkit for `npm start`: what Airkit writes to its customer's S3 bucket, as the mock S3 bucket
// of scripts/mock-vendors.mjs receives it. At the start the `airkit-verify-test-<timestamp>`
// object Airkit writes when its bucket is verified (skipped by the ingester), then a file of
// events right away and a new one every five minutes, as Airkit's stream does. The events are
// those of src/vendors/airkit/fixtures/sample.ndjson (the 29 columns of Airkit's schema), each
// file with new EVENT_IDs and times just before it was written.
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { root } from "./import-worker-code.mjs";

/** The dev bucket and its SQS queue (the `airkit-s3` source of .dev.vars.example). */
export const AIRKIT_BUCKET = "acme-airkit-audit";
export const AIRKIT_QUEUE = "airkit-audit-files";
/** Airkit writes a file every five minutes. */
export const AIRKIT_EVERY_MS = 5 * 60_000;

const samples = () =>
  readFileSync(join(root, "src/vendors/airkit/fixtures/sample.ndjson"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));

/** Snowflake TIMESTAMPNTZ, as Airkit's EVENT_TIME: `YYYY-MM-DD HH:MM:SS.fff` (UTC, no zone). */
const ntz = (ms) => new Date(ms).toISOString().replace("T", " ").replace("Z", "");

/** One Airkit file written at `now`: NDJSON, the sample events spread over the last minutes. */
export function airkitFile(now) {
  const events = samples();
  return events
    .map((e, i) => {
      const t = now - (events.length - i) * 60_000;
      const day = new Date(t).toISOString().slice(0, 10);
      return JSON.stringify({
        ...e,
        EVENT_ID: randomUUID(),
        EVENT_YEAR: Number(day.slice(0, 4)),
        EVENT_MONTH: `${day.slice(0, 7)}-01`,
        EVENT_DATE: day,
        EVENT_TIME: ntz(t),
      });
    })
    .join("\n");
}

/** The object key of a file written at `now` (Airkit documents no names: files at the top). */
export const airkitKey = (now) =>
  `airkit-audit-${new Date(now).toISOString().replace(/[:.]/g, "-")}.ndjson`;

/**
 * Starts Airkit's stream into the mock bucket through `putObject` (scripts/lib/mock-s3.mjs):
 * the verification object and a first file now, then a file every `everyMs`.
 */
export function startAirkit(putObject, { now = Date.now(), everyMs = AIRKIT_EVERY_MS } = {}) {
  putObject(AIRKIT_BUCKET, `airkit-verify-test-${Math.floor(now / 1000)}`, Buffer.alloc(0));
  const write = (t) => putObject(AIRKIT_BUCKET, airkitKey(t), Buffer.from(airkitFile(t)));
  write(now);
  return setInterval(() => write(Date.now()), everyMs).unref();
}
