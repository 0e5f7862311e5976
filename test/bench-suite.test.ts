// The benchmark suite (`npm run bench`): its rounds add up as documented, and a small run
// starts the servers, measures in rounds, prints its tables and stops every server it started.

import assert from "node:assert/strict";
import { test } from "node:test";
import { combineRounds } from "../bench/load-runs.js";
import { cpusOfList } from "../bench/processes.js";
import { coresForOneCoreRows } from "../bench/workloads.js";
import type { BenchResult } from "../src/load/options.js";
import { PROJECT_ROOT, peerAvailable, processesInGroup, run, start } from "./support/processes.js";

function round(messages: number, elapsedSeconds: number, p50: number, max: number, wrongAnswers = 0): BenchResult {
  return {
    protocol: "tcp",
    host: "127.0.0.1",
    address: "127.0.0.1",
    port: 1,
    pattern: "pingpong",
    mode: "unicode",
    text: "ascii",
    connections: 1,
    sizeBytes: 512,
    answerBytes: 512,
    ratePerSecond: null,
    workers: 1,
    durationSeconds: 1,
    warmupSeconds: 0.5,
    elapsedSeconds,
    messages,
    bytesSent: messages * 512,
    bytesReceived: messages * 512,
    messagesPerSecond: messages / elapsedSeconds,
    megabytesPerSecond: (messages * 512) / elapsedSeconds / 1e6,
    latency: {
      recordedIn: "nanoseconds",
      unit: "microseconds",
      samples: messages,
      min: p50 / 2,
      mean: p50,
      p50,
      p90: p50 * 2,
      p99: p50 * 3,
      p999: p50 * 4,
      max,
    },
    errors: { total: wrongAnswers, wrongAnswers, connection: 0, timeouts: 0 },
    unanswered: 1,
    lateReplies: 0,
  };
}

test("rounds add up: counts summed, rates over the summed time, latency percentiles the median round's, max the largest", () => {
  const combined = combineRounds([round(1000, 1, 100, 900), round(3000, 2, 300, 500, 2), round(2000, 1, 200, 700)]);
  assert.equal(combined.messages, 6000);
  assert.equal(combined.elapsedSeconds, 4);
  assert.equal(combined.messagesPerSecond, 1500);
  assert.equal(combined.megabytesPerSecond, (6000 * 512) / 4 / 1e6);
  assert.equal(combined.latency.p50, 200);
  assert.equal(combined.latency.p99, 600);
  assert.equal(combined.latency.max, 900);
  assert.equal(combined.latency.min, 50);
  assert.equal(combined.latency.samples, 6000);
  assert.deepEqual(combined.errors, { total: 2, wrongAnswers: 2, connection: 0, timeouts: 0 });
  assert.equal(combined.unanswered, 3);
});

test("CPU lists as /proc writes them (Cpus_allowed_list): ranges and single CPUs, in order", () => {
  assert.deepEqual(cpusOfList("0-1"), [0, 1]);
  assert.deepEqual(cpusOfList("0,2-3,7"), [0, 2, 3, 7]);
  assert.deepEqual(cpusOfList("5"), [5]);
  assert.deepEqual(cpusOfList("3-1"), []);
});

test("the leftover check sees what a run in its own group left behind, and nothing else", async () => {
  const outsider = start("sleep", ["30"]);
  // The shell exits at once; the sleep it started in the background stays in its group.
  const finished = await run("sh", ["-c", "sleep 31 >/dev/null 2>&1 &"], "", { ownGroup: true });
  try {
    const left = processesInGroup(finished.pid);
    assert.equal(left.length, 1, left.join("\n"));
    assert.match(left[0], /^\d+ sleep 31$/);
  } finally {
    process.kill(-finished.pid, "SIGKILL");
    await outsider.stop();
  }
  assert.deepEqual(processesInGroup(finished.pid), []);
});

