/**
 * Loads one of mayus's optional native modules from `build/` (scripts/build-native.mjs builds
 * them at install). A module that was not built, or does not load in this Node, is reported
 * as unavailable, and its caller takes Node's own path instead.
 */

import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

/** The module, or why there is none. */
export interface LoadedNativeModule<Module> {
  module?: Module;
  unavailable?: string;
}

/**
 * @example
 * const { module, unavailable } = loadNativeModule<{ send(...): number }>("stream-syscalls");
 */
export function loadNativeModule<Module>(name: string): LoadedNativeModule<Module> {
  if (process.platform === "win32") return { unavailable: "not built on Windows" };
  // `build/` at the project root: two levels above src/net and dist/net alike.
  const path = fileURLToPath(new URL(`../../build/${name}.node`, import.meta.url));
  try {
    return { module: createRequire(import.meta.url)(path) as Module };
  } catch (error) {
    return { unavailable: (error as Error).message };
  }
}
