import { normalizerFor } from "../index";

/** Only for scripts that import this path (scripts/bench-*.mjs): the vendor is its vendor.yaml. */
export const airkit = normalizerFor("airkit");
