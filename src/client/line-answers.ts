/**
 * Which reply bytes answer which `TcpClient.request()`. The transform never makes or removes a
 * newline, so the answer to the lines between the Nth and the Mth newline sent is the reply
 * between the Nth and the Mth newline received: requests are told apart by counting newlines.
 */

const NEWLINE = 0x0a;

/** A request waiting for the newline that ends its answer. */
export interface LineRequest {
  /** Its answer starts after this many answered newlines, and is whole at `lastNewline`. */
  readonly afterNewline: number;
  readonly lastNewline: number;
  readonly chunks: Buffer[];
}

export class LineAnswers {
  /** Requests not yet answered, in the order their lines were sent. */
  #requests: LineRequest[] = [];

  /** A request for lines just sent: newlines `afterNewline + 1` through `lastNewline`. */
  add(afterNewline: number, lastNewline: number): LineRequest {
    const request = { afterNewline, lastNewline, chunks: [] };
    this.#requests.push(request);
    return request;
  }

  /** Forgets a request (answered or failed); its answer is `Buffer.concat(request.chunks)`. */
  remove(request: LineRequest): void {
    const index = this.#requests.indexOf(request);
    if (index !== -1) this.#requests.splice(index, 1);
  }

  /** Hands each line's part of a reply to the request it answers, if any; `answeredBefore` newlines came earlier. */
  collect(reply: Buffer, answeredBefore: number): void {
    if (this.#requests.length === 0) return;
    let answered = answeredBefore;
    for (let start = 0; start < reply.length; ) {
      const newline = reply.indexOf(NEWLINE, start);
      const end = newline === -1 ? reply.length : newline + 1;
      // These bytes answer the line after the `answered`th newline.
      const owner = this.#requests.find(
        (request) => answered >= request.afterNewline && answered < request.lastNewline,
      );
      owner?.chunks.push(reply.subarray(start, end));
      if (newline !== -1) answered++;
      start = end;
    }
  }
}
