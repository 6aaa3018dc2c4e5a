import { arrayElements } from "./array";
import { csvRecords } from "./csv";
import { csvHeaderLike, firstLine, firstLineBalanced, LOOKAHEAD_LINES, lineLeads } from "./detect";
import { type GunzipReport, gunzipStream } from "./gzip";
import { framedText, frameJson } from "./json";
import type { ReadPosition, Resume } from "./position";
import { FileFormatError, type Framing, MAX_DOCUMENT_CHARS, type StreamRecord } from "./records";
import { chunksOf, type Line, lineRecord, linesOf } from "./text";

export { ReadPosition, type Resume } from "./position";
export {
  FileFormatError,
  type Framing,
  MAX_DOCUMENT_CHARS,
  MAX_RECORD_CHARS,
  type RecordEnd,
  type StreamRecord,
} from "./records";

/**
 * Streaming framing for bucket files: gunzip when the first bytes are 1f 8b (whatever the key),
 * then one record at a time from a JSON array, NDJSON (a single object is the one-line case),
 * or CSV with a header row. Only one record (plus a chunk) is held in memory, never the file.
 * A record that does not parse is yielded with its error and location; the rest continue.
 */

/** The stream, gunzipped (when it starts with the gzip magic bytes); damage told in `report`. */
async function maybeGunzip(
  stream: ReadableStream<Uint8Array>,
  report: GunzipReport,
  position?: ReadPosition,
): Promise<ReadableStream<Uint8Array>> {
  const reader = stream.getReader();
  const head: Uint8Array[] = [];
  let size = 0;
  let done = false;
  while (size < 2 && !done) {
    const r = await reader.read();
    if (r.done) done = true;
    else {
      head.push(r.value);
      size += r.value.byteLength;
    }
  }
  const first = head[0];
  const second = first && first.byteLength >= 2 ? first[1] : head[1]?.[0];
  const gz = first !== undefined && first[0] === 0x1f && second === 0x8b;
  const replay = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const h of head) controller.enqueue(h);
      if (done) controller.close();
    },
    async pull(controller) {
      const r = await reader.read();
      if (r.done) controller.close();
      else controller.enqueue(r.value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  if (!gz) return replay;
  if (position) position.gzip = true;
  return replay.pipeThrough(gunzipStream(report, { onPoint: (p) => position?.add(p) }));
}

/**
 * Records of a (possibly gzipped) file, in order, each with its ordinal so a consumer can resume
 * after the last committed one. `onFraming` tells which framing was detected. Damaged gzip: every
 * decodable record is yielded (the same ones whatever the chunking), then the damage is thrown.
 */
export async function* readRecords(
  body: ReadableStream<Uint8Array>,
  isEvent: (o: Record<string, unknown>) => boolean,
  onFraming: (f: Framing) => void = () => {},
  /** Records already committed by an earlier invocation: counted, not parsed, not yielded. */
  skip = 0,
  opts: {
    /** `body` starts at this Resume (a Range read), not at byte 0: NDJSON from there on. */
    resume?: Resume | null;
    /** Filled with the restart points passed, for the next Resume. */
    position?: ReadPosition;
  } = {},
): AsyncGenerator<StreamRecord> {
  const report: GunzipReport = { error: null };
  const { resume, position } = opts;
  if (resume) {
    const { point } = resume;
    if (position) position.gzip = point !== null;
    const stream = point
      ? body.pipeThrough(
          gunzipStream(report, {
            from: point,
            discard: resume.offset - point.out,
            onPoint: (p) => position?.add(p),
          }),
        )
      : body;
    onFraming("ndjson");
    const lines = linesOf("", chunksOf(stream), { line: resume.line, bytes: resume.offset });
    yield* ndjsonRecords([], lines, skip, resume.ordinal);
  } else {
    const stream = await maybeGunzip(body, report, position);
    yield* framed(chunksOf(stream), isEvent, onFraming, skip);
  }
  // Every decodable record was read: now say what was wrong with the rest.
  if (report.error) throw new FileFormatError("invalid_gzip", report.error);
}

async function* framed(
  chunks: AsyncGenerator<string>,
  isEvent: (o: Record<string, unknown>) => boolean,
  onFraming: (f: Framing) => void,
  skip: number,
): AsyncGenerator<StreamRecord> {
  // Manual next(): breaking out of a for-await would close the generator.
  let first = "";
  while (first.trim().length === 0) {
    const c = await chunks.next();
    if (c.done) break;
    first += c.value;
  }
  // A byte order mark is not part of the first record (3 bytes, counted in line offsets).
  const bom = first.charCodeAt(0) === 0xfeff ? 3 : 0;
  if (bom) first = first.slice(1);
  const lead = first.trimStart()[0];
  if (lead === undefined) return;

  // A first line that is not JSON, or a whole JSON array alone on its line, may be a bad first
  // record of NDJSON: an object starting the second line tells.
  first = await untilLines(first, chunks);
  const leads = lineLeads(first);
  const line = firstLine(first);
  const ndjson =
    leads.slice(1).includes("{") && (lead === "[" ? firstLineBalanced(line) : !csvHeaderLike(line));
  if (lead === "{" || ndjson) {
    yield* jsonLines(first, chunks, isEvent, onFraming, skip, bom);
    return;
  }
  if (lead === "[") {
    onFraming("array");
    let ordinal = 0;
    for await (const el of arrayElements(first, chunks)) {
      const location = `[${ordinal}]`;
      if (ordinal < skip) {
        ordinal++;
        continue;
      }
      yield el.error
        ? { ordinal: ordinal++, location, raw: el.text, ok: false, error: el.error }
        : { ...framedText(location, el.text), ordinal: ordinal++ };
    }
    return;
  }
  onFraming("csv");
  yield* csvRecords(first, chunks, skip);
}

const LOOKAHEAD_CHARS = 1024 * 1024;

/** `first` extended with further chunks until it holds LOOKAHEAD_LINES lines (or enough text). */
async function untilLines(first: string, chunks: AsyncGenerator<string>): Promise<string> {
  let text = first;
  while (lineLeads(text).length <= LOOKAHEAD_LINES && text.length < LOOKAHEAD_CHARS) {
    const c = await chunks.next();
    if (c.done) break;
    text += c.value;
  }
  return text;
}

/**
 * A file starting with `{`: NDJSON when its first two non-blank lines both start with `{`
 * (whether or not the first is valid), else one JSON document (a single object, an envelope,
 * or a pretty-printed document up to MAX_DOCUMENT_CHARS).
 */
async function* jsonLines(
  first: string,
  chunks: AsyncGenerator<string>,
  isEvent: (o: Record<string, unknown>) => boolean,
  onFraming: (f: Framing) => void,
  skip: number,
  bom: number,
): AsyncGenerator<StreamRecord> {
  const lines = linesOf(first, chunks, { line: 0, bytes: bom });
  const head: Line[] = [];
  const leads: string[] = [];
  for (let next = await lines.next(); !next.done; next = await lines.next()) {
    head.push(next.value);
    const t = next.value.text.trimStart();
    if (t === "") continue;
    leads.push(t[0] as string);
    if (leads.length === 2) break;
  }
  if (leads.length === 2 && leads[1] === "{") {
    onFraming("ndjson");
    yield* ndjsonRecords(head, lines, skip);
    return;
  }
  onFraming("document");
  // One object alone on its line is the one-line NDJSON case: it keeps its line number.
  const only = leads.length === 1 ? head.find((l) => l.text.trim() !== "") : undefined;
  yield* documentRecords(head, lines, only, isEvent, skip);
}

async function* ndjsonRecords(
  head: Line[],
  lines: AsyncGenerator<Line>,
  skip: number,
  /** Records before the first line (a resumed read). */
  first = 0,
): AsyncGenerator<StreamRecord> {
  let ordinal = first;
  const emit = (l: Line): StreamRecord | null => {
    if (l.text.trim() === "") return null;
    if (ordinal < skip) {
      ordinal++;
      return null;
    }
    return lineRecord(l, ordinal++);
  };
  for (const l of head) {
    const r = emit(l);
    if (r) yield r;
  }
  for await (const l of lines) {
    const r = emit(l);
    if (r) yield r;
  }
}

/** One JSON document (up to MAX_DOCUMENT_CHARS) read whole, then split into its records. */
async function* documentRecords(
  head: Line[],
  lines: AsyncGenerator<Line>,
  only: Line | undefined,
  isEvent: (o: Record<string, unknown>) => boolean,
  skip: number,
): AsyncGenerator<StreamRecord> {
  let text = "";
  let size = 0;
  const add = (l: Line) => {
    size += l.text.length + 1;
    if (size > MAX_DOCUMENT_CHARS || l.oversized) {
      throw new FileFormatError(
        "document_too_large",
        `a multi-line JSON document over ${MAX_DOCUMENT_CHARS} characters cannot be streamed; use NDJSON or a JSON array`,
      );
    }
    text += `${l.text}\n`;
  };
  for (const l of head) add(l);
  for await (const l of lines) add(l);
  const framed = frameJson(text, isEvent);
  if (!framed.ok) throw new FileFormatError(framed.code, framed.message);
  let ordinal = 0;
  for (const r of framed.records) {
    const located = only && framed.framing === "object" ? { ...r, location: `line ${only.n}` } : r;
    if (ordinal >= skip) yield { ...located, ordinal };
    ordinal++;
  }
}
