// ncat's and nc's habits in client, ping and bench: -u, HOST:PORT, [v6]:PORT, -4/-6, -w, -v, the
// errors that say what to do, NO_COLOR/FORCE_COLOR and the examples ending each --help; each
// run as a user would, against a real `mayus serve` on 127.0.0.1 and ::1.

import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { after, before, describe, test } from "node:test";
import { EXIT_CODES } from "../src/errors.js";
import {
  MAYUS,
  type MayusServer,
  PEERS,
  peerAvailable,
  run,
  runMayus,
  start,
  startMayusServer,
  waitForOutput,
} from "./support/processes.js";

/** One line on stderr, `mayus: ` first, matching the pattern. */
function assertOneLineError(stderr: string, pattern: RegExp): void {
  const lines = stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, `expected one line, got: ${stderr}`);
  assert.match(lines[0], /^mayus: /);
  assert.match(lines[0], pattern);
}

describe("the target forms against mayus serve on 127.0.0.1 and ::1 (TCP and UDP)", () => {
  let server: MayusServer;
  before(async () => {
    // `::` takes IPv4 and IPv6 alike, so every form below reaches the same server.
    server = await startMayusServer(["--host", "::"]);
  });
  after(async () => {
    const finished = await server.stop();
    assert.equal(finished.code, 0, finished.stderr);
  });

  test("TCP: HOST:PORT, [v6]:PORT, a bare v6 literal and PORT, [v6] PORT", async () => {
    const port = String(server.tcpPort);
    for (const args of [
      [`127.0.0.1:${port}`],
      [`localhost:${port}`],
      [`[::1]:${port}`],
      ["::1", port],
      ["[::1]", port],
    ]) {
      const result = await runMayus(["client", ...args], "hola ñandú\n");
      assert.equal(result.code, 0, `${args.join(" ")}: ${result.stderr}`);
      assert.equal(result.stdout.toString(), "HOLA ÑANDÚ\n", args.join(" "));
    }
  });

  test("[::1] alone is ::1 on the default port, not a name to look up", async () => {
    const result = await runMayus(["client", "[::1]"], "");
    // Whether something answers on 12000 here or not, the target is [::1]:12000.
    assert.ok(result.code === 0 || /connection refused by \[::1\]:12000/.test(result.stderr), result.stderr);
    assert.doesNotMatch(result.stderr, /not found/);
  });

  test("UDP with -u: HOST:PORT and [v6]:PORT", async () => {
    for (const target of [`127.0.0.1:${server.udpPort}`, `[::1]:${server.udpPort}`]) {
      const result = await runMayus(["client", "-u", target], "uno\ndos\n");
      assert.equal(result.code, 0, `${target}: ${result.stderr}`);
      assert.equal(result.stdout.toString(), "UNO\nDOS\n", target);
    }
  });

  test("-4 and -6 pick the family, as the -v trace shows (TCP and UDP)", async () => {
    const cases = [
      { args: ["-4", `localhost:${server.tcpPort}`], peer: `127.0.0.1:${server.tcpPort}` },
      { args: ["-6", "::1", String(server.tcpPort)], peer: `[::1]:${server.tcpPort}` },
      { args: ["-u", "-4", `localhost:${server.udpPort}`], peer: `127.0.0.1:${server.udpPort}` },
      { args: ["-u", "-6", `[::1]:${server.udpPort}`], peer: `[::1]:${server.udpPort}` },
    ];
    for (const { args, peer } of cases) {
      const result = await runMayus(["client", "-v", ...args], "abc\n");
      assert.equal(result.code, 0, `${args.join(" ")}: ${result.stderr}`);
      assert.equal(result.stdout.toString(), "ABC\n");
      assert.ok(result.stderr.includes(`send     ${peer} `), `${args.join(" ")}: ${result.stderr}`);
    }
  });

  test("-v and --verbose trace each socket step, as --trace does", async () => {
    for (const flag of ["-v", "--verbose", "--trace"]) {
      const result = await runMayus(["client", flag, `127.0.0.1:${server.tcpPort}`], "x\n");
      assert.equal(result.code, 0, result.stderr);
      for (const step of ["tcp socket", "tcp connect", "tcp send", "tcp recv", "tcp close"]) {
        assert.ok(result.stderr.includes(step), `${flag}: no "${step}" in ${result.stderr}`);
      }
    }
  });

  test("-w and --connect-timeout leave a server that answers alone", async () => {
    // The upper bounds, and a fraction of a second.
    for (const args of [
      ["-w", "3600"],
      ["-w", "0.5"],
      ["--connect-timeout", "3600000"],
    ]) {
      const result = await runMayus(["client", ...args, `[::1]:${server.tcpPort}`], "w\n");
      assert.equal(result.code, 0, `${args.join(" ")}: ${result.stderr}`);
      assert.equal(result.stdout.toString(), "W\n");
    }
  });

  test("ping and bench take HOST:PORT, [v6]:PORT and -4/-6 too", async () => {
    const ping = await runMayus(["ping", "-c", "2", "-i", "0.05", `[::1]:${server.udpPort}`]);
    assert.equal(ping.code, 0, ping.stderr);
    assert.match(ping.stdout.toString(), /2 packets transmitted, 2 received/);
    const ping4 = await runMayus(["ping", "-4", "-c", "1", `localhost:${server.udpPort}`]);
    assert.equal(ping4.code, 0, ping4.stderr);
    assert.match(ping4.stdout.toString(), /Reply from 127\.0\.0\.1:/);
    for (const [target, udp] of [
      [`127.0.0.1:${server.tcpPort}`, []],
      [`[::1]:${server.udpPort}`, ["-u"]],
    ] as const) {
      const bench = await runMayus(["bench", ...udp, "-6", "--duration", "0.2", "--warmup", "0", "--json", target]);
      if (target.startsWith("127")) {
        // -6 and an IPv4 literal: a usage error before any load.
        assert.equal(bench.code, EXIT_CODES.usage, bench.stderr);
        assertOneLineError(bench.stderr, /-6 asks for IPv6, but 127\.0\.0\.1 is an IPv4 address.*mayus bench --help/);
      } else {
        assert.equal(bench.code, 0, bench.stderr);
        const report = JSON.parse(bench.stdout.toString()) as { errors: { total: number } };
        assert.equal(report.errors.total, 0);
      }
    }
  });
});

