// The target forms people type (ncat's and URLs'), split and checked without any I/O.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { formatAddress, parsePort, splitHostPort } from "./address.js";

describe("splitHostPort", () => {
  test("host alone, host:port, [v6]:port, [v6], bare v6 literal", () => {
    assert.deepEqual(splitHostPort("localhost"), { host: "localhost" });
    assert.deepEqual(splitHostPort("localhost:12000"), { host: "localhost", port: "12000" });
    assert.deepEqual(splitHostPort("127.0.0.1:80"), { host: "127.0.0.1", port: "80" });
    assert.deepEqual(splitHostPort("[::1]:12000"), { host: "::1", port: "12000" });
    assert.deepEqual(splitHostPort("[fe80::1%lo]:7"), { host: "fe80::1%lo", port: "7" });
    assert.deepEqual(splitHostPort("[::1]"), { host: "::1" });
    assert.deepEqual(splitHostPort("::1"), { host: "::1" });
    assert.deepEqual(splitHostPort("2001:db8::5"), { host: "2001:db8::5" });
    assert.deepEqual(splitHostPort(":12000"), { host: "", port: "12000" });
  });

  test("the port text is kept as typed, for the caller to check and name in its error", () => {
    assert.deepEqual(splitHostPort("localhost:"), { host: "localhost", port: "" });
    assert.deepEqual(splitHostPort("localhost:http"), { host: "localhost", port: "http" });
  });

  test("bad brackets are undefined", () => {
    for (const text of ["[::1", "[::1]12000", "[]:1", "[localhost]:1", "[::1]:"]) {
      const split = splitHostPort(text);
      if (text === "[::1]:") assert.deepEqual(split, { host: "::1", port: "" });
      else assert.equal(split, undefined, text);
    }
  });

  test("formatAddress is its inverse for every form with a port", () => {
    for (const [host, port] of [
      ["::1", 12000],
      ["127.0.0.1", 1],
      ["localhost", 65535],
    ] as const) {
      const split = splitHostPort(formatAddress(host, port));
      assert.deepEqual(split, { host, port: String(port) });
    }
  });
});

describe("parsePort", () => {
  test("1 to 65535 in decimal digits; nothing else", () => {
    assert.equal(parsePort("1"), 1);
    assert.equal(parsePort("12000"), 12000);
    assert.equal(parsePort("65535"), 65535);
    for (const text of ["0", "65536", "", " 1", "1e3", "0x10", "-1", "http", "123456", "1.5"]) {
      assert.equal(parsePort(text), undefined, JSON.stringify(text));
    }
  });
});
