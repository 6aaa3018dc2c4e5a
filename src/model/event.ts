/**
 * src/model/: the pure shapes every layer shares (an event, a vendor view, the common columns, a
 * detection match). May import src/lib/ only; vendors, store, detect and pipeline import it.
 */
/** Where an endpoint of an event (source or destination) is, as far as the vendor says. */
export interface Endpoint {
  ip: string | null;
  asOrganization?: string | null;
  asNumber?: number | null;
  asCountryCode?: string | null;
  city?: string | null;
  connectionType?: string | null;
  isp?: string | null;
  latitude?: number | null;
  longitude?: number | null;
  userType?: string | null;
}

/**
 * A vendor event in the common shape (RunReveal-style columns), before it gets its row id and
 * per-source columns. Normalizers are pure: same input, same output, no clock, no I/O.
 */
export interface NormalizedEvent {
  eventID: string;
  eventName: string;
  /** Epoch milliseconds, UTC. */
  eventTime: number;
  readOnly: boolean | null;
  serviceName: string;
  src: Endpoint;
  dst: Endpoint;
  actor: Record<string, string>;
  tags: Record<string, string>;
  resources: string[];
  enrichments: unknown[];
  /** The event as the vendor sent it (the original text where the framing allows). */
  rawLog: string;
  /** The vendor columns of this source type's view, under their seed names. */
  sourceFields: Record<string, unknown>;
}
