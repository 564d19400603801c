// Quiet hours for chat messages: a message composed inside the window waits until it ends
// (local time of the regency's zone); email is never held.
//
// Pure: no I/O, no clock reads (`now` is an argument).
//
// API
// - interface QuietHours { startMinute; endMinute } — minutes after local midnight; a window
//   with start > end crosses midnight (the default 20:00–07:00); start = end means no quiet hours.
// - inQuietHours(now, zone, quiet): boolean
// - quietHoursRelease(now, zone, quiet): Instant — `now` outside the window, else the instant the
//   window ends (the next local `endMinute`).
import { DateTime } from "luxon";
import type { Instant } from "../types.js";

export interface QuietHours {
  startMinute: number;
  endMinute: number;
}

export const DEFAULT_QUIET_HOURS: QuietHours = { startMinute: 20 * 60, endMinute: 7 * 60 };

function minuteOfDay(at: DateTime): number {
  return at.hour * 60 + at.minute;
}

export function inQuietHours(now: Instant, zone: string, quiet: QuietHours): boolean {
  const { startMinute: s, endMinute: e } = quiet;
  if (s === e) return false;
  const m = minuteOfDay(DateTime.fromMillis(now, { zone }));
  return s < e ? m >= s && m < e : m >= s || m < e;
}

export function quietHoursRelease(now: Instant, zone: string, quiet: QuietHours): Instant {
  if (!inQuietHours(now, zone, quiet)) return now;
  const local = DateTime.fromMillis(now, { zone });
  let end = local.startOf("day").plus({ minutes: quiet.endMinute });
  if (end.toMillis() <= now) {
    end = local.startOf("day").plus({ days: 1, minutes: quiet.endMinute });
  }
  return end.toMillis();
}
