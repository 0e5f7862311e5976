// Several clients at once that read their answers slowly, against a real `mayus serve`: reads of
// every connection land in one shared buffer and are answered in place, so an answer that has to
// wait for a slow reader must be kept apart from the next read. Each client must get back
// exactly its own text (test/peers/slow_readers.py), in unicode mode and in echo mode.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { PEERS, peerAvailable, run, startMayusServer } from "../support/processes.js";

/** Enough per client that answers queue behind the kernel's buffers while the others are read. */
const BYTES_PER_CLIENT = 8 * 1024 * 1024;
const CLIENTS = 4;

describe("slow readers, each with its own text, at once", { skip: !peerAvailable("python3") }, () => {
  for (const [mode, host] of [
    ["unicode", "127.0.0.1"],
    ["echo", "::1"],
  ] as const) {
    test(`--mode ${mode} on ${host}: every client gets exactly its own answer`, async () => {
      const server = await startMayusServer(["--tcp", "--mode", mode, "--host", host]);
      try {
        const checked = await run(
          "python3",
          [`${PEERS}slow_readers.py`, host, String(server.tcpPort), String(CLIENTS), String(BYTES_PER_CLIENT), mode],
          "",
          { timeoutMs: 120_000 },
        );
        assert.equal(checked.code, 0, checked.stderr.slice(0, 2000));
        assert.equal(checked.stdout.toString(), `ok ${CLIENTS}\n`);
      } finally {
        await server.stop();
      }
    });
  }
});
