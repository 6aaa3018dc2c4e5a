import { registerDerived } from "./store/derived";
import { presentRow, ruleRowOf } from "./store/present";
import type { LogRow } from "./store/schema";
import { type ViewCatalog, viewCatalog } from "./store/views";
import { findVendor, VENDORS } from "./vendors";

/**
 * The vendor registry handed to the store (which imports no vendor): the views generated from
 * the registry's view specs, and rows presented with their vendor's view. Wiring, like
 * src/index.ts: it may import vendors and store; detect, transports and vendors never import it.
 */

// the filters and facets read the maps a row rebuilds from rawLog by its vendor's view
registerDerived(VENDORS);

let views: ViewCatalog | undefined;
/** The views of every registered vendor (`logs` first), built when first asked for. */
export const catalog = (): ViewCatalog => (views ??= viewCatalog(VENDORS));

/** A vendor's view by its source type (undefined for a type no vendor has). */
export const viewOf = (type: string) => findVendor(type)?.view;

/** A stored row as the API returns it (src/store/present.ts). */
export const present = (row: LogRow) => presentRow(row, viewOf(row.sourceType));

/** A stored row as detection rules read it (src/store/present.ts). */
export const ruleRow = (row: LogRow) => ruleRowOf(row, viewOf(row.sourceType));
