import { describe, expect, it } from "vitest";
import { fetchBounded, fetchStreaming, OutboundError } from "../../src/lib/outbound";

/** A fetcher that never answers until its signal aborts (as a hung vendor does). */
const hanging = (_url: string, init?: RequestInit) =>
  new Promise<Response>((_, reject) => {
    init?.signal?.addEventListener("abort", () => reject(new Error("aborted")));
  });

/** A body of `chunks` chunks of `size` bytes, counting what was pulled. */
function chunked(chunks: number, size: number, pulled = { n: 0 }) {
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(c) {
      if (i++ >= chunks) return c.close();
      pulled.n += size;
      c.enqueue(new Uint8Array(size));
    },
  });
}

const kindOf = async (p: Promise<unknown>) => {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(OutboundError);
  return (err as OutboundError).kind;
};

describe("fetchBounded", () => {
  it("returns the status and body of an answer within its limits", async () => {
    const r = await fetchBounded(
      "https://v.test/a",
      {},
      { timeoutMs: 1000, maxBytes: 10 },
      async () => new Response("hello", { status: 404 }),
    );
    expect([r.status, r.ok, r.text()]).toEqual([404, false, "hello"]);
  });

  it("a party that never answers is a timeout, not a hang", async () => {
    const p = fetchBounded("https://v.test/slow", {}, { timeoutMs: 50, maxBytes: 10 }, hanging);
    expect(await kindOf(p)).toBe("timeout");
    await expect(p).rejects.toThrow(/v\.test\/slow did not answer within 0\.05 s/);
  });

  it("a body that stops in the middle is a timeout too", async () => {
    const fetcher = async (_u: string, init?: RequestInit) => {
      const body = new ReadableStream<Uint8Array>({
        start(c) {
          c.enqueue(new Uint8Array(4));
          init?.signal?.addEventListener("abort", () => c.error(new Error("aborted")));
        },
      });
      return new Response(body);
    };
    expect(
      await kindOf(fetchBounded("https://v.test/", {}, { timeoutMs: 50, maxBytes: 100 }, fetcher)),
    ).toBe("timeout");
  });

  it("a body past the cap is refused while it streams, without reading the rest", async () => {
    const pulled = { n: 0 };
    const p = fetchBounded(
      "https://v.test/big",
      {},
      { timeoutMs: 5000, maxBytes: 1000 },
      async () => new Response(chunked(10_000, 100, pulled)),
    );
    expect(await kindOf(p)).toBe("too_large");
    expect(pulled.n).toBeLessThan(2000);
  });

  it("a declared length past the cap is refused before reading", async () => {
    const res = new Response("x".repeat(20), { headers: { "content-length": "20" } });
    expect(
      await kindOf(
        fetchBounded("https://v.test/", {}, { timeoutMs: 1000, maxBytes: 10 }, async () => res),
      ),
    ).toBe("too_large");
  });

  it("the caller's own signal (its source's deadline) ends the call: a timeout saying so", async () => {
    const caller = new AbortController();
    const p = fetchBounded(
      "https://v.test/slow",
      { signal: caller.signal },
      { timeoutMs: 5000, maxBytes: 10 },
      hanging,
    );
    setTimeout(() => caller.abort(), 20);
    expect(await kindOf(p)).toBe("timeout");
    await expect(p).rejects.toThrow("https://v.test/slow: given up at the caller's deadline");
  });

  it("a connection that fails is a network error naming the host", async () => {
    const p = fetchBounded(
      "https://v.test/x?secret=1",
      {},
      { timeoutMs: 1000, maxBytes: 10 },
      async () => {
        throw new Error("connection refused");
      },
    );
    expect(await kindOf(p)).toBe("network");
    await expect(p).rejects.toThrow("https://v.test/x: connection refused");
  });
});

