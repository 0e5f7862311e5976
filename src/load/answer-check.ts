/**
 * Checking TCP answers as they arrive: each read is compared, byte for byte, with the part of
 * the expected answer it should be, without copying it.
 */

import type { AnswerSource } from "./tcp-load.js";

/**
 * Compares `readBuffer[start..end)` with the expected answer from `state.answerOffset` on, and
 * moves that offset; returns how many bytes of the read belonged to the answer. Shared by
 * every kind of TCP connection.
 */
export function consumeAnswerBytes(
  source: AnswerSource,
  state: { answerOffset: number; answerOk: boolean },
  start: number,
  end: number,
): number {
  const { expected, readBuffer } = source;
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
