// Out-of-range options seen from outside: the library throws a RangeError before any socket is
// opened (never a server that quietly refuses every datagram), and `mayus serve` gives a usage
// error (exit 2) naming the flag, not a stack trace nor a value Node's timers would not honour;
// TcpServer's ranges are the serve flags' own.

import assert from "node:assert/strict";
import { test } from "node:test";
import { serveCommand } from "../src/cli/serve-command.js";
import { UdpServer } from "../src/index.js";
import { TCP_RANGES } from "../src/tcp/tcp-server-options.js";
import { runMayus } from "./support/processes.js";

test("UdpServer: a rate limit or simulated network out of range is a RangeError naming it", () => {
  assert.throws(() => new UdpServer({ port: 0, rateLimit: { datagramsPerSecond: -1 } }), {
    name: "RangeError",
    message: /^rateLimit\.datagramsPerSecond must be a whole number from 0 to/,
  });
  assert.throws(() => new UdpServer({ port: 0, network: { dropProbability: 1.5 } }), {
    name: "RangeError",
    message: /^network\.dropProbability must be a number from 0 to 1, not 1\.5/,
  });
});

test("serve --delay past an hour: exit 2, one line naming --delay and its range", async () => {
  for (const value of ["99999999999", "10±3600001"]) {
    const finished = await runMayus(["serve", "--port", "0", "--host", "127.0.0.1", "--udp", "--delay", value], "", {
      env: { LANG: "C" },
    });
    assert.equal(finished.code, 2, finished.stderr);
    assert.match(finished.stderr, /--delay must be a number from 0 to 3600000, not "/);
    assert.doesNotMatch(finished.stderr, /\n\s+at /, "no stack trace");
  }
});

test("serve --metrics-port 70000: the usage error names --metrics-port, the flag typed, not --port", async () => {
  const finished = await runMayus(["serve", "--port", "0", "--metrics-port", "70000", "--host", "127.0.0.1"], "", {
    env: { LANG: "C" },
  });
  assert.equal(finished.code, 2, finished.stderr);
  assert.match(finished.stderr, /--metrics-port must be a whole number from 0 to 65535, not "70000"/);
});

test("TcpServer's ranges are its serve flags' ranges: each flag takes min and max and refuses one past", () => {
  const flags: Record<keyof typeof TCP_RANGES, string> = {
    port: "--port",
    maxConnections: "--max-connections",
    maxConnectionsPerAddress: "--max-connections-per-address",
    idleTimeoutMs: "--idle-timeout",
    stallTimeoutMs: "--stall-timeout",
    maxBufferedBytesPerConnection: "--max-buffered-bytes-per-connection",
    maxBufferedBytesTotal: "--max-buffered-bytes-total",
    proxyHeaderTimeoutMs: "--proxy-header-timeout",
    maxAwaitingHeaderPerAddress: "--max-awaiting-header-per-address",
    drainQuietMs: "--drain-quiet",
    tlsHandshakeTimeoutMs: "--tls-handshake-timeout",
  };
  const serve = serveCommand();
  for (const [name, flag] of Object.entries(flags) as Array<[keyof typeof TCP_RANGES, string]>) {
    const parse = serve.options.find((option) => option.long === flag)?.parseArg;
    assert.ok(parse, `${flag} has a parser`);
    const { min, max } = TCP_RANGES[name];
    assert.equal(parse(String(min), undefined), min, `${flag} ${min}`);
    assert.equal(parse(String(max), undefined), max, `${flag} ${max}`);
    if (min > 0) assert.throws(() => parse(String(min - 1), undefined), /must be/, `${flag} ${min - 1}`);
    assert.throws(() => parse(String(max + 1), undefined), /must be/, `${flag} ${max + 1}`);
  }
});
