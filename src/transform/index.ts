/** The pure transform: no I/O, only bytes in and bytes out. */
export { uppercaseAsciiInPlace } from "./ascii.js";
export { EchoTransform } from "./echo.js";
export { AsciiLowercaser, UnicodeLowercaser } from "./lowercaser.js";
export {
  ASCII_GROWTH,
  LOCALE_MODES,
  MAX_LOCALE_LOWERCASE_GROWTH,
  MAX_LOWERCASE_GROWTH,
  MAX_UNICODE_GROWTH,
  maxGrowthOf,
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
