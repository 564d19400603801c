// Logging with winston: JSON lines for the journal, files and pipes, or readable lines (time,
// level, message, key fields) on a terminal. Callers log an allow-list of fields (tracking ID,
// agency code, counts); as a backstop a format masks anything that looks like an email or phone
// number, in both formats.
import winston from "winston";

export type Logger = winston.Logger;

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
const PHONE = /(?:\+62|\b0)8\d[\d\s-]{6,12}\d/g;

export function maskPersonalData(text: string): string {
  return text.replace(EMAIL, (m) => `${m[0]}***@***`).replace(PHONE, "08**********");
}

function maskValue(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return maskPersonalData(value);
  if (depth > 4 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v) => maskValue(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = maskValue(v, depth + 1);
  return out;
}

const mask = winston.format((info) => {
  for (const key of Object.keys(info)) {
    (info as Record<string, unknown>)[key] = maskValue((info as Record<string, unknown>)[key]);
  }
  return info;
});

export interface LoggerOptions {
  level: string;
  /** Write to stderr (CLI commands keep stdout for their output). */
  stderr?: boolean;
  silent?: boolean;
  /** One readable line per entry (CLI commands) instead of JSON. */
  human?: boolean;
  /** The daemon's readable line: local time, level, message, key fields (`log.format: text`). */
  text?: boolean;
}

/** Whether the daemon logs readable lines: `text`, or `auto` on a terminal. */
export function wantsTextLogs(format: "auto" | "text" | "json", isTty: boolean): boolean {
  return format === "text" || (format === "auto" && isTty);
}

const humanLine = winston.format.printf((info) => {
  const { level, message, timestamp: _t, service: _s, ...rest } = info as Record<string, unknown>;
  const extras = Object.entries(rest)
    .filter(([k]) => typeof k === "string" && !k.startsWith("Symbol"))
    .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join(" ");
  return `pantau ${String(level)}: ${String(message)}${extras ? ` (${extras})` : ""}`;
});

function fieldsOf(rest: Record<string, unknown>): string {
  return Object.entries(rest)
    .map(([k, v]) => `${k}=${typeof v === "string" && !/\s/.test(v) ? v : JSON.stringify(v)}`)
    .join(" ");
}

/** `2026-11-29 20:41:55 WARN  message  key=value ...` in the process's local time. */
const textLine = winston.format.printf((info) => {
  const {
    level,
    message,
    timestamp,
    service: _s,
    stack,
    ...rest
  } = info as Record<string, unknown>;
  const at = new Date(typeof timestamp === "string" ? timestamp : Date.now());
  const pad = (n: number): string => String(n).padStart(2, "0");
  const time = `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())} ${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}`;
  const fields = fieldsOf(rest);
  const head = `${time} ${String(level).toUpperCase().padEnd(5)} ${String(message)}`;
  return `${head}${fields ? `  ${fields}` : ""}${typeof stack === "string" ? `\n${stack}` : ""}`;
});

export function createLogger(options: LoggerOptions): Logger {
  return winston.createLogger({
    level: options.level,
    silent: options.silent ?? false,
    defaultMeta: { service: "pantau" },
    format: winston.format.combine(
      winston.format.errors({ stack: true }),
      winston.format.timestamp(),
      mask(),
      options.human ? humanLine : options.text ? textLine : winston.format.json(),
    ),
    transports: [
      new winston.transports.Console({
        stderrLevels: options.stderr
          ? ["error", "warn", "info", "http", "verbose", "debug", "silly"]
          : ["error"],
      }),
    ],
  });
}
