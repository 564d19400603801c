// Helpers for reading config files: issues (errors and warnings located by file, key and line),
// schema parsing that turns zod issues into config issues, and directory listings of YAML files.
import { readdirSync, statSync } from "node:fs";
import type { z } from "zod";
import type { Bilingual } from "../i18n/lang.js";
import { keyPath, type ConfigIssue } from "./issues.js";
import { zodIssues } from "./schema.js";
import type { YamlFile } from "./yamlFile.js";

/** The files and folders of the config directory. */
export const PANTAU_FILE = "pantau.yaml";
export const AGENCIES_FILE = "agencies.yaml";
export const CALENDAR_FILE = "calendar.yaml";
export const HOLIDAYS_DIR = "holidays";
export const DEFAULT_SOP_FILE = "sop/default.yaml";
export const AGENCY_SOP_DIR = "sop/agencies";

/** The environment variables Pantau reads, with what they override. */

export type Raw = Record<string, unknown>;

export function asRecord(v: unknown): Raw {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Raw) : {};
}

export function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function err(
  file: YamlFile | string,
  path: readonly PropertyKey[] | string,
  message: Bilingual,
): ConfigIssue {
  const rel = typeof file === "string" ? file : file.rel;
  const key = typeof path === "string" ? path : keyPath(path);
  const line = typeof file === "string" || typeof path === "string" ? undefined : file.lineOf(path);
  return { file: rel, key, severity: "error", message, ...(line !== undefined ? { line } : {}) };
}

export function warn(file: string, key: string, message: Bilingual): ConfigIssue {
  return { file, key, severity: "warning", message };
}

/** safeParse + issue conversion. */
export function parseFile<S extends z.ZodType>(
  schema: S,
  file: YamlFile,
  issues: ConfigIssue[],
): z.output<S> | undefined {
  const r = schema.safeParse(file.data);
  if (r.success) return r.data;
  issues.push(...zodIssues(r.error, schema, file));
  return undefined;
}

export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

export function listYaml(dir: string): string[] | undefined {
  try {
    return readdirSync(dir)
      .filter((f) => /\.ya?ml$/i.test(f) && !f.startsWith("."))
      .sort();
  } catch {
    return undefined;
  }
}
