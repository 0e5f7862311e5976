// The one event stream: every subscriber sees every event, in order, until it unsubscribes.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { TraceEvent } from "./trace.js";
import { TraceEventSource } from "./trace-events.js";

test("each subscriber gets each event in order; unsubscribing stops only that one", () => {
  const source = new TraceEventSource();
  const terminal: string[] = [];
  const page: string[] = [];
  source.subscribe((event) => terminal.push(event.step));
  const unsubscribePage = source.subscribe((event) => page.push(event.step));
  const steps: TraceEvent["step"][] = ["socket", "bind", "listen"];
  for (const step of steps) source.tracer({ step, protocol: "tcp" });
  unsubscribePage();
  source.tracer({ step: "accept", protocol: "tcp" });
  assert.deepEqual(terminal, ["socket", "bind", "listen", "accept"]);
  assert.deepEqual(page, ["socket", "bind", "listen"]);
  assert.equal(source.subscriberCount, 1);
});

test("the same printer subscribed twice prints twice and is unsubscribed once per call", () => {
  const source = new TraceEventSource();
  let count = 0;
  const printer = () => count++;
  const first = source.subscribe(printer);
  source.subscribe(printer);
  source.tracer({ step: "close", protocol: "udp" });
  first();
  source.tracer({ step: "close", protocol: "udp" });
  assert.equal(count, 3);
});