describe("-w: a connect that never completes fails at the limit, exit 5", () => {
  test("against a listener whose accept queue is full (SYNs dropped), -w 0.3 and --connect-timeout 300", async (t) => {
    if (!peerAvailable("python3")) return t.skip("python3 is missing");
    // listen(0) and never accept: once one connection waits in the queue, the kernel drops
    // further SYNs, so a connect hangs until the client gives up.
    const code =
      "import socket,time\ns=socket.socket()\ns.bind(('127.0.0.1',0))\ns.listen(0)\n" +
      "print('ready tcp',s.getsockname()[1],flush=True)\ntime.sleep(60)";
    const listener = start("python3", ["-c", code]);
    const port = Number((await waitForOutput(listener, /ready tcp (\d+)/))[1]);
    const filler: Socket = connect(port, "127.0.0.1");
    await new Promise<void>((resolve, reject) => filler.once("connect", resolve).once("error", reject));
    try {
      const cases: Array<[string[], NodeJS.ProcessEnv]> = [
        [["-w", "0.3"], {}],
        [["--connect-timeout", "300"], {}],
        [[], { MAYUS_CONNECT_TIMEOUT: "300" }],
        // A flag on the command line wins over the variable.
        [["-w", "0.3"], { MAYUS_CONNECT_TIMEOUT: "3600000" }],
      ];
      for (const [args, env] of cases) {
        // Without the limit the client waits for the kernel (minutes): the run's kill would end it.
        const result = await runMayus(["client", ...args, `127.0.0.1:${port}`], "x\n", { env, timeoutMs: 20_000 });
        const name = `${args.join(" ")} ${JSON.stringify(env)}`;
        assert.equal(result.code, EXIT_CODES.timeout, `${name}: ${result.stderr}`);
        assertOneLineError(
          result.stderr,
          new RegExp(`no connection to 127\\.0\\.0\\.1:${port} in 300 ms: .* -w gives it longer`),
        );
      }
    } finally {
      filler.destroy();
      await listener.stop();
    }
  });
});

