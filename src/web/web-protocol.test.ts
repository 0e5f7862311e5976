// The page's commands, checked field by field: each bound at its edge, and no field that
// could point the bridge anywhere else.
import assert from "node:assert/strict";
import { test } from "node:test";
import { CommandError, MAX_SIMULATED_DELAY_MS, parseCommand } from "./web-protocol.js";

const code = (text: string) => {
  const parsed = parseCommand(text);
  return parsed instanceof CommandError ? parsed.key : "ok";
};

test("send: protocol tcp or udp, a string line, a whole id; nothing else", () => {
  assert.deepEqual(parseCommand('{"type":"send","protocol":"udp","line":"hola"}'), {
    type: "send",
    id: 0,
    protocol: "udp",
    line: "hola",
  });
  assert.equal(code('{"type":"send","id":4,"protocol":"tcp","line":""}'), "ok");
  assert.equal(code('{"type":"send","protocol":"sctp","line":"x"}'), "web.error.badProtocol");
  assert.equal(code('{"type":"send","protocol":"tcp","line":5}'), "web.error.badLine");
  assert.equal(code('{"type":"send","id":-1,"protocol":"tcp","line":"x"}'), "web.error.badId");
  assert.equal(code('{"type":"send","id":1.5,"protocol":"tcp","line":"x"}'), "web.error.badId");
  for (const field of ["host", "port", "address", "family"]) {
    assert.equal(code(`{"type":"send","protocol":"tcp","line":"x","${field}":1}`), "web.error.unknownField");
  }
});

test("simulator: probabilities 0 to 1, delays 0 to the maximum, at their edges", () => {
  const simulator = (fields: string) => code(`{"type":"simulator",${fields}}`);
  assert.equal(simulator(`"drop":1,"duplicate":0,"delayMs":${MAX_SIMULATED_DELAY_MS},"jitterMs":0`), "ok");
  assert.equal(simulator('"drop":1.0001'), "web.error.badNumber");
  assert.equal(simulator('"duplicate":-0.01'), "web.error.badNumber");
  assert.equal(simulator(`"delayMs":${MAX_SIMULATED_DELAY_MS + 1}`), "web.error.badNumber");
  assert.equal(simulator('"jitterMs":"5"'), "web.error.badNumber");
  assert.equal(simulator('"seed":7'), "web.error.unknownField");
  assert.deepEqual(parseCommand('{"type":"simulator","drop":0.25}'), {
    type: "simulator",
    dropProbability: 0.25,
    duplicateProbability: 0,
    delayMs: 0,
    jitterMs: 0,
  });
});

test("not JSON, not an object, no known type: each its own error", () => {
  assert.equal(code("{"), "web.error.badJson");
  assert.equal(code("[1]"), "web.error.notObject");
  assert.equal(code("null"), "web.error.notObject");
  assert.equal(code('"send"'), "web.error.notObject");
  assert.equal(code('{"type":"connect","host":"example.com"}'), "web.error.badType");
});
