// Checked by `npm run typecheck`, never run: the library's types say what its users may write.
// Each `@ts-expect-error` line must fail to compile; if it compiled (a misspelled event accepted,
// a string answer typed as a Buffer), the directive itself is an error and the typecheck fails.

import { type TcpClient, type UdpClient, uppercase } from "../src/index.js";

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

export function clientEventsAreTyped(client: TcpClient): void {
  client.on("reply", (bytes: Buffer) => bytes.length);
  // @ts-expect-error a misspelled event name
  client.on("replay", (bytes: Buffer) => bytes.length);
  // @ts-expect-error a reply is bytes
  client.on("reply", (text: string) => text);
}

export async function clientsAreAlike(tcp: TcpClient, udp: UdpClient): Promise<void> {
  await tcp.open();
  await udp.open();
  const answers: Buffer[] = [await tcp.request("uno"), await udp.request("dos")];
  void answers;
}
