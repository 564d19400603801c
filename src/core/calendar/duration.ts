// Parsing and formatting of SLA target durations ("3wd", "2wh", "14d").
import type { Duration, DurationUnit } from "../types.js";

/** Thrown for a malformed or non-positive duration. Message: Indonesian first, then English. */
export class DurationError extends Error {
  readonly code = "DURATION_INVALID";
  constructor(message: string) {
    super(message);
    this.name = "DurationError";
  }
}

const UNIT_MS: Readonly<Record<DurationUnit, number>> = {
  wd: 86_400_000,
  d: 86_400_000,
  wh: 3_600_000,
};

/** Milliseconds of budget in one unit: a working or calendar day is 24 h, a working hour 1 h. */
export function unitMs(unit: DurationUnit): number {
  const ms = UNIT_MS[unit];
  if (ms === undefined) {
    throw new DurationError(
      `Satuan durasi "${String(unit)}" tidak dikenal: gunakan wd, wh atau d / unknown duration unit "${String(unit)}": use wd, wh or d`,
    );
  }
  return ms;
}

const PATTERN = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(wd|wh|d)\s*$/i;

/** Parses "3wd", "2wh", "14d", "1.5wd" (case-insensitive, spaces around tolerated). */
export function parseDuration(text: string): Duration {
  const m = typeof text === "string" ? PATTERN.exec(text) : null;
  const shown = String(text);
  if (!m || m[1] === undefined || m[2] === undefined) {
    throw new DurationError(
      `Durasi "${shown}" tidak valid: gunakan angka diikuti wd, wh atau d (contoh 3wd) / invalid duration "${shown}": use a number followed by wd, wh or d (e.g. 3wd)`,
    );
  }
  const amount = Number(m[1]);
  if (!Number.isFinite(amount) || amount <= 0) {
    throw new DurationError(
      `Durasi "${shown}" tidak valid: jumlah harus lebih dari 0 / invalid duration "${shown}": the amount must be greater than 0`,
    );
  }
  return { amount, unit: m[2].toLowerCase() as DurationUnit };
}

/** Inverse of parseDuration: { amount: 3, unit: "wd" } → "3wd". */
export function formatDuration(d: Duration): string {
  return `${d.amount}${d.unit}`;
}
