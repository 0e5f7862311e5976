// The server's open connections: every add and delete in any order leaves exactly the items
// added and not deleted, each knowing its index; iteration is a snapshot.

import assert from "node:assert/strict";
import { test } from "node:test";
import { ConnectionRegistry, registrySlot } from "./connection-registry.js";

class Item {
  [registrySlot] = -1;
  constructor(readonly name: number) {}
}

test("random adds and deletes keep exactly the open items, each at its own index", () => {
  let seed = 12_000;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const registry = new ConnectionRegistry<Item>();
  const open = new Set<Item>();
  const all: Item[] = [];
  for (let step = 0; step < 5_000; step++) {
    if (open.size === 0 || random() < 0.55) {
      const item = new Item(step);
      all.push(item);
      registry.add(item);
      open.add(item);
    } else {
      const item = all[Math.floor(random() * all.length)] as Item;
      assert.equal(registry.delete(item), open.delete(item), `delete of ${item.name} at step ${step}`);
      assert.equal(item[registrySlot], -1);
    }
    assert.equal(registry.size, open.size);
  }
  const listed = [...registry];
  assert.deepEqual(new Set(listed), open);
  for (const [index, item] of listed.entries()) assert.equal(item[registrySlot], index);
});

test("iterating while items are deleted and added visits each item present at the start once", () => {
  const registry = new ConnectionRegistry<Item>();
  const items = Array.from({ length: 10 }, (_, name) => new Item(name));
  for (const item of items) registry.add(item);
  const visited: number[] = [];
  for (const item of registry.values()) {
    visited.push(item.name);
    registry.delete(item);
    registry.delete(items[9 - item.name] as Item);
    registry.add(new Item(100 + item.name));
  }
  assert.deepEqual(
    visited.sort((a, b) => a - b),
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  );
  assert.equal(registry.size, 10);
});

test("an item in no registry, or deleted twice, is not deleted", () => {
  const registry = new ConnectionRegistry<Item>();
  const kept = new Item(1);
  const other = new Item(2);
  registry.add(kept);
  assert.equal(registry.delete(other), false);
  registry.add(other);
  assert.equal(registry.delete(other), true);
  assert.equal(registry.delete(other), false);
  assert.deepEqual([...registry], [kept]);
});
