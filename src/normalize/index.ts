import type { SourceType } from "../config";
import { airkit } from "./airkit";
import { circleci } from "./circleci";
import { turbopuffer } from "./turbopuffer";
import type { Normalizer } from "./types";

/** One line per vendor: adding a vendor touches only its folder and this table. */
const normalizers: Partial<Record<SourceType, Normalizer>> = {
  turbopuffer,
  circleci,
  airkit,
};

export function normalizerFor(type: SourceType): Normalizer {
  const n = normalizers[type];
  if (!n) throw new Error(`no normalizer registered for source type ${type}`);
  return n;
}
