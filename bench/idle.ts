/**
 * W6, concurrency: a fresh server, then many idle TCP connections held by child processes
 * from several 127.x.y.z source addresses (about 28k ports each), the server's RSS growth per
 * connection (/proc VmRSS before and after, summed over its processes when it runs
 * workers), and whether a fresh client is still served.
 */

import { connect } from "node:net";
import { type Child, descriptorLimit, processTree, sleep, startChild, treeRssKiB } from "./processes.js";
import { ROOT, type ServerKind, startServer } from "./servers.js";

/** Connections per holder process: under the usual 20,000-descriptor limit, and ports per source address. */
const PER_HOLDER = 15_000;

export interface IdleResult {
  kind: ServerKind;
  /** mayus's `--workers` (1: one process, the W6; absent in results saved before it was recorded). */
  workers?: number;
  /** Processes the server ran as (a cluster's primary and its workers). */
  processes?: number;
  /** How the server was started. */
  command?: string;
  target: number;
  /** Connections still open when the RSS was read. */
  held: number;
  failed: number;
  closedByServer: number;
  rssBeforeKiB: number;
  rssAfterKiB: number;
  perConnectionKiB: number | null;
  freshClientServed: boolean;
  /** The server's descriptor limit, per process (one process cannot hold more connections than this). */
  serverDescriptorLimit: number;
  sourceAddresses: string[];
}

/**
 * Connects from 127.0.0.1, sends a line, and says whether its uppercase came back in time.
 *
 * @example
 * await freshClientServed(12000); // true
 */
export function freshClientServed(port: number, timeoutMs = 3000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    let answer = "";
    const done = (served: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(served);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.on("error", () => done(false));
    socket.on("close", () => done(answer === "FRESH CLIENT\n"));
    socket.on("data", (chunk: Buffer) => {
      answer += chunk.toString();
      if (answer === "FRESH CLIENT\n") done(true);
    });
    socket.write("fresh client\n");
  });
}

/**
 * The server's RSS once it stops growing: connected clients may still wait in the accept
 * queue (a cluster's primary hands each one to a worker over IPC), so read until two
 * readings a second apart agree within 0.5%, for at most a minute.
 */
async function settledRssKiB(pid: number): Promise<number> {
  let previous = treeRssKiB(pid);
  for (let waited = 0; waited < 60; waited++) {
    await sleep(1000);
    const now = treeRssKiB(pid);
    if (Math.abs(now - previous) <= previous * 0.005) return now;
    previous = now;
  }
  return previous;
}

interface HolderReport {
  held: number;
  failed: number;
  closedByServer: number;
}

/** The holder's `index`-th report of `event` (asking for a status first when that is the event). */
async function holderReport(holder: Child, event: "opened" | "status", index: number): Promise<HolderReport> {
  if (event === "status") holder.process.stdin?.write("status\n");
  const deadline = Date.now() + 180_000;
  for (;;) {
    const complete = holder.stdout().split("\n").slice(0, -1);
    const reports = complete.filter((line) => line.includes(`"event":"${event}"`));
    if (reports.length > index) return JSON.parse(reports[index]) as HolderReport;
    if (holder.process.exitCode !== null || Date.now() > deadline) {
      throw new Error(`connection holder gave no ${event} report: ${holder.stderr()}`);
    }
    await sleep(50);
  }
}

/**
 * Runs W6 against a fresh server of `kind`: `count` idle connections (mayus with `workers`
 * worker processes when more than 1, each accepting from the shared socket itself:
 * `NODE_CLUSTER_SCHED_POLICY=none`. Under Node's default round robin the primary accepts
 * every connection and hands it to a worker over IPC, slower than clients connect here, so
 * the connections waiting in the primary reach its own descriptor limit and the surplus is
 * closed: 38,557-54,798 of 100,000 were held that way, with 7 workers.)
 *
 * @example
 * const result = await holdIdleConnections("mayus", 2000, cBinary);
 * result.perConnectionKiB; // server RSS growth per held connection
 */
export async function holdIdleConnections(
  kind: ServerKind,
  count: number,
  cBinary: string,
  workers = 1,
): Promise<IdleResult> {
  const env = workers > 1 ? { NODE_CLUSTER_SCHED_POLICY: "none" } : undefined;
  const server = await startServer(kind, "unicode", { cBinary, manyConnections: true, workers, env });
  const holders: Child[] = [];
  try {
    await freshClientServed(server.port); // warms the server up before the baseline
    await sleep(200);
    const rssBeforeKiB = treeRssKiB(server.child.pid);
    const holderCount = Math.max(2, Math.ceil(count / PER_HOLDER));
    const sourceAddresses = Array.from({ length: holderCount }, (_, index) => `127.0.${10 + index}.1`);
    sourceAddresses.forEach((source, index) => {
      const share = Math.floor(count / holderCount) + (index < count % holderCount ? 1 : 0);
      holders.push(
        startChild(process.execPath, [
          "--import",
          "tsx",
          `${ROOT}bench/hold-connections.ts`,
          "--port",
          String(server.port),
          "--count",
          String(share),
          "--source",
          source,
        ]),
      );
    });
    const opened = await Promise.all(holders.map((holder) => holderReport(holder, "opened", 0)));
    const rssAfterKiB = await settledRssKiB(server.child.pid);
    const status = await Promise.all(holders.map((holder) => holderReport(holder, "status", 0)));
    const held = status.reduce((sum, each) => sum + each.held, 0);
    return {
      kind,
      workers,
      processes: processTree(server.child.pid).length,
      command: server.command,
      target: count,
      held,
      failed: opened.reduce((sum, each) => sum + each.failed, 0),
      closedByServer: status.reduce((sum, each) => sum + each.closedByServer, 0),
      rssBeforeKiB,
      rssAfterKiB,
      perConnectionKiB: held > 0 ? Math.round(((rssAfterKiB - rssBeforeKiB) / held) * 100) / 100 : null,
      freshClientServed: await freshClientServed(server.port),
      serverDescriptorLimit: descriptorLimit(server.child.pid),
      sourceAddresses,
    };
  } finally {
    await Promise.all(holders.map((holder) => holder.stop()));
    await server.child.stop();
  }
}
