// `--allow` and `--deny` on the real server: TCP clients and UDP sources from loopback addresses
// (127.0.0.1, 127.0.0.2, ::1), behind a PROXY header too, counted in /metrics and logged.

import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { runMayus, startMayusServer, waitForOutput, waitForStderr } from "./support/processes.js";
import { tcpExchange, udpExchange } from "./support/sockets.js";

const directory = mkdtempSync(join(tmpdir(), "mayus-filter-"));
after(() => rmSync(directory, { recursive: true, force: true }));

/**
 * A TCP exchange from a chosen local address (127.0.0.2 must be bound to be the source). A
 * refused connection ends with no answer: a FIN, or a reset when our bytes were still unread.
 */
function tcpExchangeFrom(localAddress: string, port: number, payload: string): Promise<Buffer> {
  const host = localAddress.includes(":") ? "::1" : "127.0.0.1";
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, localAddress, allowHalfOpen: true });
    const received: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => received.push(chunk));
    socket.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "ECONNRESET") reject(error);
    });
    socket.on("close", () => resolve(Buffer.concat(received)));
    socket.end(payload);
  });
}

/** Sends one datagram from a chosen local address; resolves once it is sent. */
function udpSendFrom(localAddress: string, port: number, payload: string): Promise<void> {
  const socket = createSocket("udp4");
  return new Promise((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(0, localAddress, () =>
      socket.send(payload, port, "127.0.0.1", (error) => {
        socket.close();
        if (error) reject(error);
        else resolve();
      }),
    );
  });
}

async function metricsText(port: number): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  return response.text();
}

