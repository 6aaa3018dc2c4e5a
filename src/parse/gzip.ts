import {
  Z_BLOCK,
  Z_BUF_ERROR,
  Z_NO_FLUSH,
  Z_OK,
  Z_STREAM_END,
  ZStream,
  zlibInflate,
  zlibInflateInit2,
  zlibInflateSetDictionary,
} from "pako";
import { crc32, headerLength } from "./gzip-member";

/**
 * Streaming gunzip for bucket files that can stop and restart anywhere without reading the file
 * again from its start, and that is deterministic on damaged input.
 *
 * - Restart points (as in zlib's examples/zran.c): at a deflate block boundary, the compressed
 *   offset, the bits of the last byte not yet used, and the last 32 KiB of output are all the
 *   inflater needs. One is taken every POINT_SPAN bytes of output; a continuation resumes from
 *   the last one before its first record with a Range read, so a big file is inflated once in
 *   total instead of once per invocation from byte 0.
 * - Damage: every byte that decodes is passed on, whatever the chunking, and then the damage is
 *   reported (not thrown into the stream, which would discard decoded data still queued).
 *
 * pako (a maintained port of zlib) inflates raw deflate; the gzip container (RFC 1952: header,
 * CRC-32 and length trailer, further members) is read here, so the CRC can continue across a
 * restart. The one thing pako has no call for is zlib's `inflatePrime` (the restart's leftover
 * bits); it sets the two fields that `inflatePrime` sets.
 */
export interface GunzipReport {
  /** Why the gzip data is damaged, once the stream has ended; null when it is whole. */
  error: string | null;
}

/** Where inflating can restart (see above). Offsets count from the start of the file. */
export interface InflatePoint {
  /** Compressed bytes before the point (when `bits` > 0, byte `in − 1` is partly used). */
  in: number;
  /** Bits of byte `in − 1` the point still needs (0–7). */
  bits: number;
  /** Decompressed bytes before the point. */
  out: number;
  /** The member's last ≤ 32 KiB of output before the point. */
  window: Uint8Array;
  /** The member's CRC-32 and length (mod 2^32) so far, for its trailer check. */
  crc: number;
  size: number;
}

/** Output between restart points: at most this much is inflated again by a continuation. */
export const POINT_SPAN = 1 << 20;
const WINDOW = 32 * 1024;
const OUT_CHUNK = 64 * 1024;

/** Bytes inflated by every gunzip since the isolate started (the benchmark reads it). */
export const inflated = { bytes: 0 };

const concat = (a: Uint8Array, b: Uint8Array) => {
  const c = new Uint8Array(a.length + b.length);
  c.set(a);
  c.set(b, a.length);
  return c;
};

type Stage = "header" | "deflate" | "trailer";

export interface GunzipOptions {
  /** Restart here; the input then starts at byte `from.in − (from.bits ? 1 : 0)` of the file. */
  from?: InflatePoint;
  /** Output bytes to drop at the start (from the restart point to where reading resumes). */
  discard?: number;
  /** Called with each restart point, every POINT_SPAN bytes of output. */
  onPoint?: (p: InflatePoint) => void;
}

/** Push-style gunzip: `push` chunks, then `end`; output goes to `emit`, in order. */
export class Gunzip {
  private stage: Stage = "header";
  private pending: Uint8Array = new Uint8Array(0); // header or trailer bytes so far
  private strm = new ZStream();
  private at = 0; // compressed offset of the next input byte
  private out = 0; // decompressed bytes so far
  private crc = 0;
  private size = 0; // this member's length, mod 2^32
  private recent: Uint8Array[] = []; // this member's last output chunks, ≥ WINDOW bytes if it has them
  private lastPoint = 0;
  private discard: number;
  private prime = 0; // bits of the first input byte still to use, on a restart
  private members = 0;
  error: string | null = null;

  constructor(
    private readonly emit: (b: Uint8Array) => void,
    private readonly opts: GunzipOptions = {},
  ) {
    this.discard = opts.discard ?? 0;
    const from = opts.from;
    if (!from) return;
    this.stage = "deflate";
    this.members = 1;
    this.startDeflate(from.window);
    this.at = from.in - (from.bits ? 1 : 0);
    this.prime = from.bits;
    this.out = from.out;
    this.lastPoint = from.out;
    this.crc = from.crc;
    this.size = from.size;
    this.recent = [from.window];
  }

  private startDeflate(dictionary?: Uint8Array): void {
    this.strm = new ZStream();
    zlibInflateInit2(this.strm, -15);
    if (dictionary && dictionary.length > 0) zlibInflateSetDictionary(this.strm, dictionary);
  }

  push(chunk: Uint8Array): void {
    if (this.error) return;
    try {
      let i = 0;
      if (this.prime > 0 && chunk.length > 0) {
        // zlib's inflatePrime: the restart byte's unused high bits go first.
        const state = this.strm.state as { hold: number; bits: number };
        state.hold = (chunk[0] as number) >> (8 - this.prime);
        state.bits = this.prime;
        this.prime = 0;
        this.at++;
        i = 1;
      }
      while (i < chunk.length && !this.error) i = this.step(chunk, i);
    } catch (err) {
      this.error = (err as Error).message;
    }
  }

