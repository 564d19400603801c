// Parsing of instants given on the command line (--now, --from, --to): ISO 8601 with an offset,
// or a local date-time read in the given zone.
import { DateTime } from "luxon";
import type { Instant } from "../core/types.js";
import { UsageError } from "./errors.js";

export function parseInstant(text: string, zone: string, option: string): Instant {
  const value = text.trim();
  const hasOffset = /(?:[zZ]|[+-]\d{2}:?\d{2})$/.test(value);
  const parsed = hasOffset
    ? DateTime.fromISO(value, { setZone: true })
    : DateTime.fromISO(value, { zone });
  if (!parsed.isValid) {
    throw new UsageError(
      `${option} "${text}" bukan waktu ISO 8601 yang valid; contoh: 2025-03-03T10:12:00+07:00 atau 2025-03-03T10:12 (waktu lokal ${zone}). / ` +
        `${option} "${text}" is not a valid ISO 8601 instant; e.g. 2025-03-03T10:12:00+07:00, or 2025-03-03T10:12 (local time in ${zone}).`,
    );
  }
  return parsed.toMillis();
}
