// Where the page listens: loopback by default; any other address makes `serve` warn.
import assert from "node:assert/strict";
import { test } from "node:test";
import { silentLogger } from "../observability/logger.js";
import { ServeLifecycle } from "../serve/lifecycle.js";
import { isBeyondLoopback, WEB_DEFAULTS } from "./web-options.js";

test("loopback addresses stay quiet; the wildcard and real interfaces are beyond this machine", () => {
  for (const host of [WEB_DEFAULTS.host, "127.0.0.2", "::1", "[::1]", "localhost"]) {
    assert.equal(isBeyondLoopback(host), false, host);
  }
  for (const host of ["0.0.0.0", "::", "192.168.1.5", "10.0.0.1", "fe80::1"])
    assert.equal(isBeyondLoopback(host), true, host);
});

test("the web line goes to stdout; a warning to stderr only when the page is exposed", () => {
  const out: string[] = [];
  const err: string[] = [];
  const lifecycle = new ServeLifecycle(
    silentLogger(),
    "text",
    (line) => out.push(line),
    (line) => err.push(line),
  );
  lifecycle.webListening({ address: "127.0.0.1", family: "IPv4", port: 12080 });
  assert.deepEqual(out, ["mayus: web page on http://127.0.0.1:12080/"]);
  assert.deepEqual(err, []);
  lifecycle.webListening({ address: "::", family: "IPv6", port: 12080 });
  assert.equal(out[1], "mayus: web page on http://[::]:12080/");
  assert.equal(err.length, 1);
  assert.match(err[0], /warning: the web page listens on ::, beyond this machine/);
});