describe("--allow and --deny", () => {
  test("dual-stack: an IPv4 client (::ffff:127.0.0.1) is allowed, ::1 denied on TCP and UDP, counted", async () => {
    const server = await startMayusServer([
      "--host",
      "::",
      "--allow",
      "127.0.0.1/32",
      "--deny",
      "::1",
      "--metrics-port",
      "0",
      "--metrics-host",
      "127.0.0.1",
    ]);
    try {
      const metricsPort = Number((await waitForOutput(server, /metrics on http port (\d+)/))[1]);
      assert.equal((await tcpExchange(server.tcpPort, [Buffer.from("hola")])).toString(), "HOLA");
      assert.equal((await udpExchange(server.udpPort, Buffer.from("hola")))?.toString(), "HOLA");
      // Refused at accept: the connection closes with no answer.
      assert.equal((await tcpExchangeFrom("::1", server.tcpPort, "hola")).length, 0);
      await waitForStderr(server, /connection refused[\s\S]*reason: "address-filtered"/);
      const udp = createSocket("udp6");
      await new Promise<void>((resolve) => udp.send("hola", server.udpPort, "::1", () => resolve()));
      udp.close();
      await waitForStderr(server, /datagram not answered[\s\S]*reason: "address-filtered"/);
      const metrics = await metricsText(metricsPort);
      assert.match(metrics, /mayus_tcp_connections_refused_total\{reason="address-filtered"\} 1\n/);
      assert.match(metrics, /mayus_udp_datagrams_dropped_total\{reason="address-filtered"\} 1\n/);
    } finally {
      await server.stop();
    }
  });

  test("dual-stack --deny ::/0 refuses IPv6 clients only; IPv4 ones (seen mapped) are served", async () => {
    const server = await startMayusServer(["--host", "::", "--deny", "::/0"]);
    try {
      assert.equal((await tcpExchangeFrom("127.0.0.1", server.tcpPort, "hola")).toString(), "HOLA");
      assert.equal((await udpExchange(server.udpPort, Buffer.from("hola")))?.toString(), "HOLA");
      assert.equal((await tcpExchangeFrom("::1", server.tcpPort, "hola")).length, 0);
      await waitForStderr(server, /connection refused[\s\S]*peer: "::1"[\s\S]*"address-filtered"/);
      const udp = createSocket("udp6");
      await new Promise<void>((resolve) => udp.send("hola", server.udpPort, "::1", () => resolve()));
      udp.close();
      await waitForStderr(server, /datagram not answered[\s\S]*"address-filtered"/);
    } finally {
      await server.stop();
    }
  });

  test("dual-stack --deny ::ffff:127.0.0.0/104 is the IPv4 rule 127.0.0.0/8: ::1 is served", async () => {
    const server = await startMayusServer(["--host", "::", "--tcp", "--deny", "::ffff:127.0.0.0/104"]);
    try {
      assert.equal((await tcpExchangeFrom("127.0.0.1", server.tcpPort, "hola")).length, 0);
      assert.equal((await tcpExchangeFrom("::1", server.tcpPort, "hola")).toString(), "HOLA");
    } finally {
      await server.stop();
    }
  });

  test("--deny @FILE: a client bound to 127.0.0.2 is refused, 127.0.0.1 served", async () => {
    const rules = join(directory, "deny.txt");
    writeFileSync(rules, "# a second loopback address\n\n127.0.0.2   # the test's client\n");
    const server = await startMayusServer(["--deny", `@${rules}`]);
    try {
      assert.equal((await tcpExchangeFrom("127.0.0.2", server.tcpPort, "hola")).length, 0);
      assert.equal((await tcpExchangeFrom("127.0.0.1", server.tcpPort, "hola")).toString(), "HOLA");
      await udpSendFrom("127.0.0.2", server.udpPort, "hola");
      await waitForStderr(server, /datagram not answered[\s\S]*peer: "127\.0\.0\.2:\d+"[\s\S]*"address-filtered"/);
      assert.equal((await udpExchange(server.udpPort, Buffer.from("hola")))?.toString(), "HOLA");
    } finally {
      await server.stop();
    }
  });

  test("--workers 2: each worker filters the connections the primary hands it, and its datagrams", async () => {
    const server = await startMayusServer(["--workers", "2", "--deny", "127.0.0.2"]);
    try {
      for (let round = 0; round < 2; round++) {
        assert.equal((await tcpExchangeFrom("127.0.0.2", server.tcpPort, "hola")).length, 0);
        assert.equal((await tcpExchangeFrom("127.0.0.1", server.tcpPort, "hola")).toString(), "HOLA");
      }
      await udpSendFrom("127.0.0.2", server.udpPort, "hola");
      await waitForStderr(server, /datagram not answered[\s\S]*"address-filtered"/);
    } finally {
      await server.stop();
    }
  });

  test("MAYUS_DENY takes comma-separated rules; refusals are not logged one by one", async () => {
    const server = await startMayusServer(["--tcp"], { MAYUS_DENY: "192.0.2.0/24, 127.0.0.2" });
    try {
      const refusals = 30;
      for (let count = 0; count < refusals; count++) {
        assert.equal((await tcpExchangeFrom("127.0.0.2", server.tcpPort, "hola")).length, 0);
      }
      assert.equal((await tcpExchangeFrom("127.0.0.1", server.tcpPort, "hola")).toString(), "HOLA");
      // Logged like the other refusals: at most a line a second per reason, not one per connection.
      const logged = server.stderr().match(/connection refused/g)?.length ?? 0;
      assert.ok(logged >= 1 && logged < refusals, `${logged} lines for ${refusals} refusals`);
    } finally {
      await server.stop();
    }
  });

  test("with --proxy-protocol the header's client is filtered, not the balancer's address", async () => {
    // The balancer (this test, 127.0.0.1) is in no allow rule: only the clients it names count.
    const server = await startMayusServer([
      "--tcp",
      "--proxy-protocol",
      "--allow",
      "192.0.2.0/24",
      "--deny",
      "192.0.2.1",
    ]);
    try {
      const header = (client: string) => `PROXY TCP4 ${client} 198.51.100.7 56324 12000\r\n`;
      const allowed = await tcpExchange(server.tcpPort, [Buffer.from(`${header("192.0.2.2")}hola`)]);
      assert.equal(allowed.toString(), "HOLA");
      const denied = await tcpExchangeFrom("127.0.0.1", server.tcpPort, `${header("192.0.2.1")}hola`);
      assert.equal(denied.length, 0);
      const notAllowed = await tcpExchangeFrom("127.0.0.1", server.tcpPort, `${header("203.0.113.5")}hola`);
      assert.equal(notAllowed.length, 0);
      await waitForStderr(server, /peer: "192\.0\.2\.1"[\s\S]*reason: "address-filtered"/);
    } finally {
      await server.stop();
    }
  });

  test("a bad rule, on the command line or in a file, is a usage error (exit 2) that names it", async () => {
    const flag = await runMayus(["serve", "--port", "0", "--allow", "10.0.0.0/33"]);
    assert.equal(flag.code, 2);
    assert.match(flag.stderr, /--allow: "10\.0\.0\.0\/33" is not an IPv4 or IPv6 address or CIDR/);
    const rules = join(directory, "bad.txt");
    writeFileSync(rules, "10.0.0.0/8\n# fine so far\nlocalhost\n");
    const file = await runMayus(["serve", "--port", "0", "--deny", `@${rules}`, "--lang", "es"]);
    assert.equal(file.code, 2);
    assert.match(file.stderr, /--deny: .*bad\.txt línea 3: "localhost" no es una dirección/);
    assert.equal(file.stderr.trim().split("\n").length, 1);
  });

  test("an --allow that names no network (empty file, comments only, unset variable) is exit 2, not everyone served", async () => {
    const empty = join(directory, "empty-allow.txt");
    writeFileSync(empty, "# the networks, one per line\n\n");
    for (const [args, env] of [
      [["--allow", `@${empty}`], {}],
      [["--allow", ","], {}],
      [["--allow", ""], {}],
      [[], { MAYUS_ALLOW: "" }],
    ] as const) {
      const finished = await runMayus(["serve", "--port", "0", ...args], "", { env });
      assert.equal(finished.code, 2, `${args.join(" ")} ${JSON.stringify(env)}: ${finished.stderr}`);
      assert.match(finished.stderr, /--allow .* names no network, so no client would be served/);
      assert.equal(finished.stderr.trim().split("\n").length, 1, finished.stderr);
      assert.doesNotMatch(finished.stdout.toString(), /listening/);
    }
  });

  test("an empty --deny file denies no one: the server starts and serves", async () => {
    const empty = join(directory, "empty-deny.txt");
    writeFileSync(empty, "");
    const server = await startMayusServer(["--tcp", "--host", "127.0.0.1", "--deny", `@${empty}`]);
    try {
      assert.equal((await tcpExchangeFrom("127.0.0.1", server.tcpPort, "abc")).toString(), "ABC");
    } finally {
      await server.stop();
    }
  });
});
