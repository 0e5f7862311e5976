/**
 * What TcpClient has sent, kept until answered so it can be sent again on a new connection. The
 * transform never makes or removes a newline, so a sent line is answered when its newline comes
 * back: the bookkeeping counts newlines sent and newlines answered.
 */

const NEWLINE = 0x0a;

interface SentChunk {
  bytes: Buffer;
  newlines: number;
}

export class SentLines {
  readonly #replayLimitBytes: number;
  /** Sent bytes not known to be answered, oldest first. */
  #sent: SentChunk[] = [];
  #sentBytes = 0;
  #sentNewlines = 0;
  /** Newlines in the chunks already dropped from `#sent`. */
  #droppedNewlines = 0;
  #keepingForReplay = true;

  /** Past `replayLimitBytes` unanswered, the stream is not line-oriented: nothing more is kept. */
  constructor(replayLimitBytes: number) {
    this.#replayLimitBytes = replayLimitBytes;
  }

  /** Newlines sent so far. */
  get newlines(): number {
    return this.#sentNewlines;
  }

  /** Whether unanswered bytes are still kept (false once they went over the limit). */
  get keepingForReplay(): boolean {
    return this.#keepingForReplay;
  }

  /** Counts the newlines of bytes about to be sent, and keeps the bytes. */
  keep(bytes: Buffer): void {
    let newlines = 0;
    for (let at = bytes.indexOf(NEWLINE); at !== -1; at = bytes.indexOf(NEWLINE, at + 1)) newlines++;
    this.#sentNewlines += newlines;
    if (!this.#keepingForReplay) return;
    this.#sent.push({ bytes, newlines });
    this.#sentBytes += bytes.length;
    if (this.#sentBytes > this.#replayLimitBytes) {
      this.#keepingForReplay = false;
      this.#sent = [];
      this.#sentBytes = 0;
    }
  }

  /** Drops sent chunks whose every line has been answered. */
  dropAnswered(answeredNewlines: number): void {
    while (this.#sent.length > 0) {
      const first = this.#sent[0];
      const newlinesThrough = this.#droppedNewlines + first.newlines;
      const fullyAnswered =
        newlinesThrough < answeredNewlines ||
        (newlinesThrough === answeredNewlines && first.bytes[first.bytes.length - 1] === NEWLINE);
      if (!fullyAnswered) return;
      this.#sent.shift();
      this.#sentBytes -= first.bytes.length;
      this.#droppedNewlines += first.newlines;
    }
  }

  /** The sent bytes after the last answered newline. */
  unanswered(answeredNewlines: number): Buffer[] {
    let newlinesToSkip = answeredNewlines - this.#droppedNewlines;
    const rest: Buffer[] = [];
    for (const { bytes, newlines } of this.#sent) {
      if (newlinesToSkip === 0) {
        rest.push(bytes);
      } else if (newlinesToSkip > newlines) {
        newlinesToSkip -= newlines; // every line this chunk touches ends in an answered newline
      } else {
        // The answered part ends inside this chunk, just after its newlinesToSkip-th newline.
        let start = 0;
        for (; newlinesToSkip > 0; newlinesToSkip--) start = bytes.indexOf(NEWLINE, start) + 1;
        if (start < bytes.length) rest.push(bytes.subarray(start));
      }
    }
    return rest;
  }

  unansweredBytes(answeredNewlines: number): number {
    let total = 0;
    for (const bytes of this.unanswered(answeredNewlines)) total += bytes.length;
    return total;
  }
}
