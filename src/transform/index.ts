/** The pure transform: no I/O, only bytes in and bytes out. */
export { uppercaseAsciiInPlace } from "./ascii.js";
export { EchoTransform } from "./echo.js";
export {
  ASCII_GROWTH,
  MAX_UNICODE_GROWTH,
  resolveTransformOptions,
  TRANSFORM_MODES,
  type TransformMode,
  type TransformOptions,
  TransformOptionsError,
} from "./options.js";
export { UppercaseStream } from "./uppercase-stream.js";
export {
  AsciiUppercaser,
  createUppercaser,
  type OneShotOptions,
  type Uppercaser,
  uppercase,
  uppercaserFactory,
} from "./uppercaser.js";
