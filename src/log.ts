// Structured JSON logging with winston. Callers log an allow-list of fields (tracking ID, agency
// code, counts); as a backstop a format masks anything that looks like an email or phone number.
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
  /** One readable line per entry (CLI commands on a terminal) instead of JSON. */
  human?: boolean;
}

const humanLine = winston.format.printf((info) => {
  const { level, message, timestamp: _t, service: _s, ...rest } = info as Record<string, unknown>;
  const extras = Object.entries(rest)
    .filter(([k]) => typeof k === "string" && !k.startsWith("Symbol"))
    .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join(" ");
  return `pantau ${String(level)}: ${String(message)}${extras ? ` (${extras})` : ""}`;
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
      options.human ? humanLine : winston.format.json(),
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
