/** The soak's measurements in a quiet window: the server from outside, and a 1-byte round-trip probe. */

import type { Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { tcpConnect } from "../../test/support/sockets.js";
import { openDescriptors, residentMiB, type Server, scrape } from "./server-process.js";

/** A 1-byte request every 100 ms on one connection; the round trips, by phase. */
export class Probe {
  readonly samples = new Map<string, number[]>();
  phase = "fresh";
  #socket: Socket | undefined;
  #timer: NodeJS.Timeout | undefined;

  async start(port: number): Promise<void> {
    this.#socket = await tcpConnect(port);
    this.#socket.on("error", () => {});
    let sentAt = 0;
    let waiting = false;
    this.#socket.on("data", () => {
      if (!waiting) return;
      waiting = false;
      const list = this.samples.get(this.phase) ?? [];
      list.push(performance.now() - sentAt);
      this.samples.set(this.phase, list);
    });
    this.#timer = setInterval(() => {
      if (waiting) return; // the last one is still out: its time counts when it comes
      waiting = true;
      sentAt = performance.now();
      this.#socket?.write("p");
    }, 100);
  }

  p99(phase: string): number | undefined {
    const list = [...(this.samples.get(phase) ?? [])].sort((a, b) => a - b);
    if (list.length === 0) return undefined;
    return list[Math.min(list.length - 1, Math.ceil(list.length * 0.99) - 1)];
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#socket?.destroy();
  }
}

export interface Snapshot {
  rssMiB: number;
  descriptors: number;
  heapAfterGcMiB: number | undefined;
  gc: string;
  /** The server's own event-loop delay p99 over the window, from /metrics. */
  loopDelayP99Ms: number | undefined;
  probeP99Ms: number | undefined;
}

/** Measures a quiet window of `seconds`: the probe runs, the server's loop-delay histogram restarts. */
export async function quietWindow(server: Server, probe: Probe, phase: string, seconds = 2): Promise<Snapshot> {
  const metricsPort = server.metricsPort ?? 0;
  await scrape(metricsPort, "nodejs_eventloop_lag_p99_seconds"); // resets the server's histogram
  probe.phase = phase;
  await sleep(seconds * 1000);
  const rssMiB = residentMiB(server.pid);
  const descriptors = openDescriptors(server.pid);
  const lag = await scrape(metricsPort, "nodejs_eventloop_lag_p99_seconds");
  const gc = server.lastGc();
  probe.phase = "between";
  return {
    rssMiB,
    descriptors,
    heapAfterGcMiB: gc?.heapAfterMiB,
    gc: gc === undefined ? "no GC yet" : `${gc.kind} at ${(gc.atMs / 1000).toFixed(1)} s`,
    loopDelayP99Ms: lag === undefined ? undefined : lag * 1000,
    probeP99Ms: probe.p99(phase),
  };
}
