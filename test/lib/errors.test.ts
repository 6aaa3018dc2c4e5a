import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config";
import { IpdbFormatError } from "../../src/enrich/ipdb";
import { AppError, AuditflareError, ERRORS } from "../../src/lib/errors";
import { DecodeError, TooLargeError } from "../../src/parse/bytes";
import { FileFormatError } from "../../src/parse/stream";
import { PollError } from "../../src/transports/poll/http";

describe("one error root with a closed set of codes", () => {
  it("every error type is an AuditflareError with a code of the table", () => {
    const errors = [
      new AppError("log_not_found", "x"),
      new ConfigError("x"),
      new IpdbFormatError("x"),
      new DecodeError("invalid_gzip", "x"),
      new TooLargeError(10),
      new FileFormatError("invalid_file", "x"),
      new PollError("server", "x"),
    ];
    for (const e of errors) {
      expect(e).toBeInstanceOf(AuditflareError);
      expect(Object.keys(ERRORS)).toContain(e.code);
    }
  });

  it("a request error's status comes from the one table unless the context decides", () => {
    expect(new AppError("admin_required", "x").status).toBe(403);
    expect(new AppError("body_too_large", "x").status).toBe(413);
    expect(new AppError("invalid_json", "x", 422).status).toBe(422);
    for (const status of Object.values(ERRORS)) expect(status).toBeGreaterThanOrEqual(400);
  });
});
