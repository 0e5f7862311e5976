/**
 * Prometheus metrics for the servers (prom-client). Counters are read from the servers'
 * own statistics when Prometheus scrapes, so the data path pays nothing for them; only the
 * connection-duration histogram is fed as connections close.
 */

import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { HeartbeatStatistics } from "../heartbeat/heartbeat-table.js";
import { ioPathReport } from "../io/io-path.js";
import type { TcpConnection } from "../tcp/tcp-connection.js";
import type { TcpServer } from "../tcp/tcp-server.js";
import type { UdpServer } from "../udp/udp-server.js";

export interface MetricSources {
  tcp?: TcpServer;
  udp?: UdpServer;
  /** `serve --heartbeat`'s table: its metrics are there only with it. */
  heartbeat?: { statistics(): HeartbeatStatistics };
}

/**
 * A registry with every mayus metric and Node's default process metrics.
 *
 * @example
 * ```ts
 * import { createMetricsRegistry } from "./metrics.js";
 * import { TcpServer } from "../tcp/tcp-server.js";
 * import { UdpServer } from "../udp/udp-server.js";
 * const tcpServer = new TcpServer({ host: "127.0.0.1", port: 0 });
 * const udpServer = new UdpServer({ host: "127.0.0.1", port: 0 });
 * await Promise.all([tcpServer.listen(), udpServer.listen()]);
 * const registry = createMetricsRegistry({ tcp: tcpServer, udp: udpServer });
 * const text = await registry.metrics(); // Prometheus text format
 * await Promise.all([tcpServer.close(), udpServer.close()]);
 * ```
 */
export function createMetricsRegistry(sources: MetricSources): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const { tcp, udp } = sources;

  /** A counter whose value is read from statistics at scrape time. */
  const readCounter = (name: string, help: string, labelNames: string[], read: (counter: Counter) => void) =>
    new Counter({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        read(this);
      },
    });

  readCounter("mayus_tcp_connections_accepted_total", "TCP connections accepted.", [], (counter) => {
    counter.inc(tcp?.statistics().connectionsAccepted ?? 0);
  });
  readCounter(
    "mayus_tcp_health_checks_total",
    "PROXY LOCAL connections (load balancer health checks).",
    [],
    (counter) => {
      counter.inc(tcp?.statistics().healthChecks ?? 0);
    },
  );
  new Gauge({
    name: "mayus_tcp_connections_active",
    help: "TCP connections open now.",
    registers: [registry],
    collect() {
      this.set(tcp?.statistics().connectionsActive ?? 0);
    },
  });
  readCounter(
    "mayus_tcp_connections_refused_total",
    "TCP connections closed at accept, by reason.",
    ["reason"],
    (counter) => {
      for (const [reason, count] of Object.entries(tcp?.statistics().refused ?? {})) counter.inc({ reason }, count);
    },
  );
  readCounter("mayus_errors_total", "Connections closed by an error or a limit, by kind.", ["kind"], (counter) => {
    for (const [kind, count] of Object.entries(tcp?.statistics().errors ?? {})) counter.inc({ kind }, count);
  });
  readCounter("mayus_bytes_received_total", "Payload bytes received.", ["protocol"], (counter) => {
    counter.inc({ protocol: "tcp" }, tcp?.statistics().bytesReceived ?? 0);
    counter.inc({ protocol: "udp" }, udp?.statistics().bytesReceived ?? 0);
  });
  readCounter("mayus_bytes_sent_total", "Payload bytes sent.", ["protocol"], (counter) => {
    counter.inc({ protocol: "tcp" }, tcp?.statistics().bytesSent ?? 0);
    counter.inc({ protocol: "udp" }, udp?.statistics().bytesSent ?? 0);
  });
  readCounter("mayus_udp_datagrams_received_total", "UDP datagrams received.", [], (counter) => {
    counter.inc(udp?.statistics().datagramsReceived ?? 0);
  });
  readCounter("mayus_udp_datagrams_sent_total", "UDP datagrams sent.", [], (counter) => {
    counter.inc(udp?.statistics().datagramsSent ?? 0);
  });
  readCounter("mayus_udp_datagrams_dropped_total", "UDP datagrams not answered, by reason.", ["reason"], (counter) => {
    for (const [reason, count] of Object.entries(udp?.statistics().dropped ?? {})) counter.inc({ reason }, count);
  });

  // Only under --tls: a plain server has no handshakes to count.
  if (tcp?.statistics().tls !== undefined) {
    readCounter("mayus_tls_handshakes_total", "TLS handshakes completed.", [], (counter) => {
      counter.inc(tcp.statistics().tls?.handshakesCompleted ?? 0);
    });
    readCounter(
      "mayus_tls_handshake_failures_total",
      "TLS handshakes failed, by reason (timeout, not-tls, protocol-version, certificate-rejected, closed, other).",
      ["reason"],
      (counter) => {
        const failures: Record<string, number> = tcp.statistics().tls?.handshakeFailures ?? {};
        for (const [reason, count] of Object.entries(failures)) counter.inc({ reason }, count);
      },
    );
  }

  const ioPath = new Gauge({
    name: "mayus_io_path_info",
    help: "1 for the I/O path each protocol served takes: native (the native module's syscalls) or node (Node's own I/O).",
    labelNames: ["protocol", "path"],
    registers: [registry],
    // Each worker reports the same paths: their sum would count workers, not paths.
    aggregator: "max",
  });
  const served = (["tcp", "udp"] as const).filter((protocol) => sources[protocol] !== undefined);
  const tls = tcp?.statistics().tls !== undefined;
  for (const { protocol, path } of ioPathReport(served, { tls })) ioPath.set({ protocol, path }, 1);

  const duration = new Histogram({
    name: "mayus_tcp_connection_duration_seconds",
    help: "How long TCP connections stayed open.",
    buckets: [0.001, 0.01, 0.1, 1, 10, 60, 600, 3600],
    registers: [registry],
  });
  tcp?.on("connection-closed", (connection: TcpConnection) => {
    duration.observe((performance.now() - connection.openedAtMs) / 1000);
  });
  const { heartbeat } = sources;
  if (heartbeat !== undefined) {
    new Gauge({
      name: "mayus_heartbeat_senders",
      help: "Heartbeat senders in the table now (down ones included).",
      registers: [registry],
      collect() {
        this.set(heartbeat.statistics().senders);
      },
    });
    const counters = [
      ["mayus_heartbeat_received_total", "Heartbeats received.", "received"],
      ["mayus_heartbeat_lost_total", "Heartbeats never received before a later one was (gaps).", "lost"],
      ["mayus_heartbeat_late_total", "Heartbeats received after a later one, or twice.", "late"],
      ["mayus_heartbeat_jumps_total", "Sequence numbers too far from the last to count as lost or late.", "jumps"],
      ["mayus_heartbeat_down_events_total", "Times a sender was presumed down.", "downEvents"],
      ["mayus_heartbeat_evicted_total", "Senders forgotten because the table was full.", "evicted"],
    ] as const;
    for (const [name, help, field] of counters)
      readCounter(name, help, [], (counter) => counter.inc(heartbeat.statistics()[field]));
  }
  return registry;
}