describe("usage errors say what happened and what to do", () => {
  const cases: Array<[string[], RegExp]> = [
    [["client", "-x"], /^mayus: unknown option '-x' \(see 'mayus client --help'\)$/],
    [["client", "--ud"], /unknown option '--ud' \(Did you mean --udp\?\) \(see 'mayus client --help'\)$/],
    [["ping", "--bogus"], /unknown option '--bogus' \(see 'mayus ping --help'\)$/],
    [["--bogus"], /unknown option '--bogus' \(see 'mayus --help'\)$/],
    [["client", "localhost", "abc"], /the PORT argument must be a whole number from 1 to 65535, not "abc"/],
    [["client", "localhost", "0"], /the PORT argument must be a whole number from 1 to 65535, not "0"/],
    [["bench", "localhost", "70000"], /the PORT argument .* not "70000" \(see 'mayus bench --help'\)/],
    [["client", "localhost:http"], /the port in "localhost:http" must be a whole number from 1 to 65535, not "http"/],
    [["ping", "[::1]:"], /the port in "\[::1\]:" must be/],
    [
      ["client", "localhost:12000", "13000"],
      /the port is given twice, in "localhost:12000" and as the PORT argument "13000"/,
    ],
    [["client", "[::1"], /"\[::1" is not HOST, HOST:PORT or \[IPv6\]:PORT/],
    // An IPv6 address and a port without brackets: never looked up as a name, the fix is named.
    [["client", "::1:12000"], /"::1:12000" is not an IPv6 address: .* write \[::1\]:12000 \(or ::1 12000\)/],
    [["ping", "fe80::1%lo:80"], /write \[fe80::1%lo\]:80 \(or fe80::1%lo 80\) \(see 'mayus ping --help'\)$/],
    [["bench", "a:b:c"], /"a:b:c" is not HOST, HOST:PORT or \[IPv6\]:PORT/],
    [["client", "-6", "127.0.0.1"], /-6 asks for IPv6, but 127\.0\.0\.1 is an IPv4 address: drop -6/],
    [["client", "-4", "[::1]:12000"], /-4 asks for IPv4, but ::1 is an IPv6 address: drop -4/],
    [["client", "-4", "-6", "localhost"], /option '-4, --ipv4' cannot be used with option '-6, --ipv6'/],
    [["client", "-w", "1", "--connect-timeout", "10"], /-w and --connect-timeout set the same limit: give one/],
    [["client", "-w", "soon"], /--wait must be a duration from 1ms to 1h: a number of seconds, .*not "soon"/],
    [["client", "-w", "0"], /--wait must be a duration from 1ms to 1h: .*not "0"/],
    [["client", "-w", "3600.5"], /--wait must be a duration from 1ms to 1h: .*not "3600.5"/],
    [["client", "--connect-timeout", "0"], /--connect-timeout must be a duration from 1ms to 1h: .*not "0"/],
    [["client", "--connect-timeout", "3600001"], /--connect-timeout must be a duration from 1ms to 1h/],
  ];
  for (const [args, pattern] of cases) {
    test(`mayus ${args.join(" ")}: exit 2`, async () => {
      const result = await runMayus(args, "x\n");
      assert.equal(result.code, EXIT_CODES.usage, result.stderr);
      assertOneLineError(result.stderr, pattern);
      assert.equal(result.stdout.length, 0);
    });
  }

  test("in Spanish too", async () => {
    const unknown = await runMayus(["client", "-x", "--lang", "es"]);
    assertOneLineError(unknown.stderr, /^mayus: opción desconocida '-x' \(vea 'mayus client --help'\)$/);
    const port = await runMayus(["client", "localhost", "abc", "--lang", "es"]);
    assertOneLineError(port.stderr, /el argumento PUERTO debe ser un número entero de 1 a 65535, no "abc"/);
  });
});

describe("NO_COLOR and FORCE_COLOR", () => {
  const RED_PREFIX = "\x1b[1;31mmayus:\x1b[0m ";

  test("into a pipe: no colour, unless FORCE_COLOR; NO_COLOR wins; FORCE_COLOR=0 is off", async () => {
    const cases: Array<[NodeJS.ProcessEnv, boolean]> = [
      [{ NO_COLOR: "", FORCE_COLOR: "" }, false],
      [{ NO_COLOR: "", FORCE_COLOR: "1" }, true],
      [{ NO_COLOR: "1", FORCE_COLOR: "1" }, false],
      [{ NO_COLOR: "", FORCE_COLOR: "0" }, false],
    ];
    for (const [env, coloured] of cases) {
      const error = await runMayus(["client", "-x"], "", { env });
      assert.equal(
        error.stderr.startsWith(RED_PREFIX),
        coloured,
        `${JSON.stringify(env)}: ${JSON.stringify(error.stderr)}`,
      );
      const help = await runMayus(["client", "--help"], "", { env });
      assert.equal(help.stdout.toString().startsWith("\x1b[1mUsage:\x1b[0m"), coloured, JSON.stringify(env));
      if (!coloured) assert.ok(!(help.stdout.toString() + error.stderr).includes("\x1b["), JSON.stringify(env));
    }
  });

  test("on a terminal: colour, unless NO_COLOR", async (t) => {
    if (!peerAvailable("python3")) return t.skip("python3 is missing");
    for (const [noColour, coloured] of [
      ["", true],
      ["1", false],
    ] as const) {
      const drive = await run(
        "python3",
        [`${PEERS}pty_drive.py`, "[]", "--", process.execPath, MAYUS, "client", "-x"],
        "",
        {
          env: { NO_COLOR: noColour, FORCE_COLOR: "" },
        },
      );
      const screen = JSON.parse(drive.stdout.toString()) as string;
      assert.match(screen, /unknown option '-x'/);
      assert.equal(screen.includes(RED_PREFIX), coloured, JSON.stringify(screen));
    }
  });
});

describe("--help of each subcommand ends with three examples", () => {
  for (const command of ["serve", "client", "ping", "bench", "heartbeat", "completion"]) {
    for (const [language, title] of [
      ["en", "Examples:"],
      ["es", "Ejemplos:"],
    ] as const) {
      test(`mayus ${command} --help --lang ${language}`, async () => {
        const result = await runMayus([command, "--help", "--lang", language]);
        assert.equal(result.code, 0, result.stderr);
        const text = result.stdout.toString();
        const examples = text
          .slice(text.lastIndexOf(`\n${title}\n`) + title.length + 2)
          .trimEnd()
          .split("\n");
        assert.ok(text.includes(`\n${title}\n`), text);
        assert.equal(examples.length, 6, text);
        for (let index = 0; index < 6; index += 2) {
          assert.match(examples[index], new RegExp(`^  .*mayus ${command}\\b`));
          assert.match(examples[index + 1], /^ {6}\S/);
        }
      });
    }
  }
});
