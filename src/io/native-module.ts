/**
 * Loads one of mayus's optional native modules from `build/` (scripts/build-native.mjs builds
 * them at install). A module that was not built, or does not load in this Node, is reported
 * as unavailable, and its caller takes Node's own path instead. `MAYUS_NATIVE=0` in the
 * environment reports every one unavailable, so the pure TypeScript path can be run (the
 * benchmark's row without native modules, and tests) on a machine where they are built.
 */

import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

/** The module, or why there is none. */
/** The environment variable that switches the native modules off when it is "0". */
export const NATIVE_SWITCH = "MAYUS_NATIVE";

export interface LoadedNativeModule<Module> {
  module?: Module;
  unavailable?: string;
}

/**
 * `functions` are the names the caller uses: a module built from older sources (a `git pull`
 * without `npm run build`) that lacks one is unavailable, not a crash on first use.
 *
 * @example
 * ```ts
 * import { loadNativeModule } from "./native-module.js";
 * type Send = { send(fd: number, buffer: Uint8Array, length: number): number };
 * const { module, unavailable } = loadNativeModule<Send>("stream-syscalls", ["send"]);
 * console.log(module === undefined ? `not loaded: ${unavailable}` : "loaded");
 * ```
 */
export function loadNativeModule<Module>(name: string, functions: readonly string[]): LoadedNativeModule<Module> {
  if (process.platform === "win32") return { unavailable: "not built on Windows" };
  if (process.env[NATIVE_SWITCH] === "0") return { unavailable: `switched off (${NATIVE_SWITCH}=0)` };
  // `build/` at the project root: two levels above src/io and dist/io alike.
  const path = fileURLToPath(new URL(`../../build/${name}.node`, import.meta.url));
  let module: Record<string, unknown>;
  try {
    module = createRequire(import.meta.url)(path) as Record<string, unknown>;
  } catch (error) {
    return { unavailable: (error as Error).message };
  }
  const missing = functions.filter((function_) => typeof module[function_] !== "function");
  if (missing.length > 0)
    return { unavailable: `${path} has no ${missing.join(", ")}: it was built from older sources (npm run build)` };
  return { module: module as Module };
}
