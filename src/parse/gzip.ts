import { Gunzip } from "fflate";

/**
 * Streaming gunzip for bucket files that is deterministic on damaged input: every byte that
 * decodes is passed on, whatever the chunking, and then the damage is reported (not thrown
 * into the stream, which would discard decoded data still queued). DecompressionStream cannot
 * promise that: on trailing garbage or a missing trailer it errors after a chunk-size-dependent
 * part of the output. fflate (a maintained pure-JS inflater) hands out all it decoded first.
 */
export interface GunzipReport {
  /** Why the gzip data is damaged, once the stream has ended; null when it is whole. */
  error: string | null;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (as in gzip) of `data`, continuing from `crc` (start with 0). */
function crc32(crc: number, data: Uint8Array): number {
  let c = ~crc >>> 0;
  for (let i = 0; i < data.length; i++)
    c = (CRC_TABLE[(c ^ (data[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return ~c >>> 0;
}

export function gunzipStream(report: GunzipReport): TransformStream<Uint8Array, Uint8Array> {
  let controller: TransformStreamDefaultController<Uint8Array> | undefined;
  let crc = 0;
  let size = 0;
  const tail = new Uint8Array(8); // the last 8 input bytes: the last member's CRC-32 and size
  let tailLength = 0;
  const g = new Gunzip((data) => {
    controller?.enqueue(data);
    crc = crc32(crc, data);
    size = (size + data.length) >>> 0;
  });
  // Each new member restarts the check; the last member's trailer ends the file.
  g.onmember = () => {
    crc = 0;
    size = 0;
  };
  const fail = (err: unknown) => {
    report.error ??= `the gzip data is damaged: ${(err as Error).message}`;
  };
  const keepTail = (chunk: Uint8Array) => {
    if (chunk.length >= 8) {
      tail.set(chunk.subarray(chunk.length - 8));
      tailLength = 8;
      return;
    }
    const keep = Math.min(tailLength, 8 - chunk.length);
    tail.copyWithin(0, tailLength - keep, tailLength);
    tail.set(chunk, keep);
    tailLength = keep + chunk.length;
  };
  return new TransformStream({
    start(c) {
      controller = c;
    },
    transform(chunk) {
      if (report.error) return;
      keepTail(chunk);
      try {
        g.push(chunk, false);
      } catch (err) {
        fail(err);
      }
    },
    flush() {
      if (report.error) return;
      try {
        g.push(new Uint8Array(0), true);
      } catch (err) {
        fail(err);
        return;
      }
      const view = new DataView(tail.buffer);
      if (tailLength < 8 || view.getUint32(0, true) !== crc || view.getUint32(4, true) !== size) {
        report.error =
          "the gzip trailer is missing or does not match the data (the file is truncated or damaged)";
      }
    },
  });
}
