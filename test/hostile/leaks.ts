/**
 * Test support for the hostile suite: after a test file, nothing it started may be left
 * behind. Take a baseline before the file's tests (`resourceBaseline()`), then call
 * `assertNoLeaks(baseline)` in its `after`: every kind of active resource (sockets, servers,
 * timers, pipes, child processes) is back to its count at the baseline, and every child
 * process started since has exited, within a short settle time.
 */

import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";

export interface ResourceBaseline {
  /** How many of each kind `process.getActiveResourcesInfo()` listed. */
  resources: Map<string, number>;
  /** Child processes alive then (the tsx loader's esbuild service is one). */
  children: Set<number>;
}

export function resourceBaseline(): ResourceBaseline {
  return { resources: countResources(), children: childProcessIds() };
}

/**
 * Fails with what was left behind if, after up to `settleMs`, some kind of resource is more
 * numerous than at the baseline or a child started since is still alive (or unreaped).
 */
export async function assertNoLeaks(baseline: ResourceBaseline, settleMs = 2000): Promise<void> {
  const deadline = Date.now() + settleMs;
  for (;;) {
    const leftResources = excess(baseline.resources, countResources());
    const leftChildren = [...childProcessIds()].filter((pid) => !baseline.children.has(pid));
    if (leftResources.length === 0 && leftChildren.length === 0) return;
    if (Date.now() >= deadline) {
      const described = leftChildren.map((pid) => `${pid} (${commandLine(pid)})`);
      assert.fail(
        `left behind: resources ${JSON.stringify(leftResources)}; child processes ${JSON.stringify(described)}`,
      );
    }
    await sleep(50);
  }
}

function countResources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return counts;
}

function excess(before: Map<string, number>, now: Map<string, number>): string[] {
  const left: string[] = [];
  for (const [kind, count] of now) {
    const more = count - (before.get(kind) ?? 0);
    if (more > 0) left.push(`${more} x ${kind}`);
  }
  return left;
}

/** This process's children, from /proc (every thread's list: libuv spawns from the main one). */
export function childProcessIds(): Set<number> {
  const pids = new Set<number>();
  let tasks: string[];
  try {
    tasks = readdirSync("/proc/self/task");
  } catch {
    return pids; // not Linux: the resource count above still sees live child processes
  }
  for (const task of tasks) {
    try {
      for (const pid of readFileSync(`/proc/self/task/${task}/children`, "utf8").trim().split(/\s+/)) {
        if (pid !== "") pids.add(Number(pid));
      }
    } catch {
      // the thread ended while we looked
    }
  }
  return pids;
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ").trim();
  } catch {
    return "?";
  }
}
