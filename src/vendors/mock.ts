/**
 * A local stand-in for a polled vendor's API (`npm start`, scripts/mock-vendors.mjs): served at
 * `/<vendor>/v1/…` on 127.0.0.1:8788 with real-shaped generated events and the vendor's paging.
 * Not part of the Worker: only the mock server imports these (src/vendors/<vendor>/mock.ts).
 */
export interface VendorMock {
  /** The path prefix it answers, e.g. "/planetscale/v1". */
  prefix: string;
  /** The secret it accepts: what the dev source's token variable holds (.dev.vars.example). */
  token: string;
  /** The dev source's own fields (default: PlanetScale's and Turso's `organization: "acme"`). */
  devFields?: Record<string, string>;
  /** Adds one new event at time `t` (the server adds one every 20 s, and 300 at start). */
  add(t: number): void;
  /** The answer to a request (path without the prefix), or null when the path is not its. */
  handle(
    path: string,
    params: URLSearchParams,
    authorization: string | undefined,
    request?: MockRequest,
  ): MockAnswer | null;
}

/** The rest of a request, for mocks that read more than the query (manifest mocks). */
export interface MockRequest {
  method: string;
  /** The full URL as the client sent it (links are made from it). */
  url: string;
  /** Header names in lowercase. */
  headers: Record<string, string | undefined>;
  /** The parsed JSON body, if any. */
  body: unknown;
}

interface MockAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export const MOCK_IPS = [
  "8.8.8.8",
  "1.1.1.1",
  "192.0.2.140",
  "203.0.113.7",
  "2606:4700:4700::1111",
];
