// Configuration problems: one ConfigIssue per problem found, ConfigError to throw them all at once.
import { pick, type Bilingual, type Lang } from "../i18n/lang.js";

/** Pseudo file name of issues found in environment variables. */
export const ENV_FILE = "(env)";

export type IssueSeverity = "error" | "warning";

/** One problem in the configuration, located precisely enough for an administrator to fix it. */
export interface ConfigIssue {
  /** Path relative to the config directory, "/"-separated ("sop/agencies/dinkes.yaml"), or "(env)". */
  file: string;
  /** Dotted key path ("agencies[12].code"), the variable name for "(env)", "" for the whole file. */
  key: string;
  /** 1-based line in the file, when known. */
  line?: number;
  /** Errors stop Pantau from starting; warnings are shown by `pantau config check` only. */
  severity: IssueSeverity;
  /** What is wrong and how to fix it. */
  message: Bilingual;
}

/** Thrown by loadConfig: every error found, not just the first. `file`/`key` are the first one's. */
export class ConfigError extends Error {
  readonly code = "CONFIG_INVALID";
  readonly file: string;
  readonly key: string;
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[], lang: Lang = "id") {
    const errors = issues.filter((i) => i.severity === "error");
    const shown = errors.length > 0 ? errors : issues;
    const head =
      lang === "en"
        ? `Invalid Pantau configuration (${shown.length} error(s)):`
        : `Konfigurasi Pantau tidak valid (${shown.length} kesalahan):`;
    super([head, ...shown.map((i) => "  " + formatConfigIssue(i, lang))].join("\n"));
    this.name = "ConfigError";
    this.issues = shown;
    this.file = shown[0]?.file ?? "";
    this.key = shown[0]?.key ?? "";
  }
}

/** "file:line: key: message" (line and key left out when unknown). */
export function formatConfigIssue(issue: ConfigIssue, lang: Lang): string {
  const where = issue.line !== undefined ? `${issue.file}:${issue.line}` : issue.file;
  const key = issue.key ? `${issue.key}: ` : "";
  const tag =
    issue.severity === "warning" ? pick(lang, { id: "peringatan: ", en: "warning: " }) : "";
  return `${where}: ${tag}${key}${pick(lang, issue.message)}`;
}

/**
 * Text for `pantau config check`: errors first, then warnings, one per line, followed by a count.
 * Pure: no I/O, no colours.
 */
export function formatConfigIssues(issues: readonly ConfigIssue[], lang: Lang): string {
  const errors = issues.filter((i) => i.severity === "error");
  const warnings = issues.filter((i) => i.severity === "warning");
  const lines = [...errors, ...warnings].map((i) => formatConfigIssue(i, lang));
  if (errors.length === 0 && warnings.length === 0) {
    lines.push(pick(lang, { id: "Konfigurasi valid.", en: "Configuration is valid." }));
  } else {
    lines.push(
      pick(lang, {
        id: `${errors.length} kesalahan, ${warnings.length} peringatan.`,
        en: `${errors.length} error(s), ${warnings.length} warning(s).`,
      }),
    );
  }
  return lines.join("\n");
}

/** ["versions", 0, "targets", "verification"] → "versions[0].targets.verification". */
export function keyPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

/** Splits a message written "Indonesian / English" (DurationError style) into its two halves. */
export function splitBilingual(text: string): Bilingual {
  const at = text.indexOf(" / ");
  if (at < 0) return { id: text, en: text };
  return { id: text.slice(0, at), en: text.slice(at + 3) };
}