describe("fetchStreaming", () => {
  it("passes a large body through chunk by chunk", async () => {
    const res = await fetchStreaming(
      "https://b.test/o",
      {},
      { timeoutMs: 1000, idleMs: 1000, totalMs: 5000 },
      async () => new Response(chunked(100, 1000)),
    );
    expect((await res.arrayBuffer()).byteLength).toBe(100_000);
  });

  it("a stream that stalls between chunks errors with a timeout", async () => {
    const fetcher = async () =>
      new Response(
        new ReadableStream<Uint8Array>({
          start(c) {
            c.enqueue(new Uint8Array(8));
          },
        }),
      );
    const res = await fetchStreaming(
      "https://b.test/o",
      {},
      { timeoutMs: 1000, idleMs: 50, totalMs: 5000 },
      fetcher,
    );
    expect(await kindOf(res.arrayBuffer())).toBe("timeout");
  });

  it("a stream that drips each chunk just inside the idle time ends at the read's overall deadline", async () => {
    // One byte every 30 ms, idle limit 50 ms: never idle long enough, so only the deadline ends it.
    let sent = 0;
    const drip = new ReadableStream<Uint8Array>({
      async pull(c) {
        await new Promise((r) => setTimeout(r, 30));
        if (sent++ >= 100) return c.close();
        c.enqueue(new Uint8Array(1));
      },
    });
    const res = await fetchStreaming(
      "https://b.test/drip?sig=1",
      {},
      { timeoutMs: 1000, idleMs: 50, totalMs: 200 },
      async () => new Response(drip),
    );
    const read = res.arrayBuffer();
    expect(await kindOf(read)).toBe("timeout");
    await expect(read).rejects.toThrow(
      "https://b.test/drip took more than 0.2 s in all to send its answer (the deadline of one object read)",
    );
    expect(sent).toBeLessThan(20);
  });

  it("a slow but steady stream earns its time: read to its end past totalMs (minBytesPerSecond)", async () => {
    // 1,000 bytes every 30 ms (33 KB/s) for 20 chunks: 600 ms of waiting against totalMs 100,
    // each 1,000 bytes earning 100 ms at 10,000 B/s
    let sent = 0;
    const steady = () =>
      new ReadableStream<Uint8Array>({
        async pull(c) {
          await new Promise((r) => setTimeout(r, 30));
          if (sent++ >= 20) return c.close();
          c.enqueue(new Uint8Array(1000));
        },
      });
    const limits = { timeoutMs: 1000, idleMs: 1000, totalMs: 100 };
    const res = await fetchStreaming(
      "https://b.test/steady",
      {},
      { ...limits, minBytesPerSecond: 10_000 },
      async () => new Response(steady()),
    );
    expect((await res.arrayBuffer()).byteLength).toBe(20_000);
    // without the allowance, the same stream ends at totalMs
    sent = 0;
    const cut = await fetchStreaming(
      "https://b.test/steady",
      {},
      limits,
      async () => new Response(steady()),
    );
    expect(await kindOf(cut.arrayBuffer())).toBe("timeout");
    // and a drip too slow for the rate still ends: 1 byte every 30 ms earns 0.1 ms each
    let dripped = 0;
    const drip = new ReadableStream<Uint8Array>({
      async pull(c) {
        await new Promise((r) => setTimeout(r, 30));
        if (dripped++ >= 100) return c.close();
        c.enqueue(new Uint8Array(1));
      },
    });
    const slow = await fetchStreaming(
      "https://b.test/drip",
      {},
      { ...limits, minBytesPerSecond: 10_000 },
      async () => new Response(drip),
    );
    await expect(slow.arrayBuffer()).rejects.toThrow(
      /under 9\.765625 KiB\/s after its first 0\.1 s/,
    );
    expect(dripped).toBeLessThan(20);
  });

  it("the reader's own time between chunks does not count toward the deadline", async () => {
    const res = await fetchStreaming(
      "https://b.test/o",
      {},
      { timeoutMs: 1000, idleMs: 1000, totalMs: 100 },
      async () => new Response(chunked(4, 10)),
    );
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let bytes = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
      await new Promise((r) => setTimeout(r, 60)); // committing rows, say: 240 ms in all
    }
    expect(bytes).toBe(40);
  });

  it("headers that never come are a timeout", async () => {
    expect(
      await kindOf(
        fetchStreaming(
          "https://b.test/o",
          {},
          { timeoutMs: 50, idleMs: 50, totalMs: 5000 },
          hanging,
        ),
      ),
    ).toBe("timeout");
  });
});
