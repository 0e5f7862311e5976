/**
 * What a test server accepted, handed out in order to whoever asks, before or after it arrives:
 * `push` in the server's connection handler, `next()` in the test.
 *
 * @example
 * const accepted = acceptQueue<Socket>();
 * const server = createServer((socket) => accepted.push(socket));
 * const socket = await accepted.next();
 */
export function acceptQueue<Item>(): { push(item: Item): void; next(): Promise<Item> } {
  const ready: Item[] = [];
  const waiting: ((item: Item) => void)[] = [];
  return {
    push(item) {
      const taker = waiting.shift();
      if (taker) taker(item);
      else ready.push(item);
    },
    next() {
      return new Promise((resolve) => {
        const item = ready.shift();
        if (item !== undefined) resolve(item);
        else waiting.push(resolve);
      });
    },
  };
}