test("npm run bench -- --quick --rounds 2 --only W3,W4 --servers c,mayus: a table with each round's ratios (the one-core rows too), mayus bench's own table, and no server left running", {
  skip: !peerAvailable("cc") && "no C compiler (cc)",
}, async () => {
  const finished = await run(
    process.execPath,
    [
      "--import",
      "tsx",
      `${PROJECT_ROOT}bench/run.ts`,
      "--quick",
      "--rounds",
      "2",
      "--only",
      "W3,W4",
      "--servers",
      "c,mayus",
    ],
    "",
    { timeoutMs: 120_000, ownGroup: true },
  );
  assert.equal(finished.code, 0, finished.stderr);
  const report = finished.stdout.toString();
  for (const workload of ["W3", "W4"]) {
    // | W3 | title | msg/s | C figure | mayus figure (ratio) | ratio | lowest-highest | target | met |
    const row = report.split("\n").find((line) => line.startsWith(`| ${workload} `));
    assert.ok(row, `no ${workload} row in:\n${report}`);
    assert.match(row, /\| [\d,]+ +\| [\d,]+ \((\d\.\d\d)\) +\| \1 +\| \d\.\d\d-\d\.\d\d +\|/, row);
  }
  // W3 and W4 again with client and server pinned to one core: figures and ratios, no target
  // (where this process may run on more than one core and taskset is there).
  const oneCoreRows = coresForOneCoreRows().length > 1 ? ["W3 1 core", "W4 1 core"] : [];
  for (const workload of oneCoreRows) {
    const row = report.split("\n").find((line) => line.startsWith(`| ${workload} `));
    assert.ok(row, `no ${workload} row in:\n${report}`);
    assert.match(row, /\| [\d,]+ +\| [\d,]+ \((\d\.\d\d)\) +\| \1 +\| \d\.\d\d-\d\.\d\d +\| - +\| - +\|$/, row);
  }
  // mayus bench against the C server, over the C client's figure in the same rounds (W3, W4).
  const benchTable = report.slice(report.indexOf("`mayus bench` against the C server"));
  // W3 (TCP ping-pong) runs the native load loop, W4 (UDP) Node's sockets.
  for (const [workload, engine] of [
    ["W3", "native"],
    ["W4", "node"],
  ]) {
    const row = benchTable.split("\n").find((line) => line.startsWith(`| ${workload} `));
    assert.ok(row, `no ${workload} row in mayus bench's table:\n${report}`);
    assert.match(row, new RegExp(`\\| ${engine} +\\|`), row);
    assert.match(
      row,
      // ... | engine | ratio | per round | with MAYUS_NATIVE=0: figure | ratio | target | met |
      /\| msg\/s +\| [\d,]+ +\| [\d,]+ +\| (native|node) +\| \d\.\d\d +\| \d\.\d\d-\d\.\d\d +\| [\d,]+ +\| \d\.\d\d +\| >= 0\.90 +\| (yes|no) +\|$/,
      row,
    );
  }
  assert.match(finished.stderr, /partial run .*docs\/bench not written/);
  // Nothing the suite started (C server, load client, mayus) is left: only its own process group
  // is looked at, since other suites may run servers on this machine meanwhile.
  assert.deepEqual(processesInGroup(finished.pid), []);
});

for (const [script, flag] of [
  ["run.ts", "--no-write"],
  ["instructions.ts", "--rounds"],
  ["hold-connections.ts", "--connections"],
] as const) {
  test(`bench/${script} ${flag}: a flag it does not take is one line naming its flags, exit 2`, async () => {
    const finished = await run(process.execPath, ["--import", "tsx", `${PROJECT_ROOT}bench/${script}`, flag]);
    assert.equal(finished.code, 2, finished.stderr);
    assert.match(finished.stderr, new RegExp(`^[a-z:-]+: Unknown option '${flag}'; its flags: --\\w`));
    assert.equal(finished.stderr.trim().split("\n").length, 1, finished.stderr);
  });
}
