import type { SourceType } from "../config";
import { airkit } from "./airkit";
import { circleci } from "./circleci";
import { planetscale } from "./planetscale";
import { turbopuffer } from "./turbopuffer";
import { turso } from "./turso";
import type { Normalizer } from "./types";

/** One line per vendor: adding a vendor touches only its folder and this table. */
const normalizers: Record<SourceType, Normalizer> = {
  turbopuffer,
  circleci,
  airkit,
  planetscale,
  turso,
};

export function normalizerFor(type: SourceType): Normalizer {
  return normalizers[type];
}
