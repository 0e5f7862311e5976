/**
 * Checking TCP answers as they arrive: each read is compared, byte for byte, with the part of
 * the expected answer it should be, without copying it.
 */

import type { TcpLoadGenerator } from "./load-generator.js";

/**
 * Compares `readBuffer[start..end)` with the expected answer from `state.answerOffset` on, and
 * moves that offset; returns how many bytes of the read belonged to the answer. Shared by
 * every kind of TCP connection.
 */
export function consumeAnswerBytes(
  generator: TcpLoadGenerator,
  state: { answerOffset: number; answerOk: boolean },
  start: number,
  end: number,
): number {
  const { expected, readBuffer } = generator;
  const take = Math.min(expected.length - state.answerOffset, end - start);
  if (
    state.answerOk &&
    readBuffer.compare(expected, state.answerOffset, state.answerOffset + take, start, start + take) !== 0
  ) {
    state.answerOk = false;
  }
  state.answerOffset += take;
  return take;
}
