/**
 * `npm run bench:instructions`: the instructions each server executes per message, counted
 * by valgrind's callgrind, for W3 (TCP 512 B ping-pong), W4 (UDP 64 B stop-and-wait) and W5
 * (a TCP connection per 64 B message: what a connection costs, one at a time).
 * Timings on these shared 2-core machines move by ±30% from one second to the next; an
 * instruction count is the same from run to run whatever else the machine does, so it shows
 * whether a change made a server cheaper, and by how much, where the suite's ratios cannot.
 * It counts user space only (valgrind does not see the kernel, where most of a round trip's
 * time goes for every server): a server's own cost, not its speed.
 *
 * Each server runs under callgrind with counting off; a C client (bench/c/pingpong-client.c)
 * warms it up (the JIT of Node, the caches of Python), counting goes on for `--messages`
 * round trips, and the count (all the server's threads) is divided by them.
 *
 * Options: --servers c,python,naive,mayus; --only W3,W4,W5; --messages N (20,000); --warmup N
 * (40,000); W5 runs a tenth of each.
 * The warm-up is long because a major garbage collection of V8 (its concurrent marking, ~50
 * million instructions on Node's worker threads) fell inside the count after 20,000 in every run
 * tried (W4 8,800-9,000 instead of ~6,000); after 40,000 it still does in about one run of four.
 */

import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { promisify } from "node:util";
import { scriptArguments } from "./arguments.js";
import { programRuns, stopAllChildren } from "./processes.js";
import { CLASSIC_KINDS, compileC, ROOT, SERVER_KINDS, SERVER_LABELS, type ServerKind, startServer } from "./servers.js";
import { grouped, markdownTable } from "./table.js";

const run = promisify(execFile);

interface InstructionWorkload {
  id: string;
  title: string;
  /** The pingpong-client's mode: `connect` opens a connection per message. */
  protocol: "tcp" | "udp" | "connect";
  sizeBytes: number;
  /**
   * The share of `--messages` and `--warmup` this workload runs: a connection per message
   * leaves a client port in TIME_WAIT for a minute, and the kernel has about 28,000 of them.
   */
  share: number;
}

const WORKLOADS: InstructionWorkload[] = [
  { id: "W3", title: "TCP 512 B ping-pong", protocol: "tcp", sizeBytes: 512, share: 1 },
  { id: "W4", title: "UDP 64 B stop-and-wait", protocol: "udp", sizeBytes: 64, share: 1 },
  { id: "W5", title: "connect+64 B+close, one at a time", protocol: "connect", sizeBytes: 64, share: 0.1 },
];

/** Valgrind slows a server by an order of magnitude or more: Node takes seconds to start under it. */
const READY_TIMEOUT_MS = 180_000;
/** A client run: tens of thousands of round trips against a server under valgrind (Python's the slowest). */
const CLIENT_TIMEOUT_MS = 600_000;
const CONTROL_TIMEOUT_MS = 60_000;

function compileClient(directory: string): string {
  const binary = `${directory}/pingpong-client`;
  execFileSync("cc", ["-O2", "-o", binary, `${ROOT}bench/c/pingpong-client.c`], { stdio: "inherit" });
  return binary;
}

function requireValgrind(): void {
  for (const tool of ["valgrind", "callgrind_control"]) {
    if (programRuns(tool, "--help")) continue;
    process.stderr.write(`bench:instructions: ${tool} is not installed (Debian: apt-get install valgrind)\n`);
    process.exit(1);
  }
}

/** The instructions counted in the callgrind dumps of process `pid` (each thread's "totals:"). */
function countedInstructions(directory: string, pid: number): number {
  return readdirSync(directory)
    .filter((name) => name.startsWith(`${pid}.callgrind.`))
    .reduce((total, name) => {
      const match = readFileSync(`${directory}/${name}`, "utf8").match(/^totals: (\d+)/m);
      return total + Number(match?.[1] ?? 0);
    }, 0);
}

