import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_RECORD_CHARS } from "../../src/parse/records";
import { readRecords, type StreamRecord } from "../../src/parse/stream";
import { gzip } from "./helpers";

const encoder = new TextEncoder();

/** A stream of `bytes` cut at the given positions (multi-byte characters may be split). */
function chunked(bytes: Uint8Array, cuts: number[]): ReadableStream<Uint8Array> {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const parts: Uint8Array[] = [];
  let prev = 0;
  for (const p of [...points, bytes.length]) {
    if (p > prev) parts.push(bytes.slice(prev, p));
    prev = Math.max(prev, p);
  }
  return new ReadableStream({
    pull(controller) {
      const next = parts.shift();
      if (next) controller.enqueue(next);
      else controller.close();
    },
  });
}

async function collect(stream: ReadableStream<Uint8Array>, skip = 0): Promise<StreamRecord[]> {
  const out: StreamRecord[] = [];
  for await (const r of readRecords(
    stream,
    () => true,
    () => {},
    skip,
  ))
    out.push(r);
  return out;
}

// Strings with the characters that break framers: quotes, commas, backslashes, CR/LF, brackets, non-ASCII.
const tricky = fc.string({
  unit: fc.constantFrom(
    "a",
    "é",
    "€",
    "𝄞",
    '"',
    ",",
    "\\",
    "\n",
    "\r",
    "[",
    "]",
    "{",
    "}",
    " ",
    "x",
  ),
  maxLength: 12,
});
const record = fc.record({
  id: fc.uuid(),
  note: tricky,
  n: fc.integer(),
  flag: fc.boolean(),
  nested: fc.array(tricky, { maxLength: 3 }),
});
const records = fc.array(record, { minLength: 1, maxLength: 30 });
const cuts = fc.array(fc.nat({ max: 5000 }), { maxLength: 40 });

describe("streaming framing (property tests)", () => {
  it("NDJSON: any chunking, gzipped or not, yields every record once, in order", async () => {
    await fc.assert(
      fc.asyncProperty(records, cuts, fc.boolean(), fc.boolean(), async (rs, cs, crlf, gz) => {
        const text = rs.map((r) => JSON.stringify(r)).join(crlf ? "\r\n" : "\n");
        const bytes = gz ? await gzip(text) : encoder.encode(text);
        const out = await collect(chunked(bytes, cs));
        expect(out.map((r) => (r.ok ? r.value : r.error))).toEqual(rs);
        expect(out.map((r) => r.location)).toEqual(rs.map((_, i) => `line ${i + 1}`));
      }),
      { numRuns: 300 },
    );
  });

  it("JSON array: any chunking and whitespace yields every element once, in order", async () => {
    await fc.assert(
      fc.asyncProperty(
        records,
        cuts,
        fc.constantFrom("", " ", "\n  ", "\r\n"),
        async (rs, cs, ws) => {
          const text = `${ws}[${ws}${rs.map((r) => JSON.stringify(r, null, ws ? 2 : 0)).join(`,${ws}`)}${ws}]${ws}`;
          const out = await collect(chunked(encoder.encode(text), cs));
          expect(out.map((r) => (r.ok ? r.value : r.error))).toEqual(rs);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("CSV: quoted fields with commas, quotes and line breaks survive any chunking", async () => {
    const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
    await fc.assert(
      fc.asyncProperty(records, cuts, async (rs, cs) => {
        const rows = rs.map((r) =>
          [r.id, quote(r.note), String(r.n), quote(JSON.stringify(r.nested))].join(","),
        );
        const text = `ID,NOTE,N,NESTED\r\n${rows.join("\r\n")}\r\n`;
        const out = await collect(chunked(encoder.encode(text), cs));
        expect(out.map((r) => (r.ok ? r.value : r.error))).toEqual(
          rs.map((r) => ({
            ID: r.id,
            NOTE: r.note,
            N: String(r.n),
            NESTED: JSON.stringify(r.nested),
          })),
        );
      }),
      { numRuns: 300 },
    );
  });

  it("CSV: every record's location is the line it starts on, for \\n, \\r\\n and \\r files", async () => {
    const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
    const breaks = (s: string) => s.match(/\r\n?|\n/g)?.length ?? 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(tricky, { minLength: 1, maxLength: 15 }),
        fc.constantFrom("\n", "\r\n", "\r"),
        cuts,
        async (notes, eol, cs) => {
          const text = `ID,NOTE${eol}${notes.map((n, i) => `${i},${quote(n)}`).join(eol)}${eol}`;
          const out = await collect(chunked(encoder.encode(text), cs));
          let line = 2;
          const expected = notes.map((n) => {
            const at = line;
            line += breaks(n) + 1;
            return `line ${at}`;
          });
          expect(out.map((r) => r.location)).toEqual(expected);
          expect(out.map((r) => (r.ok ? r.value : r.error))).toEqual(
            notes.map((n, i) => ({ ID: String(i), NOTE: n })),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it("CSV: an oversized quoted record arriving in small chunks is skipped to its end, never buffered", async () => {
    const bigLines = Math.floor(MAX_RECORD_CHARS / 3) + 10;
    const big = `"${"x\r\n".repeat(bigLines)}",1`;
    const text = `A,B\r\n1,2\r\n${big}\r\n3,4\r\n`;
    const bytes = encoder.encode(text);
    const cs = Array.from({ length: Math.ceil(bytes.length / 65_536) }, (_, i) => i * 65_536 + 7);
    const out = await collect(chunked(bytes, cs));
    expect(out.map((r) => [r.location, r.ok])).toEqual([
      ["line 2", true],
      ["line 3", false],
      [`line ${4 + bigLines}`, true],
    ]);
    expect(out[1]?.raw.length).toBeLessThanOrEqual(1024);
    expect(out[2]?.ok && out[2].value).toEqual({ A: "3", B: "4" });
  });

  it("resuming after k committed records yields exactly the records after them", async () => {
    await fc.assert(
      fc.asyncProperty(records, cuts, fc.nat({ max: 40 }), async (rs, cs, k) => {
        const text = rs.map((r) => JSON.stringify(r)).join("\n");
        const out = await collect(chunked(encoder.encode(text), cs), k);
        expect(out.map((r) => (r.ok ? r.value : null))).toEqual(rs.slice(k));
        expect(out.map((r) => r.ordinal)).toEqual(rs.slice(k).map((_, i) => k + i));
      }),
      { numRuns: 200 },
    );
  });
});
