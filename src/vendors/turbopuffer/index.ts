import { vendorOf } from "../index";

/** Only for scripts that import this path (scripts/bench-sqlite.mjs): the vendor is its vendor.yaml. */
export const turbopuffer = vendorOf("turbopuffer");
