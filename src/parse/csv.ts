import Papa from "papaparse";
import type { ErrorCode } from "../lib/errors";
import { FileFormatError, MAX_RECORD_CHARS, type StreamRecord, TOO_LONG } from "./records";

interface CsvRow {
  line: number;
  fields: string[];
  raw: string;
  error?: string;
}

type Newline = "\n" | "\r\n" | "\r";

/** The file's line break, from its first one outside quotes (undefined: none seen yet). */
function lineBreakOf(text: string): Newline | undefined {
  let inQuotes = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') inQuotes = !inQuotes;
    else if (!inQuotes && ch === "\n") return "\n";
    else if (!inQuotes && ch === "\r") {
      if (i + 1 === text.length) return undefined; // \r or \r\n: the next chunk tells
      return text[i + 1] === "\n" ? "\r\n" : "\r";
    }
  }
  return undefined;
}

/** Line breaks inside a record (a quoted field may hold \n, \r\n or \r). */
function breaksIn(raw: string): number {
  if (raw.indexOf("\n") === -1 && raw.indexOf("\r") === -1) return 0;
  return raw.match(/\r\n?|\n/g)?.length ?? 0;
}

/**
 * papaparse's Parser fed chunk by chunk: each call parses the unfinished tail plus the new text,
 * keeps the rows it finished (with their start line and raw text) and keeps the rest as the tail.
 * A record longer than MAX_RECORD_CHARS is skipped quote-aware to its end, never buffered whole.
 */
class CsvChunks {
  private parser?: Papa.Parser;
  private newline?: Newline;
  private tail = "";
  private cursor = 0;
  private line = 1;
  private rows: CsvRow[] = [];
  /** An oversized record being skipped: its first 1,024 characters, line, quote state. */
  private skipping?: { raw: string; line: number; inQuotes: boolean };

  feed(chunk: string, last: boolean): CsvRow[] {
    this.tail += chunk;
    if (this.skipping) this.skip(last);
    if (!this.parser) {
      this.newline = lineBreakOf(this.tail) ?? (last ? "\n" : undefined);
      if (this.newline)
        this.parser = new Papa.Parser({ delimiter: ",", newline: this.newline, step: this.step });
    }
    const breaks = chunk.indexOf("\n") !== -1 || chunk.indexOf("\r") !== -1;
    if (this.parser && !this.skipping && (last || breaks)) {
      this.cursor = 0;
      const consumed: number = this.parser.parse(this.tail, 0, !last).meta.cursor;
      this.tail = this.tail.slice(consumed);
    }
    if (!last && !this.skipping && this.tail.length > MAX_RECORD_CHARS) {
      this.skipping = { raw: this.tail.slice(0, 1024), line: this.line, inQuotes: false };
      this.skip(last);
    }
    return this.rows.splice(0);
  }

  // papaparse's own Parser hands each step its finished rows (one), not the row itself.
  private readonly step = (result: Papa.ParseResult<string[]>) => {
    const nl = this.newline as Newline;
    const end: number = result.meta.cursor;
    let raw = this.tail.slice(this.cursor, end);
    this.cursor = end;
    if (raw.endsWith(nl)) raw = raw.slice(0, raw.length - nl.length);
    const line = this.line;
    this.line += breaksIn(raw) + 1;
    const fields = result.data[0] as string[];
    if (fields.length === 1 && fields[0] === "") return; // a blank line
    if (raw.length > MAX_RECORD_CHARS) this.tooLong(line, raw);
    else this.rows.push({ line, fields, raw });
  };

  /** Drops the oversized record's text from the tail up to its end (or all of the tail). */
  private skip(last: boolean): void {
    const s = this.skipping as NonNullable<CsvChunks["skipping"]>;
    const nl = this.newline ?? "\n";
    const text = this.tail;
    for (let i = 0; i < text.length; i++) {
      const ch = text[i];
      if (ch === '"') s.inQuotes = !s.inQuotes;
      else if (!s.inQuotes && text.startsWith(nl, i)) {
        this.end(s, text.slice(0, i));
        this.tail = text.slice(i + nl.length);
        return;
      } else if (!last && nl === "\r\n" && ch === "\r" && i === text.length - 1) {
        this.line += breaksIn(text.slice(0, i));
        this.tail = "\r"; // perhaps the first half of the record's line break
        return;
      }
    }
    this.line += breaksIn(text);
    this.tail = "";
    if (last) this.end(s, "");
  }

  private end(s: NonNullable<CsvChunks["skipping"]>, rest: string): void {
    this.line += breaksIn(rest) + 1;
    this.tooLong(s.line, s.raw);
    this.skipping = undefined;
  }

  private tooLong(line: number, raw: string): void {
    this.rows.push({ line, fields: [], raw: raw.slice(0, 1024), error: `CSV record ${TOO_LONG}` });
  }
}

/**
 * RFC 4180 CSV records (quoted fields may hold commas, quotes and line breaks), parsed by
 * papaparse; records end at the file's line break (\n, \r\n or \r, taken from its first one).
 * A record longer than MAX_RECORD_CHARS is reported and skipped.
 */
async function* csvRows(first: string, rest: AsyncGenerator<string>): AsyncGenerator<CsvRow> {
  const csv = new CsvChunks();
  yield* csv.feed(first, false);
  for await (const chunk of rest) yield* csv.feed(chunk, false);
  yield* csv.feed("", true);
}

export async function* csvRecords(
  first: string,
  chunks: AsyncGenerator<string>,
  skip: number,
): AsyncGenerator<StreamRecord> {
  let header: string[] | undefined;
  let ordinal = 0;
  for await (const row of csvRows(first, chunks)) {
    if (!header) {
      header = row.fields.map((h) => h.trim());
      if (row.error || header.length < 2 || header.some((h) => h === "")) {
        throw new FileFormatError(
          "invalid_file",
          "the file is neither JSON, NDJSON nor CSV with a header row",
        );
      }
      continue;
    }
    const location = `line ${row.line}`;
    if (ordinal < skip) {
      ordinal++;
      continue;
    }
    const bad = (code: ErrorCode, error: string): StreamRecord => ({
      ordinal: ordinal++,
      location,
      raw: row.raw,
      ok: false,
      code,
      error,
      json: false,
    });
    if (row.error) {
      yield bad("record_too_large", row.error);
      continue;
    }
    if (row.fields.length !== header.length) {
      yield bad(
        "invalid_csv_row",
        `CSV row has ${row.fields.length} fields; the header has ${header.length}`,
      );
      continue;
    }
    const value: Record<string, string> = {};
    header.forEach((h, i) => {
      value[h] = row.fields[i] as string;
    });
    // A CSV row is kept as the JSON object of its columns: the header travels with the values.
    yield { ordinal: ordinal++, location, raw: JSON.stringify(value), ok: true, value };
  }
}
