import type { Limits } from "../../lib/outbound";
import type { CursorState, Ports } from "../../ports";
import type { PollerSource } from "../../vendors/types";

export type { PollerSource };

export interface PollContext {
  env: Env;
  /** The state ports the entry wiring handed the run (cursors, quarantine, health). */
  ports: Ports;
  source: PollerSource;
  state: CursorState;
  /** The lease owner: state updates only apply while this run holds the lease. */
  owner: string;
  token: string;
  baseUrl: string;
  now: number;
  /** Pages one run may fetch before leaving the rest of the walk to the next run. */
  maxPages: number;
  /** The deadline and byte cap of each vendor request (LIMITS.api). */
  limits: Limits;
}

export interface PollResult {
  requests: number;
  inserted: number;
  duplicates: number;
  quarantined: number;
  /** True when the walk reached stored events (or the end); false when the page budget ran out. */
  complete: boolean;
}
