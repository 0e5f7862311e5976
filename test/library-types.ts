// Checked by `npm run typecheck`, never run: the library's types say what its users may write.
// Each `@ts-expect-error` line must fail to compile; if it compiled (a misspelled event accepted,
// a string answer typed as a Buffer), the directive itself is an error and the typecheck fails.

import {
  type TcpClient,
  type TcpConnection,
  type TcpDrainReport,
  type TcpServer,
  type UdpClient,
  type UdpServer,
  uppercase,
} from "../src/index.js";

export function eventsAreTyped(tcpServer: TcpServer, udpServer: UdpServer, client: TcpClient): void {
  tcpServer.on("connection", (connection: TcpConnection) => connection.remoteAddress);
  tcpServer.on("connection-closed", (connection) => connection.bytesSent);
  tcpServer.once("idle", () => {});
  // @ts-expect-error a misspelled event name
  tcpServer.on("conection", () => {});
  // @ts-expect-error the listener's argument is a TcpConnection, not a string
  tcpServer.on("connection", (connection: string) => connection);
  // @ts-expect-error "idle" has no arguments
  tcpServer.emit("idle", 1);

  client.on("reply", (bytes: Buffer) => bytes.length);
  // @ts-expect-error a misspelled event name
  client.on("replay", (bytes: Buffer) => bytes.length);
  // @ts-expect-error a reply is bytes
  client.on("reply", (text: string) => text);

  // @ts-expect-error a UdpServer emits no events at all
  udpServer.on("message", () => {});
}

export function uppercaseKeepsTheInputsType(): void {
  const text: string = uppercase("ñandú");
  const bytes: Buffer = uppercase(Buffer.from("ñandú"));
  const fromView: Buffer = uppercase(new Uint8Array([0x61]), { mode: "ascii" });
  // @ts-expect-error a string in is a string out
  const notBytes: Buffer = uppercase("ñandú");
  // @ts-expect-error bytes in are bytes out
  const notText: string = uppercase(Buffer.from("ñandú"));
  void [text, bytes, fromView, notBytes, notText];
}

export async function clientsAreAlike(tcp: TcpClient, udp: UdpClient): Promise<void> {
  await tcp.open();
  await udp.open();
  const answers: Buffer[] = [await tcp.request("uno"), await udp.request("dos")];
  void answers;
}

export async function closeSaysWhatItGives(tcp: TcpServer, udp: UdpServer, client: UdpClient): Promise<void> {
  const report: TcpDrainReport = await tcp.close();
  const udpClosing: Promise<void> = udp.close();
  // @ts-expect-error UdpServer.close() resolves with nothing, not a report
  const notAReport: Promise<TcpDrainReport> = udp.close();
  // @ts-expect-error UdpClient.close() returns nothing to wait for
  const notAPromise: Promise<void> = client.close();
  await Promise.all([udpClosing, notAReport, notAPromise]);
  void report;
}