  /** Consumes input from `i` in the current stage; returns where the rest of `chunk` starts. */
  private step(chunk: Uint8Array, i: number): number {
    if (this.stage === "deflate") return this.inflate(chunk, i);
    if (this.stage === "trailer") {
      const take = Math.min(8 - this.pending.length, chunk.length - i);
      this.pending = concat(this.pending, chunk.subarray(i, i + take));
      this.at += take;
      if (this.pending.length === 8) this.checkTrailer();
      return i + take;
    }
    // A member header: its length is known once all of it is here.
    const have = this.pending.length;
    const all = concat(this.pending, chunk.subarray(i));
    const length = headerLength(all);
    if (length < 0) {
      this.pending = all;
      this.at += all.length - have;
      return chunk.length;
    }
    this.pending = new Uint8Array(0);
    this.at += length - have;
    this.stage = "deflate";
    this.members++;
    this.crc = 0;
    this.size = 0;
    this.recent = [];
    this.startDeflate();
    return i + length - have;
  }

  private checkTrailer(): void {
    const v = new DataView(this.pending.buffer, this.pending.byteOffset, 8);
    if (v.getUint32(0, true) !== this.crc || v.getUint32(4, true) !== this.size)
      throw new Error("the gzip trailer does not match the data (the file is damaged)");
    this.pending = new Uint8Array(0);
    this.stage = "header";
  }

  private inflate(chunk: Uint8Array, i: number): number {
    const s = this.strm;
    s.input = chunk;
    s.next_in = i;
    s.avail_in = chunk.length - i;
    for (;;) {
      const wantPoint = !!this.opts.onPoint && this.out - this.lastPoint >= POINT_SPAN;
      s.output = new Uint8Array(OUT_CHUNK);
      s.next_out = 0;
      s.avail_out = OUT_CHUNK;
      const before = s.next_in;
      const ret = zlibInflate(s, wantPoint ? Z_BLOCK : Z_NO_FLUSH);
      this.at += s.next_in - before;
      if (s.next_out > 0) this.output(s.output.subarray(0, s.next_out));
      if (ret === Z_STREAM_END) {
        this.stage = "trailer";
        return s.next_in;
      }
      if (ret !== Z_OK && ret !== Z_BUF_ERROR) throw new Error(s.msg || `inflate error ${ret}`);
      if (ret === Z_BUF_ERROR && s.avail_in > 0 && s.avail_out > 0)
        throw new Error("inflate made no progress");
      // At a block boundary that is not the last block's end: a restart point.
      if (wantPoint && s.data_type & 128 && !(s.data_type & 64)) this.point(s.data_type & 7);
      if (s.avail_in === 0 && s.avail_out > 0) return chunk.length;
    }
  }

  private output(b: Uint8Array): void {
    inflated.bytes += b.length;
    this.out += b.length;
    this.crc = crc32(this.crc, b);
    this.size = (this.size + b.length) >>> 0;
    this.recent.push(b);
    let kept = this.recent.reduce((n, r) => n + r.length, 0);
    while (this.recent.length > 1 && kept - (this.recent[0] as Uint8Array).length >= WINDOW)
      kept -= (this.recent.shift() as Uint8Array).length;
    if (this.discard >= b.length) {
      this.discard -= b.length;
      return;
    }
    this.emit(this.discard > 0 ? b.subarray(this.discard) : b);
    this.discard = 0;
  }

  private point(bits: number): void {
    const all =
      this.recent.length === 1
        ? (this.recent[0] as Uint8Array)
        : this.recent.reduce(concat, new Uint8Array(0));
    const window = all.slice(Math.max(0, all.length - WINDOW));
    this.lastPoint = this.out;
    this.opts.onPoint?.({
      in: this.at,
      bits,
      out: this.out,
      window,
      crc: this.crc,
      size: this.size,
    });
  }

  /** The input has ended: whatever is unfinished is damage. */
  end(): void {
    if (this.error) return;
    if (
      this.stage === "deflate" ||
      this.stage === "trailer" ||
      this.pending.length > 0 ||
      this.members === 0
    )
      this.error = "the gzip data ends early (the file is truncated)";
  }
}

/** gunzip as a stream; damage is told in `report` once every decodable byte has gone out. */
export function gunzipStream(
  report: GunzipReport,
  opts: GunzipOptions = {},
): TransformStream<Uint8Array, Uint8Array> {
  let controller: TransformStreamDefaultController<Uint8Array> | undefined;
  const g = new Gunzip((b) => controller?.enqueue(b), opts);
  const fail = () => {
    report.error ??= `the gzip data is damaged: ${g.error}`;
  };
  return new TransformStream({
    start(c) {
      controller = c;
    },
    transform(chunk) {
      g.push(chunk);
      if (g.error) fail();
    },
    flush() {
      g.end();
      if (g.error) fail();
    },
  });
}
