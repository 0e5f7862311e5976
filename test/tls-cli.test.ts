// `mayus serve --tls`, `mayus client --tls` with real peers: openssl s_client, socat OPENSSL:, the mayus client.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect as connectTcp } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { connect as connectTls } from "node:tls";
import { EXIT_CODES } from "../src/errors.js";
import {
  type MayusServer,
  peerAvailable,
  runMayus,
  start,
  startMayusServer,
  waitForOutput,
  waitForStderr,
} from "./support/processes.js";

const BOUNDED = { timeout: 60_000 };
const hasOpenssl = peerAvailable("openssl");
const hasSocat = peerAvailable("socat");
let folder: string;
let certFile: string;
let keyFile: string;

before(() => {
  folder = mkdtempSync(join(tmpdir(), "mayus-tls-"));
  certFile = join(folder, "server.crt");
  keyFile = join(folder, "server.key");
  if (!hasOpenssl) return;
  // A certificate of the kind people pass with --cert/--key, made by the usual tool.
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-days",
      "2",
      "-subj",
      "/CN=localhost",
      "-addext",
      "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1",
      "-keyout",
      keyFile,
      "-out",
      certFile,
    ],
    { stdio: "ignore" },
  );
});

after(() => rmSync(folder, { recursive: true, force: true }));

async function withServer(args: readonly string[], body: (server: MayusServer) => Promise<void>): Promise<string> {
  const server = await startMayusServer(["--tcp", ...args]);
  try {
    await body(server);
  } finally {
    await server.stop();
  }
  return server.stderr();
}