/** User-space instructions per message of one server on one workload. */
async function measure(
  kind: ServerKind,
  workload: InstructionWorkload,
  tools: { cBinary: string; client: string; directory: string },
  counts: { messages: number; warmup: number },
): Promise<number> {
  const server = await startServer(kind, "unicode", {
    cBinary: tools.cBinary,
    wrapper: [
      "valgrind",
      "--tool=callgrind",
      "--instr-atstart=no",
      "--separate-threads=yes",
      // python3 may be a launcher (pyenv's shim) that execs the interpreter: count that too.
      "--trace-children=yes",
      `--callgrind-out-file=${tools.directory}/%p.callgrind`,
    ],
    readyTimeoutMs: READY_TIMEOUT_MS,
  });
  try {
    const pid = String(server.child.pid);
    // Nothing here may wait for ever: callgrind_control reaches valgrind through vgdb, which a
    // machine that restricts ptrace can block.
    const client = (messages: number) =>
      run(tools.client, [workload.protocol, String(server.port), String(messages), String(workload.sizeBytes)], {
        timeout: CLIENT_TIMEOUT_MS,
      });
    const control = (command: string) => run("callgrind_control", [command, pid], { timeout: CONTROL_TIMEOUT_MS });
    const messages = Math.max(1, Math.round(counts.messages * workload.share));
    const warmup = Math.round(counts.warmup * workload.share);
    if (warmup > 0) await client(warmup);
    await control("--instr=on");
    await client(messages);
    await control("--instr=off");
    await control("--dump");
    const counted = countedInstructions(tools.directory, server.child.pid);
    if (counted === 0) throw new Error(`callgrind counted nothing in ${server.command} (see ${tools.directory})`);
    return counted / messages;
  } finally {
    await server.child.stop(10_000);
  }
}

async function main(): Promise<void> {
  const values = scriptArguments("bench:instructions", {
    servers: { type: "string", default: CLASSIC_KINDS.join(",") },
    only: { type: "string", default: WORKLOADS.map((workload) => workload.id).join(",") },
    messages: { type: "string", default: "20000" },
    warmup: { type: "string", default: "40000" },
  });
  const kinds = values.servers
    .split(",")
    .filter((kind): kind is ServerKind => SERVER_KINDS.includes(kind as ServerKind));
  const workloads = WORKLOADS.filter((workload) => values.only.split(",").includes(workload.id));
  const counts = { messages: Number(values.messages), warmup: Number(values.warmup) };
  if (kinds.length === 0 || workloads.length === 0 || !(counts.messages > 0) || !(counts.warmup >= 0)) {
    process.stderr.write("bench:instructions: --servers, --only, --messages or --warmup names nothing to measure\n");
    process.exit(2);
  }
  requireValgrind();
  const directory = mkdtempSync(`${tmpdir()}/mayus-instructions-`);
  try {
    const tools = { cBinary: compileC(directory, { forValgrind: true }), client: compileClient(directory), directory };
    const rows: string[][] = [];
    for (const workload of workloads) {
      const perMessage = new Map<ServerKind, number>();
      for (const kind of kinds) {
        const count = await measure(kind, workload, tools, counts);
        perMessage.set(kind, count);
        process.stderr.write(`bench:instructions: ${workload.id} ${SERVER_LABELS[kind]} ${grouped(count)}\n`);
      }
      const c = perMessage.get("c");
      rows.push([
        `${workload.id} ${workload.title}`,
        ...kinds.map((kind) => {
          const count = perMessage.get(kind) ?? 0;
          return c === undefined || kind === "c" ? grouped(count) : `${grouped(count)} (${(count / c).toFixed(1)}x)`;
        }),
      ]);
    }
    process.stdout.write(
      `User-space instructions per message (callgrind, all threads; ${grouped(counts.messages)} messages ` +
        `after ${grouped(counts.warmup)} to warm up, W5 a tenth of each; in parentheses: times C's)\n\n` +
        `${markdownTable(["workload", ...kinds.map((kind) => SERVER_LABELS[kind])], rows)}\n`,
    );
  } finally {
    await stopAllChildren();
    rmSync(directory, { recursive: true, force: true });
  }
}

await main();
