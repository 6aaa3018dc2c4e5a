/**
 * The ports: the small state interfaces the transports and the Sigma engine use, implemented in
 * src/store/ (D1, src/store/ports.ts) and handed to them by the entry wiring (src/index.ts,
 * src/app.ts). Types only: this module imports nothing of the store, so `transports → store`
 * and `detect → store` stay forbidden in lint (.dependency-cruiser.cjs) without exceptions.
 */

/**
 * A statement the store built, to commit in the same D1 batch as an input's rows (a file's
 * progress, a poller's cursor). Only src/store/ builds one; a transport hands it back to ingest.
 */
export type Pending = D1PreparedStatement;

/** A runtime detection rule as stored (table `rules`). */
export interface StoredRule {
  id: string;
  yaml: string;
  title: string;
  level: string;
  updatedAt: number;
  updatedBy: string | null;
}

/** The stored rules, as the Sigma engine (src/detect/) reads them. */
export interface RuleSource {
  /** Changes with every put and delete of a stored rule. */
  version(): Promise<string>;
  list(): Promise<StoredRule[]>;
}