/** The Prometheus text of a server started with --metrics-port 0. */
async function metrics(server: MayusServer): Promise<string> {
  const port = (await waitForOutput(server, /metrics on http port (\d+)/))[1];
  return (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
}

describe("serve --tls with --cert/--key and openssl s_client", { skip: !hasOpenssl }, () => {
  test("a line piped through s_client, verified with -CAfile, comes back uppercase", BOUNDED, async () => {
    await withServer(["--cert", certFile, "--key", keyFile], async (server) => {
      const fingerprint = new X509Certificate(execFileSync("cat", [certFile])).fingerprint256;
      assert.match(
        server.stderr(),
        new RegExp(`certificate of .*server\\.crt \\(CN=localhost\\); SHA-256 fingerprint ${fingerprint}`),
      );
      // s_client keeps the connection after its input ends (-quiet implies -ign_eof): read, then stop it.
      const connect = `127.0.0.1:${server.tcpPort}`;
      const client = start("openssl", [
        "s_client",
        "-connect",
        connect,
        "-CAfile",
        certFile,
        "-verify_return_error",
        "-quiet",
      ]);
      client.child.stdin?.write("hola, ñandú\n");
      await waitForOutput(client, /HOLA, ÑANDÚ\n/);
      await client.stop();
    });
  });

  test(
    "s_client not trusting the certificate: the handshake fails, counted as certificate-rejected",
    BOUNDED,
    async () => {
      await withServer(["--cert", certFile, "--key", keyFile, "--metrics-port", "0"], async (server) => {
        const connect = `127.0.0.1:${server.tcpPort}`;
        // Without -CAfile the self-made certificate is unknown: s_client sends an alert and quits.
        const refused = start("openssl", ["s_client", "-connect", connect, "-verify_return_error"]);
        refused.child.stdin?.end();
        const finished = await refused.exited;
        assert.notEqual(finished.code, 0);
        await waitForStderr(server, /TLS handshake failed[\s\S]*reason: "certificate-rejected"/);
        assert.match(await metrics(server), /mayus_tls_handshake_failures_total\{reason="certificate-rejected"\} 1/);
      });
    },
  );
});

describe("serve --cert with an expired certificate", { skip: !hasOpenssl }, () => {
  test("it starts with a one-line warning; a client that verifies refuses it", BOUNDED, async () => {
    const expiredCert = join(folder, "expired.crt");
    const request = join(folder, "expired.csr");
    execFileSync("openssl", ["req", "-new", "-key", keyFile, "-subj", "/CN=localhost", "-out", request]);
    // Its validity ended a day before it began: expired whatever this machine's clock says.
    execFileSync("openssl", ["x509", "-req", "-in", request, "-key", keyFile, "-days", "-1", "-out", expiredCert], {
      stdio: "ignore",
    });
    const stderr = await withServer(["--cert", expiredCert, "--key", keyFile], async (server) => {
      await waitForStderr(server, /warning: the certificate in .*expired\.crt expired on /);
      const target = ["127.0.0.1", String(server.tcpPort)];
      const insecure = await runMayus(["client", "--insecure", ...target], "hola\n");
      assert.equal(insecure.stdout.toString(), "HOLA\n", insecure.stderr);
      const verified = await runMayus(["client", "--ca", expiredCert, ...target], "hola\n");
      assert.notEqual(verified.code, 0);
      assert.match(verified.stderr, /CERT_HAS_EXPIRED|expired/);
    });
    assert.equal(stderr.match(/expired on/g)?.length, 1, stderr);
  });
});

describe("serve --tls and an old TLS version", { skip: !hasOpenssl }, () => {
  test("s_client -tls1_1: refused (Node's floor is TLS 1.2), counted as protocol-version", BOUNDED, async () => {
    await withServer(["--tls", "--metrics-port", "0"], async (server) => {
      const old = start("openssl", ["s_client", "-connect", `127.0.0.1:${server.tcpPort}`, "-tls1_1"]);
      old.child.stdin?.end();
      await old.exited;
      await waitForStderr(server, /reason: "protocol-version"/);
      assert.match(await metrics(server), /mayus_tls_handshake_failures_total\{reason="protocol-version"\} 1/);
    });
  });
});

describe("serve --tls with a self-signed certificate", () => {
  test("the fingerprint printed is the certificate's; mayus client --insecure and --ca", BOUNDED, async () => {
    await withServer(["--tls"], async (server) => {
      const printed = await waitForStderr(server, /self-signed certificate for (.*); SHA-256 fingerprint (\S+)/);
      assert.match(printed[1] ?? "", /^localhost, 127\.0\.0\.1, ::1/);
      const peer = connectTls({ host: "127.0.0.1", port: server.tcpPort, rejectUnauthorized: false });
      await once(peer, "secureConnect");
      const seen = peer.getPeerX509Certificate();
      peer.destroy();
      assert.equal(seen?.fingerprint256, printed[2]);
      const tcp = String(server.tcpPort);

      const insecure = await runMayus(["client", "--insecure", "127.0.0.1", tcp], "uno\ndos\n");
      assert.equal(insecure.code, 0, insecure.stderr);
      assert.equal(insecure.stdout.toString(), "UNO\nDOS\n");
      assert.match(insecure.stderr, /--insecure: the server's certificate is not verified/);

      const caFile = join(folder, "self-signed.pem");
      writeFileSync(caFile, seen?.toString() ?? "");
      const verified = await runMayus(["client", "--ca", caFile, "localhost", tcp], "tres\n");
      assert.equal(verified.code, 0, verified.stderr);
      assert.equal(verified.stdout.toString(), "TRES\n");
      assert.equal(verified.stderr, "");

      const strict = await runMayus(["client", "--tls", "127.0.0.1", tcp], "cuatro\n");
      assert.equal(strict.code, EXIT_CODES["connection-failed"]);
      assert.match(
        strict.stderr,
        /^mayus: the certificate of 127\.0\.0\.1:\d+ is not trusted \(DEPTH_ZERO_SELF_SIGNED_CERT\): pass its CA with --ca FILE, or --insecure/,
      );
      assert.equal(strict.stderr.trim().split("\n").length, 1, strict.stderr);
    });
  });

  test("on ::1, with TCP and UDP: TLS on TCP, UDP said plain", BOUNDED, async () => {
    const server = await startMayusServer(["--tls", "--host", "::1"]);
    try {
      await waitForStderr(server, /TLS covers TCP only; UDP stays plain \(no DTLS\)/);
      assert.match(server.stderr(), /self-signed certificate for localhost, 127\.0\.0\.1, ::1/);
      const answer = await runMayus(["client", "--insecure", `[::1]:${server.tcpPort}`], "seis\n");
      assert.equal(answer.stdout.toString(), "SEIS\n", answer.stderr);
    } finally {
      await server.stop();
    }
  });

  test("plain bytes to the TLS port: counted as not-tls, logged with the reason, no crash", BOUNDED, async () => {
    const stderr = await withServer(["--tls", "--metrics-port", "0"], async (server) => {
      const raw = connectTcp({ host: "127.0.0.1", port: server.tcpPort });
      raw.on("error", () => {});
      raw.end("GET / HTTP/1.0\r\n\r\n");
      await once(raw, "close");
      await waitForStderr(server, /TLS handshake failed/);
      assert.match(await metrics(server), /mayus_tls_handshake_failures_total\{reason="not-tls"\} 1/);
      assert.match(await metrics(server), /mayus_io_path_info\{protocol="tcp",path="node"\} 1/);
      const still = await runMayus(["client", "--insecure", "127.0.0.1", String(server.tcpPort)], "sigue\n");
      assert.equal(still.stdout.toString(), "SIGUE\n");
    });
    assert.match(stderr, /reason: "not-tls"/);
    assert.match(stderr, /mayus: I\/O: tcp TLS: Node's own I\/O/);
  });

  test("clients that connect and close (FIN) before a handshake free their slots at once", BOUNDED, async () => {
    // A handshake timeout far past the test's: only the FIN can free these slots in time.
    const limits = ["--max-connections-per-address", "2", "--tls-handshake-timeout", "10m"];
    await withServer(["--tls", ...limits, "--metrics-port", "0"], async (server) => {
      for (let i = 0; i < 2; i++) {
        // As `nc -z` or a load balancer's TCP check does: connect, then close without a byte.
        const raw = connectTcp({ host: "127.0.0.1", port: server.tcpPort }, () => raw.end());
        raw.on("error", () => {});
        await once(raw, "close");
      }
      assert.match(await metrics(server), /mayus_tls_handshake_failures_total\{reason="closed"\} 2/);
      const served = await runMayus(["client", "--insecure", "127.0.0.1", String(server.tcpPort)], "sigue\n");
      assert.equal(served.stdout.toString(), "SIGUE\n", served.stderr);
    });
  });

  test("socat OPENSSL: half-closes; the whole answer comes after its input's end", {
    ...BOUNDED,
    skip: !hasSocat,
  }, async () => {
    await withServer(["--tls"], async (server) => {
      // The last byte starts a character that never finishes: the server holds it until the
      // end of the stream, so it arrives only if socat's close_notify/FIN is answered like FIN.
      const input = Buffer.concat([Buffer.from("por socat ß\n"), Buffer.alloc(200_000, "z"), Buffer.from([0xc3])]);
      // -t: after its input ends, socat waits this long for the server's end (it comes sooner).
      const socat = start("socat", ["-t", "30", "-", `OPENSSL:127.0.0.1:${server.tcpPort},verify=0`]);
      socat.child.stdin?.end(input);
      const finished = await socat.exited;
      assert.equal(finished.code, 0, finished.stderr);
      const expected = Buffer.concat([Buffer.from("POR SOCAT SS\n"), Buffer.alloc(200_000, "Z"), Buffer.from([0xc3])]);
      assert.equal(finished.stdout.length, expected.length);
      assert.ok(finished.stdout.equals(expected));
    });
  });

  test("--trace: the lesson's steps, the handshake told with the accept", BOUNDED, async () => {
    const stderr = await withServer(["--tls", "--trace"], async (server) => {
      const answer = await runMayus(["client", "--insecure", "127.0.0.1", String(server.tcpPort)], "ocho\n");
      assert.equal(answer.stdout.toString(), "OCHO\n", answer.stderr);
    });
    assert.match(
      stderr,
      /tcp accept +127\.0\.0\.1:\d+ \(new socket for this client, TLS handshake done \(TLSv1\.3\)\)/,
    );
    assert.match(stderr, /tcp recv +127\.0\.0\.1:\d+ 5 bytes "ocho\\n"/);
    assert.match(stderr, /tcp recv +127\.0\.0\.1:\d+ 0 bytes \(the client finished sending\)/);
  });

  test("s_client -tls1_2 asking to renegotiate (R): refused, the connection ends", BOUNDED, async () => {
    await withServer(["--tls"], async (server) => {
      const client = start("openssl", ["s_client", "-connect", `127.0.0.1:${server.tcpPort}`, "-tls1_2"]);
      client.child.stdin?.on("error", () => {}); // it may have exited when "after" is written
      try {
        client.child.stdin?.write("abc\n");
        await waitForOutput(client, /^ABC$/m);
        // s_client renegotiates on a line that is "R" alone, read on its own.
        client.child.stdin?.write("R\n");
        await waitForStderr(client, /RENEGOTIATING/);
        client.child.stdin?.end("after\n");
        const finished = await client.exited;
        const said = `${finished.stdout.toString()}${finished.stderr}`;
        assert.doesNotMatch(finished.stdout.toString(), /AFTER/, "the connection went on after a renegotiation");
        assert.match(said, /no renegotiation/);
      } finally {
        await client.stop();
      }
    });
  });

  test("--proxy-protocol: a PROXY v1 header in the clear, then the handshake on the same socket", BOUNDED, async () => {
    const stderr = await withServer(["--tls", "--proxy-protocol", "--trace"], async (server) => {
      const raw = connectTcp({ host: "127.0.0.1", port: server.tcpPort });
      await once(raw, "connect");
      raw.write("PROXY TCP6 2001:db8::7 ::1 41000 12000\r\n");
      const secured = connectTls({ socket: raw, rejectUnauthorized: false });
      await once(secured, "secureConnect");
      const received: Buffer[] = [];
      secured.on("data", (chunk: Buffer) => received.push(chunk));
      secured.end("tras el balanceador\n");
      await once(secured, "end");
      assert.equal(Buffer.concat(received).toString(), "TRAS EL BALANCEADOR\n");
    });
    // Logs and limits see the client the header names, not the balancer.
    assert.match(stderr, /tcp accept +\[2001:db8::7\]:41000 \(new socket for this client, TLS handshake done/);
  });

  test("SIGTERM while a TLS client streams: it is served to its end, nothing lost, exit 0", BOUNDED, async () => {
    // A quiet time and a deadline far longer than the stream: a client slowed by a busy machine
    // is still served to its end, never taken for an idle one.
    const server = await startMayusServer(["--tcp", "--tls", "--drain-quiet", "10000", "--drain-timeout", "120000"]);
    const client = start(process.execPath, [
      ...process.execArgv,
      "--input-type=module",
      "-e",
      `import tls from "node:tls";
       const socket = tls.connect({ host: "127.0.0.1", port: ${server.tcpPort}, rejectUnauthorized: false, allowHalfOpen: true });
       let received = 0;
       socket.on("data", (chunk) => { received += chunk.length; });
       socket.on("end", () => { console.log("received " + received); socket.end(); });
       socket.once("secureConnect", async () => {
         console.log("connected");
         for (let i = 0; i < 400; i++) {
           socket.write(Buffer.alloc(1000, "a"));
           if (i === 50) console.log("streaming");
           await new Promise((resolve) => setTimeout(resolve, 5));
         }
         socket.end();
       });`,
    ]);
    await waitForOutput(client, /streaming/);
    server.child.kill("SIGTERM");
    const served = await client.exited;
    const finished = await server.exited;
    assert.match(served.stdout.toString(), /received 400000\n/, served.stderr);
    assert.equal(finished.code, 0, finished.stderr);
  });
});

describe("serve --tls: bad flags and files are one line, exit 2", () => {
  const cases: Array<[string, () => string[], RegExp]> = [
    [
      "a missing --cert file",
      () => ["--cert", join(folder, "none.crt"), "--key", keyFile],
      /^mayus: --cert: cannot read .*none\.crt \(ENOENT\): give a readable PEM file/,
    ],
    [
      "a key given as certificate",
      () => ["--cert", keyFile, "--key", keyFile],
      /server\.key holds no PEM certificate: give the certificate/,
    ],
    [
      "a certificate given as key",
      () => ["--cert", certFile, "--key", certFile],
      /server\.crt holds no usable private key \(.*\): give an unencrypted PEM key/,
    ],
    ["--cert without --key", () => ["--cert", certFile], /--cert and --key go together/],
    ["--tls with UDP alone", () => ["--udp", "--tls"], /--tls is for TCP only \(there is no DTLS\)/],
  ];
  for (const [name, args, message] of cases) {
    test(name, { ...BOUNDED, skip: !hasOpenssl }, async () => {
      const finished = await runMayus(["serve", "--host", "127.0.0.1", "--port", "0", ...args()]);
      assert.equal(finished.code, EXIT_CODES.usage, finished.stderr);
      assert.match(finished.stderr, message);
      assert.equal(finished.stderr.trim().split("\n").length, 1, finished.stderr);
    });
  }

  test("a key that is not the certificate's: said in Spanish too", { ...BOUNDED, skip: !hasOpenssl }, async () => {
    const otherKey = join(folder, "other.key");
    execFileSync("openssl", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", otherKey]);
    const english = await runMayus(["serve", "--cert", certFile, "--key", otherKey]);
    assert.equal(english.code, EXIT_CODES.usage);
    assert.match(english.stderr, /the key in .*other\.key does not belong to the certificate in .*server\.crt/);
    const spanish = await runMayus(["serve", "--lang", "es", "--cert", certFile, "--key", otherKey]);
    assert.match(spanish.stderr, /la clave de .*other\.key no corresponde al certificado de .*server\.crt/);
  });

  test("--tls-handshake-timeout takes a unit like every duration: 2s serves, 10m1ms is refused", BOUNDED, async () => {
    const server = await startMayusServer(["--tcp", "--tls", "--tls-handshake-timeout", "2s"]);
    try {
      const target = ["127.0.0.1", String(server.tcpPort)];
      const answered = await runMayus(["client", "--tls", "--insecure", ...target], "hola\n");
      assert.equal(answered.code, 0, answered.stderr);
      assert.equal(answered.stdout.toString(), "HOLA\n");
    } finally {
      await server.stop();
    }
    const refused = await runMayus(["serve", "--tls", "--tls-handshake-timeout", "10m1ms"]);
    assert.equal(refused.code, EXIT_CODES.usage, refused.stderr);
    assert.match(refused.stderr, /--tls-handshake-timeout must be a duration from .* \(250ms, 2s, 1m, 1h\)/);
    assert.equal(refused.stderr.trim().split("\n").length, 1, refused.stderr);
  });
});

describe("bench --tls", () => {
  test("TCP over TLS: answers checked, the report says TCP+TLS; with -u a usage error", BOUNDED, async () => {
    await withServer(["--tls"], async (server) => {
      const tcp = String(server.tcpPort);
      const args = ["bench", "--insecure", "--connections", "2", "--total-bytes", "51200", "--duration", "30"];
      const bench = await runMayus([...args, "--json", "127.0.0.1", tcp]);
      assert.equal(bench.code, 0, bench.stderr);
      const report = JSON.parse(bench.stdout.toString());
      assert.equal(report.tls, true);
      assert.equal(report.errors.total, 0);
      assert.ok(report.messages >= 100, bench.stdout.toString());
      const text = await runMayus([
        "bench",
        "--insecure",
        "--total-bytes",
        "5120",
        "--duration",
        "30",
        "127.0.0.1",
        tcp,
      ]);
      assert.match(text.stdout.toString(), /^mayus bench: TCP\+TLS 127\.0\.0\.1:/);
      const udp = await runMayus(["bench", "-u", "--tls", "127.0.0.1", tcp]);
      assert.equal(udp.code, EXIT_CODES.usage);
      assert.match(udp.stderr, /--tls is for TCP only/);
    });
  });
});

describe("serve --tls --workers 2", () => {
  test("the primary's self-signed certificate is the one every worker serves", BOUNDED, async () => {
    await withServer(["--tls", "--workers", "2"], async (server) => {
      const printed = (await waitForStderr(server, /SHA-256 fingerprint (\S+)/))[1];
      const seen = new Set<string>();
      // Round robin over two workers: six connections reach both.
      for (let index = 0; index < 6; index++) {
        const peer = connectTls({ host: "127.0.0.1", port: server.tcpPort, rejectUnauthorized: false });
        await once(peer, "secureConnect");
        seen.add(peer.getPeerX509Certificate()?.fingerprint256 ?? "none");
        peer.destroy();
      }
      assert.deepEqual([...seen], [printed]);
      const answer = await runMayus(["client", "--insecure", "127.0.0.1", String(server.tcpPort)], "siete\n");
      assert.equal(answer.stdout.toString(), "SIETE\n", answer.stderr);
    });
  });
});
