/**
 * W6, concurrency: a fresh server, then many idle TCP connections held by child processes
 * from several 127.x.y.z source addresses (about 28k ports each), the server's RSS growth per
 * connection (/proc VmRSS before and after), and whether a fresh client is still served.
 */

import { connect } from "node:net";
import { type Child, descriptorLimit, rssKiB, sleep, startChild } from "./processes.js";
import { ROOT, type ServerKind, startServer } from "./servers.js";

/** Connections per holder process: under the usual 20,000-descriptor limit, and ports per source address. */
const PER_HOLDER = 15_000;

export interface IdleResult {
  kind: ServerKind;
  target: number;
  /** Connections still open when the RSS was read. */
  held: number;
  failed: number;
  closedByServer: number;
  rssBeforeKiB: number;
  rssAfterKiB: number;
  perConnectionKiB: number | null;
  freshClientServed: boolean;
  /** The server's descriptor limit (it cannot hold more connections than this). */
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
 * Runs W6 against a fresh server of `kind`: `count` idle connections.
 *
 * @example
 * const result = await holdIdleConnections("mayus", 2000, cBinary);
 * result.perConnectionKiB; // server RSS growth per held connection
 */
export async function holdIdleConnections(kind: ServerKind, count: number, cBinary: string): Promise<IdleResult> {
  const server = await startServer(kind, "unicode", { cBinary, manyConnections: true });
  const holders: Child[] = [];
  try {
    await freshClientServed(server.port); // warms the server up before the baseline
    await sleep(200);
    const rssBeforeKiB = rssKiB(server.child.pid);
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
    await sleep(count > 10_000 ? 2000 : 500); // let the server finish accepting and settle
    const rssAfterKiB = rssKiB(server.child.pid);
    const status = await Promise.all(holders.map((holder) => holderReport(holder, "status", 0)));
    const held = status.reduce((sum, each) => sum + each.held, 0);
    return {
      kind,
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
