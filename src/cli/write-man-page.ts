/** Build step: writes man/mayus.1 (English) from the command line's own definitions. */

import { mkdirSync, writeFileSync } from "node:fs";
import { englishManPage } from "./man-page.js";

const target = new URL("../../man/", import.meta.url);
mkdirSync(target, { recursive: true });
writeFileSync(new URL("mayus.1", target), englishManPage());
