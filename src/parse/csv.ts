import type { ErrorCode } from "../lib/errors";
import { FileFormatError, MAX_RECORD_CHARS, type StreamRecord, TOO_LONG } from "./records";

interface CsvRow {
  line: number;
  fields: string[];
  raw: string;
  error?: string;
}

/** An RFC 4180 scanner fed chunk by chunk; finished records collect in `rows`. */
class CsvScanner {
  rows: CsvRow[] = [];
  private fields: string[] = [];
  private field = "";
  private raw = "";
  private inQuotes = false;
  private quoteSeen = false;
  private afterCR = false;
  private oversized = false;
  private atFieldStart = true;
  private line = 1;
  private recordLine = 1;

  feed(chunk: string): void {
    for (let i = 0; i < chunk.length; i++) {
      const ch = chunk[i] as string;
      const wasCR = this.afterCR;
      this.afterCR = ch === "\r";
      if (ch === "\r" || (ch === "\n" && !wasCR)) this.line++;
      if (ch === "\n" && wasCR && !this.inQuotes) continue; // the \n of a \r\n: record ended
      if (!this.oversized && this.raw.length >= MAX_RECORD_CHARS) {
        // Keep scanning (quotes still matter) without keeping more of it.
        this.oversized = true;
        this.raw = this.raw.slice(0, 1024);
        this.field = "";
        this.fields = [];
      }
      if (this.inQuotes) this.quoted(ch);
      else this.plain(ch);
    }
  }

  /** The last record, if the text did not end with a line break. */
  end(): void {
    if (this.field !== "" || this.fields.length > 0 || this.raw !== "" || this.oversized)
      this.endRecord();
  }

  private keep(text: string, field = text): void {
    if (this.oversized) return;
    this.raw += text;
    this.field += field;
  }

  private quoted(ch: string): void {
    if (ch === '"') {
      this.inQuotes = false;
      this.quoteSeen = true;
      if (!this.oversized) this.raw += ch;
    } else this.keep(ch);
  }

  private plain(ch: string): void {
    if (this.quoteSeen && ch === '"') {
      this.keep(ch); // "" inside a quoted field: one quote
      this.inQuotes = true;
      this.quoteSeen = false;
      return;
    }
    this.quoteSeen = false;
    if (ch === "\n" || ch === "\r") {
      this.endRecord();
      this.recordLine = this.line;
      return;
    }
    const fieldStart = this.atFieldStart;
    this.atFieldStart = ch === ",";
    if (ch === '"' && fieldStart) {
      this.inQuotes = true;
      if (!this.oversized) this.raw += ch;
    } else if (ch === ",") {
      if (!this.oversized) {
        this.raw += ch;
        this.fields.push(this.field);
      }
      this.field = "";
    } else this.keep(ch);
  }

  private endRecord(): void {
    this.fields.push(this.field);
    if (this.oversized)
      this.rows.push({
        line: this.recordLine,
        fields: [],
        raw: this.raw,
        error: `CSV record ${TOO_LONG}`,
      });
    else if (!(this.fields.length === 1 && this.fields[0] === ""))
      this.rows.push({ line: this.recordLine, fields: this.fields, raw: this.raw });
    this.fields = [];
    this.field = "";
    this.raw = "";
    this.oversized = false;
    this.atFieldStart = true;
  }
}

/**
 * RFC 4180 CSV records (quoted fields may hold commas, quotes and line breaks); records end at
 * \n, \r\n or a lone \r. A record longer than MAX_RECORD_CHARS is reported and skipped.
 */
async function* csvRows(first: string, rest: AsyncGenerator<string>): AsyncGenerator<CsvRow> {
  const scanner = new CsvScanner();
  scanner.feed(first);
  yield* scanner.rows.splice(0);
  for await (const chunk of rest) {
    scanner.feed(chunk);
    yield* scanner.rows.splice(0);
  }
  scanner.end();
  yield* scanner.rows.splice(0);
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
