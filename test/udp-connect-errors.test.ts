// The UDP commands when the kernel refuses to connect their socket (no packet is ever sent):
// a broadcast address (EACCES), a link-local IPv6 address without its interface (EINVAL). The
// same one line as over TCP, exit 7, never "internal error".

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { EXIT_CODES } from "../src/errors.js";
import { runMayus } from "./support/processes.js";

describe("UDP commands whose socket cannot connect", () => {
  for (const target of ["255.255.255.255:12000", "[fe80::1]:12000"]) {
    for (const [name, args] of [
      ["client -u", ["client", "-u"]],
      ["ping", ["ping", "-c", "1"]],
      ["heartbeat", ["heartbeat", "-c", "1"]],
      ["bench -u", ["bench", "-u", "--duration", "1"]],
    ] as const) {
      test(`${name} ${target}: one line naming the failure, exit 7`, async () => {
        const result = await runMayus([...args, target], "hola\n");
        assert.equal(result.code, EXIT_CODES["connection-failed"], result.stderr);
        assert.match(result.stderr, /^mayus: connection to \S+ failed: E[A-Z]+\n$/);
      });
    }
  }
});
