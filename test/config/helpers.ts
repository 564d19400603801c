// Test helpers: a throw-away copy of the shipped config directory that a test can break.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { ConfigIssue } from "../../src/config/index.js";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const SHIPPED_CONFIG = join(REPO_ROOT, "config");

const made: string[] = [];

/** Copies config/ to a fresh temporary directory. */
export function copyConfig(): string {
  const dir = mkdtempSync(join(tmpdir(), "pantau-config-"));
  cpSync(SHIPPED_CONFIG, dir, { recursive: true });
  made.push(dir);
  return dir;
}

/** Removes every directory made by copyConfig. */
export function cleanup(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Replaces `from` by `to` in `file` of `dir`; fails loudly if `from` is not there. */
export function edit(dir: string, file: string, from: string | RegExp, to: string): void {
  const path = join(dir, file);
  const text = readFileSync(path, "utf8");
  const next = text.replace(from, to);
  if (next === text) throw new Error(`test setup: ${String(from)} not found in ${file}`);
  writeFileSync(path, next);
}

export function write(dir: string, file: string, text: string): void {
  writeFileSync(join(dir, file), text);
}

export function errorsOf(issues: readonly ConfigIssue[]): ConfigIssue[] {
  return issues.filter((i) => i.severity === "error");
}

/** The issue at file + key, or undefined; a readable list when absent helps debugging. */
export function findIssue(
  issues: readonly ConfigIssue[],
  file: string,
  key: string,
): ConfigIssue | undefined {
  return issues.find((i) => i.file === file && i.key === key);
}

export function describeIssues(issues: readonly ConfigIssue[]): string {
  return issues.map((i) => `${i.file}: ${i.key}: ${i.message.en}`).join("\n");
}
