#!/usr/bin/env node
// Entry point of the `pantau` command: runs the compiled CLI from dist/.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const entry = join(root, "dist", "src", "cli", "main.js");
if (!existsSync(entry)) {
  console.error(
    "Pantau belum dibangun: jalankan `npm install` (atau `npm run build`) di " +
      root +
      " terlebih dahulu.\nPantau is not built yet: run `npm install` (or `npm run build`) first.",
  );
  process.exit(1);
}
await import(entry);
