/**
 * The probes of a bound `dgram` socket's private parts: Node's `SendWrap` (a send request the
 * UDP handle takes, reused across replies) from `process.binding("udp_wrap")`, and the handle
 * itself under dgram's state symbol, whose receiver can be replaced. Without them, dgram's
 * public events and send() serve.
 */

import type { Socket as DatagramSocket, RemoteInfo } from "node:dgram";
import { probeFailed } from "./probes.js";

/** What a UDP handle offers (`internalBinding('udp_wrap').UDP`), as far as mayus uses it. */
export interface UdpHandle {
  /** The socket's descriptor (-1 where there is none to share, as on Windows). */
  fd: number;
  recvStop(): number;
  onmessage: (bytesRead: number, handle: unknown, buffer: Buffer, remote: RemoteInfo) => void;
  /** sendto: the reply's length + 1 when sent at once, 0 when queued, a negative errno on failure. */
  send(
    request: SendRequest,
    buffers: Buffer[],
    count: number,
    port: number,
    address: string,
    hasCallback: boolean,
  ): number;
}

/** Node's `SendWrap`: the C++ request behind a send that has to wait for the socket. */
export interface SendRequest {
  oncomplete?: (status: number, bytesSent: number) => void;
}

export type SendRequestConstructor = new () => SendRequest;

/** Node's SendWrap constructor, or undefined where `process.binding("udp_wrap")` does not offer it. */
export const SendWrap = findSendWrap();

function findSendWrap(): SendRequestConstructor | undefined {
  try {
    const binding = (process as unknown as { binding(name: string): { SendWrap?: unknown } }).binding("udp_wrap");
    if (typeof binding.SendWrap === "function") return binding.SendWrap as SendRequestConstructor;
    probeFailed("udp-send-wrap", "process.binding('udp_wrap') has no SendWrap");
  } catch (error) {
    probeFailed("udp-send-wrap", `process.binding('udp_wrap') threw: ${(error as Error).message}`);
  }
  return undefined;
}

/** The handle inside a bound `dgram` socket, if it is the kind mayus can drive. */
export function udpHandleOf(socket: DatagramSocket): UdpHandle | undefined {
  const stateSymbol = Object.getOwnPropertySymbols(socket).find((symbol) => symbol.description === "state symbol");
  if (stateSymbol === undefined) {
    probeFailed("udp-state-handle", "the dgram socket has no 'state symbol'");
    return undefined;
  }
  const state = (socket as unknown as Record<symbol, { handle?: Partial<UdpHandle> | null } | undefined>)[stateSymbol];
  const handle = state?.handle;
  if (typeof handle?.send !== "function" || typeof handle.onmessage !== "function") {
    probeFailed("udp-state-handle", "dgram's state holds no handle with send() and onmessage");
    return undefined;
  }
  // dgram's own receiver is what is replaced: anything else means this Node works otherwise.
  if (handle.onmessage.name !== "onMessage") {
    probeFailed(
      "udp-state-handle",
      `the handle's receiver is ${handle.onmessage.name || "anonymous"}, not dgram's onMessage`,
    );
    return undefined;
  }
  return handle as UdpHandle;
}
