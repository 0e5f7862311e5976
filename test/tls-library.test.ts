// TLS in the library: TcpServer({ tls }) and TcpClient({ tls }) on loopback, with Node's own TLS as the peer.

import assert from "node:assert/strict";
import { once } from "node:events";
import { connect as connectTcp, type Socket } from "node:net";
import { before, describe, test } from "node:test";
import { type ConnectionOptions, connect as connectTls, type TLSSocket } from "node:tls";
import { TcpClient, TcpServer } from "../src/index.js";
import { generateSelfSigned, type TlsIdentity } from "../src/tcp/tls/self-signed.js";

const BOUNDED = { timeout: 60_000 };
let identity: TlsIdentity;

before(async () => {
  identity = await generateSelfSigned(["localhost", "127.0.0.1", "::1"]);
});

async function withServer(
  options: ConstructorParameters<typeof TcpServer>[0],
  body: (server: TcpServer, port: number) => Promise<void>,
): Promise<void> {
  const tls = { cert: identity.certPem, key: identity.keyPem, ...options?.tls };
  const server = new TcpServer({ host: "127.0.0.1", port: 0, ...options, tls });
  const { port } = await server.listen();
  try {
    await body(server, port);
  } finally {
    await server.close(0);
  }
}

/** A TLS client trusting the server's own certificate, half-open, over `socket` if given. */
function tlsClient(port: number, socket?: Socket): Promise<TLSSocket> {
  const client = connectTls({
    host: "127.0.0.1",
    port,
    socket,
    ca: identity.certPem,
    servername: "localhost",
    allowHalfOpen: true,
  } as ConnectionOptions);
  return new Promise((resolve, reject) => {
    client.once("secureConnect", () => resolve(client));
    client.once("error", reject);
  });
}

/** Sends `bytes`, half-closes (close_notify, FIN), and collects the answer to the server's end. */
async function exchange(client: TLSSocket, bytes: Buffer): Promise<Buffer> {
  const received: Buffer[] = [];
  client.on("data", (chunk: Buffer) => received.push(chunk));
  const ended = once(client, "end");
  client.end(bytes);
  await ended;
  return Buffer.concat(received);
}

