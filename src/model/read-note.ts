import type { Endpoint, NormalizedEvent } from "./event";
import type { DerivedMaps } from "./view";

/**
 * What a normalizer found while it read an event, that toRow (src/store/rows.ts) would otherwise
 * find again by reading the record's paths a second time: which vendor fields differ from the
 * record's values at the view's `rawPaths` (src/store/source-fields.ts), and which maps are the
 * view's `derived` construction of the record, every string plain (src/store/derived.ts). The
 * manifest normalizer reads those very paths to build the fields and maps, so it knows this at
 * the cost of a compare. Each claim names the object it is about, and toRow takes it only for
 * that object, the same record and the same view parts: a map replaced since (a pipeline's extra
 * tags) or an event without a note is decided by reading the record, as before. Equal to that
 * decision on every fixture event and its variants (test/store/read-note.unit.test.ts).
 */
export interface ReadNote {
  /** The record the event was read from (toRow's `parsed`). */
  parsed: unknown;
  /** The view parts the claims are about (compared by identity with toRow's view's). */
  rawPaths: Readonly<Record<string, string>> | undefined;
  derived: DerivedMaps | undefined;
  /** The sourceFields object of the claim (null: none), and the fields of it to store (null: none). */
  fields: Record<string, unknown> | null;
  stored: Record<string, unknown> | null;
  /** The actor map that is the construction's (null: no claim), and its marker ('' or '@'). */
  actor: Record<string, string> | null;
  actorMarker: string;
  /** The tags map that is the construction's (null: no claim). */
  tags: Record<string, string> | null;
  /** The resources list that is the construction's (null: no claim). */
  resources: readonly string[] | null;
}

/**
 * A normalized event that carries its note, out of sight: a private field, which no copy, JSON,
 * structuredClone or equality test of the event sees. (A WeakMap from events to notes cost more
 * than the note saves: its entries, one per event, weigh on every young-generation collection;
 * Node, normalize + toRow of 5 of the vendors 10-35% slower than without notes.)
 */
export class NotedEvent implements NormalizedEvent {
  eventID: string;
  eventName: string;
  eventTime: number;
  readOnly: boolean | null;
  serviceName: string;
  src: Endpoint;
  actor: Record<string, string>;
  tags: Record<string, string>;
  resources: string[];
  rawLog: string;
  sourceFields: Record<string, unknown>;
  dst: Endpoint;
  enrichments: unknown[];
  readonly #note: ReadNote;

  /** The fields in the order of a normalizer's event literal (its keys' order, as JSON writes). */
  constructor(event: NormalizedEvent, note: ReadNote) {
    this.eventID = event.eventID;
    this.eventName = event.eventName;
    this.eventTime = event.eventTime;
    this.readOnly = event.readOnly;
    this.serviceName = event.serviceName;
    this.src = event.src;
    this.actor = event.actor;
    this.tags = event.tags;
    this.resources = event.resources;
    this.rawLog = event.rawLog;
    this.sourceFields = event.sourceFields;
    this.dst = event.dst;
    this.enrichments = event.enrichments;
    this.#note = note;
  }

  /** The note of `event` (undefined: none). */
  static noteOf(event: NormalizedEvent): ReadNote | undefined {
    return #note in event ? (event as NotedEvent).#note : undefined;
  }
}

/** The note of `event` (undefined: none). */
export const readNote = (event: NormalizedEvent): ReadNote | undefined => NotedEvent.noteOf(event);
