// TcpServer's numeric options at their bounds: the minimum and maximum are taken, one step
// outside, NaN and Infinity throw a RangeError naming the option (never clamped); every range
// is the one `mayus serve`'s flag takes.

import assert from "node:assert/strict";
import { test } from "node:test";
import { resolveTcpServerOptions, TCP_RANGES, type TcpServerOptions } from "./tcp-server-options.js";

type Name = keyof typeof TCP_RANGES;

/** The options that set `name` to `value` (the TLS handshake timeout sits inside `tls`). */
function withValue(name: Name, value: number): TcpServerOptions {
  if (name === "tlsHandshakeTimeoutMs") return { tls: { cert: "", key: "", handshakeTimeoutMs: value } };
  return { [name]: value };
}

const label = (name: Name): string => (name === "tlsHandshakeTimeoutMs" ? "tls.handshakeTimeoutMs" : name);

for (const name of Object.keys(TCP_RANGES) as Name[]) {
  const { min, max, whole } = TCP_RANGES[name];
  test(`${name}: ${min} and ${max} are taken; just outside, NaN and Infinity throw`, () => {
    for (const value of [min, max]) {
      const resolved = resolveTcpServerOptions(withValue(name, value));
      // maxConnections may come down to fit the descriptor limit: a documented bound, not a clamp of the input.
      if (name !== "tlsHandshakeTimeoutMs" && name !== "maxConnections") assert.equal(resolved[name], value);
    }
    const step = whole ? 1 : 0.001;
    const outside = [min - step, max + step, Number.NaN, Number.POSITIVE_INFINITY];
    if (whole) outside.push(min + 0.5);
    for (const value of outside) {
      assert.throws(() => resolveTcpServerOptions(withValue(name, value)), {
        name: "RangeError",
        message: new RegExp(`^${label(name).replace(".", "\\.")} must be a (whole )?number from ${min} to ${max}, not`),
      });
    }
  });
}

test("the defaults are within their own ranges", () => {
  assert.doesNotThrow(() => resolveTcpServerOptions({}));
  assert.doesNotThrow(() => resolveTcpServerOptions({ tls: { cert: "", key: "" } }));
});
