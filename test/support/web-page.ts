// Test support for `mayus serve --web`: start it as a user would, read the page's URL from
// its startup lines, and talk to its WebSocket as the page does, frame by frame.

import { WebSocket } from "ws";
import { type MayusServer, startMayusServer, waitForOutput } from "./processes.js";

export interface WebServe extends MayusServer {
  /** `http://127.0.0.1:PORT/`, as `serve` printed it (in whatever language). */
  webUrl: string;
}

/** `mayus serve --web 0 --port 0 --host 127.0.0.1 ARGS...`, once its web line is out. */
export async function startWebServe(args: readonly string[] = [], env: NodeJS.ProcessEnv = {}): Promise<WebServe> {
  const server = await startMayusServer(["--web", "0", ...args], env);
  try {
    // The line is in the server's language (--lang es: "página web en"); the URL is the same.
    const [, webUrl] = await waitForOutput(server, /^mayus: .* (http:\/\/\S+\/)$/m);
    return { ...server, webUrl };
  } catch (error) {
    // A server that never said where its page is must not outlive the test (its pipes keep it waiting).
    await server.stop();
    throw error;
  }
}

// biome-ignore lint/suspicious/noExplicitAny: frames are JSON of several shapes
export type Frame = Record<string, any>;

/** A WebSocket to the page's endpoint that keeps every frame, and waits for one that matches. */
export class PageSocket {
  readonly frames: Frame[] = [];
  closeCode: number | undefined;
  readonly opened: Promise<void>;
  readonly closed: Promise<number>;

  constructor(
    readonly socket: WebSocket,
    readonly handshakeStatus?: Promise<number>,
  ) {
    socket.on("message", (data) => this.frames.push(JSON.parse(data.toString())));
    this.opened = new Promise((resolve, reject) => {
      socket.once("open", () => resolve());
      socket.once("error", reject);
    });
    this.closed = new Promise((resolve) => {
      socket.once("close", (code) => {
        this.closeCode = code;
        resolve(code);
      });
    });
  }

  static async open(
    webUrl: string,
    path = "events?lang=en",
    headers: Record<string, string> = {},
  ): Promise<PageSocket> {
    const page = new PageSocket(new WebSocket(`${webUrl.replace(/^http/, "ws")}${path}`, { headers }));
    await page.opened;
    return page;
  }

  send(frame: Frame | string): void {
    this.socket.send(typeof frame === "string" ? frame : JSON.stringify(frame));
  }

  /** The first frame from `from` on that matches; fails after `timeoutMs` with the frames seen. */
  async next(match: (frame: Frame) => boolean, timeoutMs = 15_000, from = 0): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.slice(from).find(match);
      if (found !== undefined) return found;
      if (Date.now() > deadline || this.closeCode !== undefined) {
        const seen = this.frames.map((frame) => JSON.stringify(frame).slice(0, 160)).join("\n");
        throw new Error(`no matching frame (closed: ${this.closeCode}); frames:\n${seen}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  close(): void {
    this.socket.close();
  }
}
