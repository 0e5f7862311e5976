// serve --tls --proxy-protocol behind a real HAProxy in TCP mode: PROXY v2 in the clear, TLS passed through.

import assert from "node:assert/strict";
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { connect as connectTls } from "node:tls";
import { freePorts } from "./support/free-port.js";
import { peerAvailable, start, startMayusServer, waitForOutput, waitForStderr } from "./support/processes.js";

test("HAProxy send-proxy-v2 in front of serve --tls: health checks, then a TLS client served as itself", {
  timeout: 60_000,
  skip: !peerAvailable("haproxy"),
}, async () => {
  const folder = mkdtempSync(join(tmpdir(), "mayus-tls-haproxy-"));
  const server = await startMayusServer(["--tcp", "--tls", "--proxy-protocol", "--trace", "--metrics-port", "0"]);
  const port = await freePorts();
  const config = join(folder, "haproxy.cfg");
  writeFileSync(
    config,
    [
      "defaults",
      "  mode tcp",
      "  timeout connect 5s",
      "  timeout client 30s",
      "  timeout server 30s",
      "frontend tls_in",
      `  bind 127.0.0.1:${port}`,
      "  default_backend mayus",
      "backend mayus",
      `  server mayus1 127.0.0.1:${server.tcpPort} check inter 200ms send-proxy-v2`,
      "",
    ].join("\n"),
  );
  const haproxy = start("haproxy", ["-db", "-f", config]);
  try {
    // HAProxy's checks on a send-proxy-v2 server: a v2 LOCAL header, then close. Counted, no handshake.
    // Waited for: the server prints it after its tcp line, maybe in a later read of the pipe.
    const metricsPort = (await waitForOutput(server, /metrics on http port (\d+)/))[1];
    const scrape = async () => (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    for (;;) {
      if (haproxy.child.exitCode !== null) throw new Error(`haproxy exited: ${haproxy.stderr()}`);
      if (/mayus_tcp_health_checks_total [1-9]/.test(await scrape())) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const client = connectTls({ host: "127.0.0.1", port, rejectUnauthorized: false, servername: "localhost" });
    await once(client, "secureConnect");
    const { port: clientPort } = client.address() as { port: number };
    const received: Buffer[] = [];
    client.on("data", (chunk: Buffer) => received.push(chunk));
    client.end("a través de haproxy\n");
    await once(client, "end");
    assert.equal(Buffer.concat(received).toString(), "A TRAVÉS DE HAPROXY\n");
    // The server saw the client's own port (from the PROXY header), not HAProxy's connection.
    // Waited for: the server's stderr pipe may be read after the client's answer has come.
    await waitForStderr(
      server,
      new RegExp(`tcp accept +127\\.0\\.0\\.1:${clientPort} \\(new socket for this client, TLS handshake done`),
    );
    assert.doesNotMatch(await scrape(), /mayus_tls_handshake_failures_total\{reason="[^"]+"\} [1-9]/);
  } finally {
    await haproxy.stop();
    await server.stop();
    rmSync(folder, { recursive: true, force: true });
  }
});
