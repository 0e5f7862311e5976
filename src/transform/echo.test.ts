import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createUppercaser, resolveTransformOptions, TransformOptionsError, uppercase } from "./index.js";

describe("echo mode", () => {
  const bytes = Buffer.concat([Buffer.from("straße ñ abc ŉ"), Buffer.from([0, 0xff, 0xc3])]);

  test("every byte comes back unchanged, binary and ill-formed UTF-8 too", () => {
    assert.deepEqual(uppercase(bytes, { mode: "echo" }), bytes);
  });

  test("as a stream cut anywhere: the same bytes, nothing held", () => {
    const echo = createUppercaser({ mode: "echo" });
    const output = [...bytes].map((byte) => echo.push(Buffer.from([byte])));
    assert.equal(echo.heldBytes, 0);
    assert.deepEqual(Buffer.concat([...output, echo.end()]), bytes);
  });

  test("push copies unless told it may answer in place", () => {
    const echo = createUppercaser({ mode: "echo" });
    const chunk = Buffer.from("abc");
    const copy = echo.push(chunk);
    copy[0] = 0x7a;
    assert.equal(chunk.toString(), "abc");
    assert.equal(echo.push(chunk, true), chunk);
  });

  test("a locale is refused with it, as with ascii", () => {
    assert.throws(() => resolveTransformOptions({ mode: "echo", locale: "tr" }), TransformOptionsError);
  });
});
