import type { InflatePoint } from "./gzip";
import type { RecordEnd } from "./records";

/** Where a continuation starts reading: right after a committed NDJSON line. */
export interface Resume {
  /** Decompressed byte offset after that line, the line's number, and records before it. */
  offset: number;
  line: number;
  ordinal: number;
  /** gzip: the restart point at or before `offset`; null for an uncompressed file. */
  point: InflatePoint | null;
}

/** Restart points a read passes, for the caller to pick a Resume from. */
export class ReadPosition {
  gzip = false;
  private points: InflatePoint[] = [];

  add(p: InflatePoint): void {
    this.points.push(p);
  }

  /**
   * Where to resume after the record that ends at `at` (`ordinal` records before the next one);
   * null when none is known (the next read starts at byte 0 and skips by ordinal). Forgets the
   * points before the one it picks: reads only go forward.
   */
  after(at: RecordEnd, ordinal: number): Resume | null {
    if (!this.gzip) return { offset: at.end, line: at.line, ordinal, point: null };
    let i = this.points.length - 1;
    while (i >= 0 && (this.points[i] as InflatePoint).out > at.end) i--;
    if (i < 0) return null;
    this.points.splice(0, i);
    return { offset: at.end, line: at.line, ordinal, point: this.points[0] as InflatePoint };
  }
}
