// Removes from dist/ what no source in src/ builds any more (a module moved or deleted), so a
// tarball packed from a working checkout never ships a stale file. It removes only orphans,
// never the whole folder: tests may be running the built command while it runs.
import { existsSync, readdirSync, rmSync } from "node:fs";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const dist = join(root, "dist");
const suffixes = [".d.ts.map", ".js.map", ".d.ts", ".js"];

// The web page's files, copied from src/web/assets by the build: plain JavaScript with no .ts source.
const copied = [join(dist, "web", "assets")];

function prune(folder) {
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (copied.includes(path)) continue;
    if (entry.isDirectory()) {
      prune(path);
      if (readdirSync(path).length === 0) rmSync(path, { recursive: true });
      continue;
    }
    const suffix = suffixes.find((candidate) => entry.name.endsWith(candidate));
    if (suffix === undefined) continue;
    const source = join(root, "src", relative(dist, path).slice(0, -suffix.length));
    if (!existsSync(`${source}.ts`)) rmSync(path);
  }
}

if (existsSync(dist)) prune(dist);
