/**
 * The TCP server's open connections: an array, each connection holding its own index, so that
 * adding and removing one is a push and a pop, with no hashing. A `Set` served before, and on a
 * connection-per-message load it cost twice over: its table is rebuilt every few adds and
 * deletes (`Runtime_SetGrow`), and each table it leaves behind in the old generation still
 * points at the connections it held, so those, with their sockets, survived the next scavenge
 * and were promoted (`node --trace-gc-nvp` under W5's load shows the bytes that survive).
 */

/** Where an item sits in its registry (-1: in none); declared by the item's class. */
export const registrySlot: unique symbol = Symbol("registrySlot");

export interface Registered {
  [registrySlot]: number;
}

/**
 * @example
 * ```ts
 * import { ConnectionRegistry, registrySlot } from "./connection-registry.js";
 * class Item { [registrySlot] = -1; }
 * const registry = new ConnectionRegistry<Item>();
 * const item = new Item();
 * registry.add(item);
 * registry.size; // 1
 * registry.delete(item); // true
 * ```
 */
export class ConnectionRegistry<Item extends Registered> implements Iterable<Item> {
  readonly #items: Item[] = [];

  get size(): number {
    return this.#items.length;
  }

  /** Adds `item`, which must be in no registry. */
  add(item: Item): void {
    item[registrySlot] = this.#items.length;
    this.#items.push(item);
  }

  /** Removes `item`; false if it was not here. The last item takes its place. */
  delete(item: Item): boolean {
    const items = this.#items;
    const index = item[registrySlot];
    if (index < 0 || items[index] !== item) return false;
    // pop() leaves no reference behind in the array's old-generation store (see above).
    const last = items.pop() as Item;
    if (last !== item) {
      items[index] = last;
      last[registrySlot] = index;
    }
    item[registrySlot] = -1;
    return true;
  }

  /**
   * The items now, in no particular order: a copy, so that adding or removing while iterating
   * (a connection that closes while a caller walks them) neither skips nor repeats one.
   */
  values(): IterableIterator<Item> {
    return this.#items.slice().values();
  }

  [Symbol.iterator](): IterableIterator<Item> {
    return this.values();
  }
}
