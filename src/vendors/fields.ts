import { z } from "zod";
import { parseCidr } from "../lib/ip";

/** Config fields shared by vendors' SOURCES entries (DESIGN §6), by transport. */

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be a variable name");
const cidr = z.string().refine((s) => parseCidr(s) !== null, "must be an IP address or CIDR");

export const commonFields = {
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, "must be 1-63 characters of a-z, 0-9, '_' or '-'"),
  /** Days a row is kept; 0 or absent keeps rows forever. */
  ttlDays: z.number().int().nonnegative().optional(),
  workspaceID: z.string().max(200).optional(),
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

export const bucketFields = {
  prefix: z.string().min(1, "must not be empty"),
};

export const pollFields = {
  organization: z.string().min(1),
  tokenEnv: envName,
  baseUrl: z.url().optional(),
  intervalSeconds: z.number().int().min(60).max(86_400).default(60),
};
