import type { ErrorCode } from "../lib/errors";
import { FileFormatError, MAX_RECORD_CHARS, type StreamRecord, TOO_LONG } from "./records";

interface CsvRow {
  line: number;
  fields: string[];
  raw: string;
  error?: string;
}

/**
 * RFC 4180 CSV records (quoted fields may hold commas, quotes and line breaks); records end at
 * \n, \r\n or a lone \r. A record longer than MAX_RECORD_CHARS is reported and skipped.
 */
async function* csvRows(first: string, rest: AsyncGenerator<string>): AsyncGenerator<CsvRow> {
  let fields: string[] = [];
  let field = "";
  let raw = "";
  let inQuotes = false;
  let quoteSeen = false;
  let afterCR = false;
  let oversized = false;
  let atFieldStart = true;
  let line = 1;
  let recordLine = 1;
  const rows: CsvRow[] = [];
  const endRecord = () => {
    fields.push(field);
    if (oversized)
      rows.push({ line: recordLine, fields: [], raw, error: `CSV record ${TOO_LONG}` });
    else if (!(fields.length === 1 && fields[0] === ""))
      rows.push({ line: recordLine, fields, raw });
    fields = [];
    field = "";
    raw = "";
    oversized = false;
    atFieldStart = true;
  };
  const feed = (chunk: string) => {
    for (let i = 0; i < chunk.length; i++) {
      const ch = chunk[i] as string;
      const wasCR = afterCR;
      afterCR = ch === "\r";
      if (ch === "\r" || (ch === "\n" && !wasCR)) line++;
      if (ch === "\n" && wasCR && !inQuotes) continue; // the \n of a \r\n, record already ended
      if (!oversized && raw.length >= MAX_RECORD_CHARS) {
        // Keep scanning (quotes still matter) without keeping more of it.
        oversized = true;
        raw = raw.slice(0, 1024);
        field = "";
        fields = [];
      }
      if (inQuotes) {
        if (ch === '"') {
          inQuotes = false;
          quoteSeen = true;
        } else if (!oversized) field += ch;
        if (!oversized) raw += ch;
        continue;
      }
      if (quoteSeen && ch === '"') {
        if (!oversized) {
          field += '"';
          raw += ch;
        }
        inQuotes = true;
        quoteSeen = false;
        continue;
      }
      quoteSeen = false;
      if (ch === "\n" || ch === "\r") {
        endRecord();
        recordLine = line;
        continue;
      }
      if (!oversized) raw += ch;
      const fieldStart = atFieldStart;
      atFieldStart = ch === ",";
      if (ch === '"' && fieldStart) inQuotes = true;
      else if (ch === ",") {
        if (!oversized) fields.push(field);
        field = "";
      } else if (!oversized) field += ch;
    }
  };
  feed(first);
  yield* rows.splice(0);
  for await (const chunk of rest) {
    feed(chunk);
    yield* rows.splice(0);
  }
  if (field !== "" || fields.length > 0 || raw !== "" || oversized) endRecord();
  yield* rows.splice(0);
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
