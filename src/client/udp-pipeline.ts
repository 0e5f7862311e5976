/** Piped UDP: lines to a UdpClient with a window in flight, outcomes handed on in input order. */

export interface PipelineOptions {
  /** Requests waiting for their reply at once. */
  window: number;
  /**
   * Bytes of lines read and not yet handed on (requests in flight, replies held behind an
   * earlier line still retried): reading waits at this bound, so memory stays bounded.
   */
  holdBytes: number;
}

export type LineOutcome = { line: number; reply: Buffer } | { line: number; error: unknown };

interface Entry {
  line: number;
  bytes: number;
  outcome: LineOutcome | undefined;
}

/**
 * Sends each line as one request, up to `window` waiting at once; the window counts requests
 * still waiting, not lines since the oldest, so the rest keep moving while one line is sent
 * again. `deliver` gets each outcome in input order and returns whether to go on.
 *
 * @example
 * ```ts
 * import { Readable } from "node:stream";
 * import { pipeLines } from "./udp-pipeline.js";
 * import { readLines } from "./lines.js";
 * import { UDP_CLIENT_DEFAULTS, UdpClient } from "./udp-client.js";
 * const client = new UdpClient({ host: "127.0.0.1", port: 12000 });
 * const input = Readable.from([Buffer.from("uno\ndos\n")]); // process.stdin, say
 * await pipeLines((line, n) => client.request(line, n), readLines(input), UDP_CLIENT_DEFAULTS,
 *   async (outcome) => {
 *     console.log("reply" in outcome ? outcome.reply.toString() : outcome.error); // "UNO\n", then "DOS\n"
 *     return true; // go on
 *   });
 * client.close();
 * ```
 */
export async function pipeLines(
  request: (payload: Buffer, line: number) => Promise<Buffer>,
  lines: AsyncIterable<Buffer>,
  options: PipelineOptions,
  deliver: (outcome: LineOutcome) => Promise<boolean>,
): Promise<void> {
  const queue: Entry[] = [];
  let waiting = 0;
  let heldBytes = 0;
  let stopped = false;
  let wake: (() => void) | undefined;
  const changed = () => new Promise<void>((resolve) => (wake = resolve));

  const handOnSettled = async () => {
    while (!stopped && queue.length > 0 && queue[0].outcome !== undefined) {
      const entry = queue.shift() as Entry;
      heldBytes -= entry.bytes;
      if (!(await deliver(entry.outcome as LineOutcome))) stopped = true;
    }
  };

  let lineNumber = 0;
  for await (const payload of lines) {
    lineNumber++;
    // A line longer than the bound still goes, alone: the bound delays lines, it drops none.
    while (
      !stopped &&
      (waiting >= options.window || (queue.length > 0 && heldBytes + payload.length > options.holdBytes))
    ) {
      await changed();
      await handOnSettled();
    }
    if (stopped) break;
    const entry: Entry = { line: lineNumber, bytes: payload.length, outcome: undefined };
    queue.push(entry);
    waiting++;
    heldBytes += payload.length;
    request(payload, lineNumber)
      .then(
        (reply) => {
          heldBytes += reply.length - entry.bytes;
          entry.bytes = reply.length;
          entry.outcome = { line: entry.line, reply };
        },
        (error: unknown) => {
          entry.outcome = { line: entry.line, error };
        },
      )
      .finally(() => {
        waiting--;
        wake?.();
      });
    await handOnSettled();
  }
  while (!stopped && queue.length > 0) {
    if (queue[0].outcome === undefined) await changed();
    await handOnSettled();
  }
}
