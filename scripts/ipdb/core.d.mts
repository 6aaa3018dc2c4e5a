// Types of scripts/ipdb/core.mjs, for the Worker tests that run the same build function.

export const MAGIC: string;
export const FORMAT: number;
export const POINTER_KEY: string;

export interface Range {
  s: bigint;
  e: bigint;
  v: number;
}
export interface Segments {
  starts: bigint[];
  values: number[];
}
export interface SourceInfo {
  name: string;
  version: string;
  license: string;
  attribution: string;
}
export interface CsvPair {
  v4: string;
  v6: string;
}
export interface BuildInput {
  version: string;
  builtAt: string;
  sources?: SourceInfo[];
  asn: CsvPair;
  country: CsvPair;
  city?: CsvPair;
}
export interface BuildHeader {
  format: number;
  version: string;
  builtAt: string;
  sources: SourceInfo[];
  counts: { v4Segments: number; v6Segments: number; asns: number; cities: number };
  sections: Record<string, { offset: number; length: number; type: "u8" | "u16" | "u32" | "f32" }>;
  totalBytes: number;
}

export function csvRows(text: string, what: string): string[][];
export function parseRanges(
  text: string,
  max: bigint,
  value: (fields: string[]) => number,
  what: string,
): Range[];
export function flatten(ranges: Range[], max: bigint): Segments;
export function combine(layers: Segments[]): { starts: bigint[]; values: number[][] };
export function countryCode(s: string | undefined): number;
export function buildIpdb(input: BuildInput): { bytes: Uint8Array; header: BuildHeader };
export function gzip(bytes: Uint8Array): Promise<Uint8Array>;
export function blobKey(version: string): string;
