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

/** Where a bucket source's files are: one of an R2 prefix, an S3 bucket or a GCS bucket. */
export const bucketFields = {
  prefix: z.string().min(1, "must not be empty").optional(),
  s3: s3Config.optional(),
  gcs: gcsConfig.optional(),
};

const bucketsOf = (s: { prefix?: string; s3?: unknown; gcs?: unknown }) =>
  [s.prefix, s.s3, s.gcs].filter((b) => b !== undefined).length;

/** Refinement of a bucket vendor's config: exactly one place (`optional`: or none). */
export const oneBucket = (
  optional: boolean,
): [
  (s: { prefix?: string; s3?: unknown; gcs?: unknown }) => boolean,
  { message: string; path: string[] },
] => [
  (s) => bucketsOf(s) === 1 || (optional && bucketsOf(s) === 0),
  {
    message: `needs ${optional ? "at most" : "exactly"} one of prefix (the R2 landing bucket), s3 or gcs`,
    path: ["prefix"],
  },
];

export const pollFields = {
  organization: z.string().min(1),
  tokenEnv: envName,
  baseUrl: z.url().optional(),
  intervalSeconds: z.number().int().min(60).max(86_400).default(60),
  /**
   * Seconds behind the high-water mark every walk reads again, so events the vendor lists late
   * or dates back are still stored (dedup makes the overlap free): 0 to a day, default 10 min.
   */
  overlapSeconds: z.number().int().min(0).max(86_400).default(600),
};
