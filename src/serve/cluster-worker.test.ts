// Each worker's share of the server-wide limits: divided, never below an option's minimum, and
// a rate limit that is off (0) stays off instead of becoming 1 a second.

import assert from "node:assert/strict";
import { test } from "node:test";
import { TCP_RANGES } from "../tcp/tcp-server-options.js";
import { workerOptions } from "./cluster-worker.js";
import type { ServeOptions } from "./start-servers.js";

const serving = (options: Pick<ServeOptions, "tcpOptions" | "udpOptions">) =>
  ({ workers: 4, ...options }) as ServeOptions;

test("--udp-rate 0 and --udp-byte-rate 0 (off) stay off in every worker", () => {
  const { rateLimit } = workerOptions(
    serving({ tcpOptions: {}, udpOptions: { rateLimit: { datagramsPerSecond: 0, bytesPerSecond: 0 } } }),
  ).udpOptions;
  assert.deepEqual([rateLimit?.datagramsPerSecond, rateLimit?.bytesPerSecond], [0, 0]);
});

test("limits are divided among workers, never below 1 nor below an option's minimum", () => {
  const { tcpOptions, udpOptions } = workerOptions(
    serving({
      tcpOptions: { maxConnections: 10, maxConnectionsPerAddress: 1, maxBufferedBytesTotal: 1024 },
      udpOptions: { rateLimit: { datagramsPerSecond: 2, bytesPerSecond: 4000 } },
    }),
  );
  assert.deepEqual([tcpOptions.maxConnections, tcpOptions.maxConnectionsPerAddress], [3, 1]);
  assert.equal(tcpOptions.maxBufferedBytesTotal, TCP_RANGES.maxBufferedBytesTotal.min);
  assert.deepEqual([udpOptions.rateLimit?.datagramsPerSecond, udpOptions.rateLimit?.bytesPerSecond], [1, 1000]);
});
