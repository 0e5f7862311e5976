/**
 * The server-wide bound on answer bytes waiting in send buffers. Each connection reports
 * what it holds; when the total passes the bound, connections stop reading until their
 * buffers drain, so memory stays bounded however many clients stop reading at once.
 */

export class BufferBudget {
  #usedBytes = 0;

  constructor(readonly maxBytes: number) {}

  get usedBytes(): number {
    return this.#usedBytes;
  }

  get isExhausted(): boolean {
    return this.#usedBytes >= this.maxBytes;
  }

  /** A connection's buffered bytes changed by `deltaBytes` (negative when they drained). */
  adjust(deltaBytes: number): void {
    this.#usedBytes += deltaBytes;
  }
}
