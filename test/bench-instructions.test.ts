// `npm run bench:instructions`: callgrind counts the C server's instructions per message on
// real loopback round trips, prints them as a table, and leaves no server or valgrind behind.

import assert from "node:assert/strict";
import { test } from "node:test";
import { PROJECT_ROOT, peerAvailable, processesInGroup, run } from "./support/processes.js";

const tool = ["--import", "tsx", `${PROJECT_ROOT}bench/instructions.ts`];

test("bench:instructions --servers c: a count per message for W3 (TCP), W4 (UDP) and W5 (a connection each), nothing left running", {
  skip: (!peerAvailable("cc") && "no C compiler (cc)") || (!peerAvailable("valgrind") && "no valgrind"),
}, async () => {
  const finished = await run(
    process.execPath,
    [...tool, "--servers", "c", "--messages", "400", "--warmup", "100"],
    "",
    { timeoutMs: 120_000, ownGroup: true },
  );
  assert.equal(finished.code, 0, finished.stderr);
  const report = finished.stdout.toString();
  const counts = ["W3", "W4", "W5"].map((workload) => {
    const row = report.split("\n").find((line) => line.startsWith(`| ${workload} `));
    assert.ok(row, `no ${workload} row in:\n${report}`);
    const count = Number(row.split("|")[2]?.trim().replaceAll(",", ""));
    assert.ok(count > 0, row);
    return count;
  });
  // TCP reads and uppercases 512 bytes a message, UDP 64: the TCP count is the larger.
  assert.ok((counts[0] ?? 0) > (counts[1] ?? 0), report);
  // A connection (accept, read, send, close) costs the server more than a message on one.
  assert.ok((counts[2] ?? 0) > (counts[0] ?? 0), report);
  // Only what this run started (its process group): other suites may run servers here meanwhile.
  assert.deepEqual(processesInGroup(finished.pid), []);
});

test("bench:instructions with nothing to measure says so and exits 2", async () => {
  const finished = await run(process.execPath, [...tool, "--servers", "cobol"], "", { timeoutMs: 60_000 });
  assert.equal(finished.code, 2);
  assert.match(finished.stderr.toString(), /--servers, --only, --messages or --warmup names nothing to measure/);
});