describe("TcpServer with tls", () => {
  test("the stream is answered as on plain TCP, the rest after the client's close_notify", BOUNDED, async () => {
    await withServer({}, async (server, port) => {
      // The last byte starts a character that never finishes: it is held until the client's
      // end of stream, then sent as it is, so it arrives only if the end is answered like FIN.
      const input = Buffer.concat([Buffer.from("hola ñ ß\n"), Buffer.alloc(300_000, "x"), Buffer.from([0xc3])]);
      const expected = Buffer.concat([Buffer.from("HOLA Ñ SS\n"), Buffer.alloc(300_000, "X"), Buffer.from([0xc3])]);
      const answer = await exchange(await tlsClient(port), input);
      assert.equal(answer.length, expected.length);
      assert.ok(answer.equals(expected));
      assert.equal(server.statistics().tls?.handshakesCompleted, 1);
    });
  });

  test(
    "PROXY v1 header on the raw socket, then the handshake: the header's client is the one served",
    BOUNDED,
    async () => {
      await withServer({ proxyProtocol: true }, async (server, port) => {
        const accepted = once(server, "connection");
        const raw = connectTcp({ host: "127.0.0.1", port });
        await once(raw, "connect");
        // Header and ClientHello may share a segment: the bytes after the header go to TLS.
        raw.write("PROXY TCP4 192.0.2.9 127.0.0.1 40001 12000\r\n");
        const client = await tlsClient(port, raw);
        const [connection] = await accepted;
        assert.equal(connection.remoteAddress, "192.0.2.9");
        assert.equal(connection.remotePort, 40001);
        assert.equal(
          (await exchange(client, Buffer.from("detrás del balanceador"))).toString(),
          "DETRÁS DEL BALANCEADOR",
        );
      });
    },
  );

  test("plain bytes to the TLS port: a not-tls handshake failure, counted; the server serves on", BOUNDED, async () => {
    await withServer({}, async (server, port) => {
      const raw = connectTcp({ host: "127.0.0.1", port });
      raw.on("error", () => {});
      raw.end("hello, plain text\n");
      await once(raw, "close");
      await until(() => (server.statistics().tls?.handshakeFailures["not-tls"] ?? 0) === 1);
      assert.equal((await exchange(await tlsClient(port), Buffer.from("ok"))).toString(), "OK");
      assert.equal(server.statistics().connectionsAccepted, 1, "a failed handshake is no connection served");
    });
  });

  test(
    "a silent client holds its slot until --tls-handshake-timeout, then it is counted and freed",
    BOUNDED,
    async () => {
      await withServer(
        { maxConnectionsPerAddress: 1, tls: { cert: identity.certPem, key: identity.keyPem, handshakeTimeoutMs: 300 } },
        async (server, port) => {
          const silent = connectTcp({ host: "127.0.0.1", port });
          silent.on("error", () => {});
          await once(silent, "connect");
          await until(() => server.statistics().tls?.connectionsHandshaking === 1);
          // The per-address limit counts the silent one: a second client from 127.0.0.1 is refused.
          await assert.rejects(tlsClient(port));
          assert.equal(server.statistics().refused["max-connections-per-address"], 1);
          await once(silent, "close");
          assert.equal(server.statistics().tls?.handshakeFailures.timeout, 1);
          assert.equal((await exchange(await tlsClient(port), Buffer.from("next"))).toString(), "NEXT");
        },
      );
    },
  );

  test(
    "draining: a handshake that says nothing for drainQuietMs is closed, not reset, not a failure",
    BOUNDED,
    async () => {
      const server = new TcpServer({
        host: "127.0.0.1",
        port: 0,
        drainQuietMs: 50,
        tls: { cert: identity.certPem, key: identity.keyPem },
      });
      const { port } = await server.listen();
      const silent = connectTcp({ host: "127.0.0.1", port });
      silent.on("error", () => {});
      await once(silent, "connect");
      await until(() => server.statistics().tls?.connectionsHandshaking === 1);
      // Far past the quiet time: only the quiet rule can end the drain before it.
      const report = await server.close(60_000);
      assert.equal(report.connectionsReset, 0);
      const failures = Object.values(server.statistics().tls?.handshakeFailures ?? {});
      assert.equal(
        failures.reduce((sum, count) => sum + count, 0),
        0,
      );
      silent.destroy();
    },
  );

  test("the drain deadline resets a TLS connection still busy (RST on its TCP socket)", BOUNDED, async () => {
    const server = new TcpServer({ host: "127.0.0.1", port: 0, tls: { cert: identity.certPem, key: identity.keyPem } });
    const { port } = await server.listen();
    const client = await tlsClient(port);
    const failed = new Promise<NodeJS.ErrnoException>((resolve) => client.on("error", resolve));
    // Keeps sending, so it never goes quiet: only the deadline ends it.
    const timer = setInterval(() => client.write("busy "), 10);
    client.resume();
    await until(() => server.statistics().connectionsActive === 1);
    const report = await server.close(200);
    clearInterval(timer);
    assert.equal(report.connectionsReset, 1);
    assert.equal((await failed).code, "ECONNRESET");
  });
});

describe("TcpClient with tls", () => {
  test("verifies against ca; without it the self-signed server is refused with what to pass", BOUNDED, async () => {
    await withServer({}, async (_server, port) => {
      const trusting = new TcpClient({ host: "127.0.0.1", port, tls: { ca: identity.certPem } });
      assert.equal((await trusting.request("uno\n")).toString(), "UNO\n");
      await trusting.end();
      const strict = new TcpClient({ host: "127.0.0.1", port, tls: true });
      await assert.rejects(strict.open(), /not trusted \(DEPTH_ZERO_SELF_SIGNED_CERT\).*--ca/);
      const insecure = new TcpClient({ host: "127.0.0.1", port, tls: { insecure: true } });
      assert.equal((await insecure.request("dos\n")).toString(), "DOS\n");
      await insecure.end();
    });
  });
});

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 10));
}
