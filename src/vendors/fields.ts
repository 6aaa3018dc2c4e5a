import { z } from "zod";
import { parseCidr } from "../lib/ip";

/** Config fields shared by vendors' SOURCES entries (DESIGN §6), by transport. */

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be a variable name");
const cidr = z.string().refine((s) => parseCidr(s) !== null, "must be an IP address or CIDR");

export const commonFields = {
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, "must be 1-63 characters of a-z, 0-9, '_' or '-'"),
  /**
   * Days an event is kept at all (default 400): D1 rows and archive objects older than this are
   * deleted by the hourly cron; 0 keeps them forever.
   */
  ttlDays: z.number().int().nonnegative().optional(),
  /** Days rows stay in D1 (the hot tier; default 30): older rows are deleted once archived. */
  hotDays: z.number().int().positive().optional(),
  workspaceID: z.string().max(200).optional(),
  /** Minutes without a received event after which GET /v1/sources says the source is silent. */
  maxSilenceMinutes: z.number().int().positive().optional(),
};

export const pushFields = {
  ingestTokenEnv: envName.optional(),
  allowedIPs: z.array(cidr).optional(),
  /** Largest accepted request body, compressed or not. */
  maxBodyBytes: z
    .number()
    .int()
    .min(1024)
    .max(32 * 1024 * 1024)
    .optional(),
};

/** The vendor's own Amazon S3 (or S3-compatible) bucket, announced by SNS push or SQS pull. */
export const s3Config = z
  .object({
    bucket: z.string().min(3).max(63),
    region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "must be an AWS region like us-east-1"),
    prefix: z.string().default(""),
    accessKeyIdEnv: envName,
    secretAccessKeyEnv: envName,
    /** Any S3-compatible URL (path-style requests); default the region's AWS endpoint. */
    endpoint: z.url({ protocol: /^https?$/ }).optional(),
    /** SNS topics allowed to post to /v1/sns/:sourceId. */
    topicArns: z
      .array(
        z
          .string()
          .regex(
            /^arn:aws(-cn|-us-gov)?:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}$/,
            "must be an SNS topic ARN",
          ),
      )
      .default([]),
    sqsQueueUrl: z.url({ protocol: /^https?$/ }).optional(),
    snsMaxAgeSeconds: z.number().positive().default(3600),
  })
  .strict();
export type S3Config = z.infer<typeof s3Config>;

/** The vendor's own Google Cloud Storage bucket, announced by Pub/Sub push. */
export const gcsConfig = z
  .object({
    bucket: z.string().min(3).max(222),
    prefix: z.string().default(""),
    serviceAccountJsonEnv: envName,
    /** The audience the push subscription puts in its token (usually this endpoint's URL). */
    pushAudience: z.string().min(1),
    /** The service account the push subscription signs its tokens as. */
    pushServiceAccount: z.email(),
    endpoint: z.url({ protocol: /^https?$/ }).optional(),
  })
  .strict();
export type GcsConfig = z.infer<typeof gcsConfig>;

const azureName = (what: string) =>
  z
    .string()
    .regex(
      /^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/,
      `must be ${what}: 3-63 lowercase letters, digits and single hyphens`,
    );

/** A path-style endpoint (Azurite's `http://127.0.0.1:10000/devstoreaccount1`): a path after the host. */
export const isPathStyle = (endpoint: URL) => endpoint.pathname.replace(/\/+$/, "") !== "";

/** Whether the queue endpoint follows from the blob endpoint (path-style, or a `.blob.` host). */
function queueFollows(endpoint: string): boolean {
  try {
    const u = new URL(endpoint);
    return isPathStyle(u) || u.hostname.includes(".blob.");
  } catch {
    return true; // the url check reports it
  }
}

/**
 * The vendor's own Azure Storage container (an account of kind StorageV2 or BlockBlobStorage),
 * announced by an Event Grid webhook (`eventGridSecretEnv`) or a Storage Queue (`queueName`).
 * Exactly one credential: the account key (Shared Key), a SAS token, or an Entra app.
 */
export const azureConfig = z
  .object({
    account: z
      .string()
      .regex(
        /^[a-z0-9]{3,24}$/,
        "must be a storage account name: 3-24 lowercase letters and digits",
      ),
    container: z.union([z.literal("$root"), azureName("a container name")]),
    prefix: z.string().default(""),
    /** The blob endpoint: default https://<account>.blob.core.windows.net; may be path-style. */
    endpoint: z.url({ protocol: /^https?$/ }).optional(),
    accountKeyEnv: envName.optional(),
    sasTokenEnv: envName.optional(),
    entra: z
      .object({
        tenantId: z
          .string()
          .regex(/^[A-Za-z0-9][A-Za-z0-9.-]{0,99}$/, "must be a tenant id (GUID) or domain"),
        clientId: z.string().regex(/^[A-Za-z0-9-]{1,100}$/, "must be an application (client) id"),
        clientSecretEnv: envName,
        /** Default https://login.microsoftonline.com (national clouds have their own). */
        authorityHost: z.url({ protocol: /^https?$/ }).optional(),
      })
      .strict()
      .optional(),
    /** The secret Event Grid sends as `Authorization: Bearer <secret>` (a delivery property). */
    eventGridSecretEnv: envName.optional(),
    /** A Storage Queue in the same account that Event Grid writes the events to (pulled each minute). */
    queueName: azureName("a queue name").optional(),
  })
  .strict()
  .refine(
    (c) => [c.accountKeyEnv, c.sasTokenEnv, c.entra].filter((x) => x !== undefined).length === 1,
    {
      message: "needs exactly one credential: accountKeyEnv, sasTokenEnv or entra",
      path: ["accountKeyEnv"],
    },
  )
  .refine((c) => !c.queueName || !c.endpoint || queueFollows(c.endpoint), {
    message:
      "with queueName, must be path-style (http://host:port/<account>, the queue on the next port) or a host with .blob. (its .queue. twin is the queue endpoint)",
    path: ["endpoint"],
  });
export type AzureConfig = z.infer<typeof azureConfig>;

/** Where a bucket source's files are: an R2 prefix, or an S3, GCS or Azure bucket. */
export const bucketFields = {
  prefix: z.string().min(1, "must not be empty").optional(),
  s3: s3Config.optional(),
  gcs: gcsConfig.optional(),
  azure: azureConfig.optional(),
};

type Buckets = { prefix?: string; s3?: unknown; gcs?: unknown; azure?: unknown };

const bucketsOf = (s: Buckets) =>
  [s.prefix, s.s3, s.gcs, s.azure].filter((b) => b !== undefined).length;

/** Refinement of a bucket vendor's config: exactly one place (`optional`: or none). */
export const oneBucket = (
  optional: boolean,
): [(s: Buckets) => boolean, { message: string; path: string[] }] => [
  (s) => bucketsOf(s) === 1 || (optional && bucketsOf(s) === 0),
  {
    message: `needs ${optional ? "at most" : "exactly"} one of prefix (the R2 landing bucket), s3, gcs or azure`,
    path: ["prefix"],
  },
];

export const pollFields = {
  tokenEnv: envName,
  baseUrl: z.url().optional(),
  intervalSeconds: z.number().int().min(60).max(86_400).default(60),
  /**
   * Seconds behind the high-water mark every walk reads again, so events the vendor lists late
   * or dates back are still stored (dedup makes the overlap free): 0 to a day, default 10 min.
   */
  overlapSeconds: z.number().int().min(0).max(86_400).default(600),
};
