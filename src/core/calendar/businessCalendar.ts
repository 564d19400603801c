// Business calendar of one IANA zone: working weekdays, office hours and holidays, with the
// due-date arithmetic of SLA targets in working days (wd), working hours (wh) and calendar days (d).
//
// Design: each unit is a non-decreasing "budget" measure over the time line. A lazily built table
// of local days (local-midnight instant, working flag, office window and prefix sums of budget)
// turns every question into a binary search plus a loop over the (normalised) pauses. Luxon is
// used only while building the table, never per step.
import { DateTime, IANAZone } from "luxon";
import type {
  CalendarSpec,
  Duration,
  DurationUnit,
  Holiday,
  Instant,
  Interval,
  LocalDate,
} from "../types.js";
import { DurationError, unitMs } from "./duration.js";

const DAY_MS = 86_400_000;
const MIN_YEAR = 1900;
const MAX_YEAR = 2300;

/**
 * The instants Pantau accepts from outside (API, local endpoints): years 1901–2298 (UTC), a year
 * inside the calendars' range on each side so that zones and due instants stay within it.
 */
export const CALENDAR_RANGE = {
  firstYear: MIN_YEAR + 1,
  lastYear: MAX_YEAR - 2,
  from: Date.UTC(MIN_YEAR + 1, 0, 1),
  to: Date.UTC(MAX_YEAR - 1, 0, 1),
} as const;

/** Whether `t` is a finite instant inside CALENDAR_RANGE. */
export function inCalendarRange(t: number): boolean {
  return Number.isFinite(t) && t >= CALENDAR_RANGE.from && t < CALENDAR_RANGE.to;
}

// ---- proleptic Gregorian day numbers (days since 1970-01-01), no time zone involved ----

/** Day number of a civil date (Howard Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Civil date [y, m, d] of a day number. */
function civilFromDays(z: number): [number, number, number] {
  const zz = z + 719468;
  const era = Math.floor(zz / 146097);
  const doe = zz - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp + (mp < 10 ? 3 : -9);
  return [m <= 2 ? yoe + era * 400 + 1 : yoe + era * 400, m, d];
}

/** ISO weekday (1 = Monday) of a day number; day 0 (1970-01-01) was a Thursday. */
function isoWeekday(dn: number): number {
  return ((((dn + 3) % 7) + 7) % 7) + 1;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function formatDay(dn: number): LocalDate {
  const [y, m, d] = civilFromDays(dn);
  return `${String(y).padStart(4, "0")}-${pad2(m)}-${pad2(d)}`;
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Day number of a "yyyy-mm-dd" local date; throws RangeError on a malformed or impossible date. */
function parseDay(d: LocalDate): number {
  const m = typeof d === "string" ? DATE_RE.exec(d) : null;
  if (m) {
    const y = Number(m[1]);
    const mo = Number(m[2]);
    const da = Number(m[3]);
    const dn = daysFromCivil(y, mo, da);
    const [y2, m2, d2] = civilFromDays(dn);
    if (y2 === y && m2 === mo && d2 === da) return dn;
  }
  throw new RangeError(
    `Tanggal "${String(d)}" tidak valid (format yyyy-mm-dd) / invalid local date "${String(d)}" (expected yyyy-mm-dd)`,
  );
}

/** floor(a / b) for non-negative safe integers, computed exactly. */
function floorDiv(a: number, b: number): number {
  return (a - (a % b)) / b;
}

/** Pauses sorted by start, overlapping or touching ones merged, empty ones dropped. */
function normalisePauses(pauses: readonly Interval[] | undefined, from: Instant): Interval[] {
  if (!pauses || pauses.length === 0) return [];
  const list: Interval[] = [];
  for (const p of pauses) {
    if (Number.isNaN(p.start) || Number.isNaN(p.end)) {
      throw new RangeError("Jeda tidak valid (NaN) / invalid pause interval (NaN)");
    }
    if (p.end > p.start && p.end > from) list.push({ start: p.start, end: p.end });
  }
  list.sort((a, b) => a.start - b.start);
  const out: Interval[] = [];
  for (const p of list) {
    const last = out[out.length - 1];
    if (last && p.start <= last.end) {
      if (p.end > last.end) last.end = p.end;
    } else {
      out.push(p);
    }
  }
  return out;
}

/**
 * Table of consecutive local days [firstYear-01-01, lastYear-12-31]. Index i is a local day;
 * arrays of length n + 1 carry the value at the start of day i (so [n] is the end of the table).
 */
interface DayTable {
  firstYear: number;
  lastYear: number;
  /** Day number of index 0. */
  dn0: number;
  n: number;
  /** Instant of local 00:00 of day i (the first instant of that date). */
  mid: Float64Array;
  /** 1 if day i is a working date. */
  work: Uint8Array;
  /** Office window of day i (instants), meaningful for working days. */
  open: Float64Array;
  close: Float64Array;
  /** Working-day budget (ms) supplied by days [0, i). */
  pWd: Float64Array;
  /** Office-hour budget (ms) supplied by days [0, i). */
  pWh: Float64Array;
}

export class BusinessCalendar {
  readonly spec: CalendarSpec;
  private readonly zone: IANAZone;
  private readonly weekdayMask: boolean[];
  private readonly holidays = new Map<number, Holiday>();
  private readonly covered: ReadonlySet<number>;
  private table: DayTable | null = null;

  constructor(spec: CalendarSpec) {
    if (typeof spec.zone !== "string" || !IANAZone.isValidZone(spec.zone)) {
      throw new RangeError(
        `Zona waktu "${String(spec.zone)}" tidak dikenal (gunakan nama IANA, mis. Asia/Jakarta) / unknown time zone "${String(spec.zone)}" (use an IANA name such as Asia/Jakarta)`,
      );
    }
    const open = spec.officeOpenMinute;
    const close = spec.officeCloseMinute;
    if (
      !Number.isInteger(open) ||
      !Number.isInteger(close) ||
      open < 0 ||
      close > 1440 ||
      open >= close
    ) {
      throw new RangeError(
        `Jam kantor tidak valid (${open}–${close} menit): harus 0 <= buka < tutup <= 1440 / invalid office hours (${open}–${close} minutes): need 0 <= open < close <= 1440`,
      );
    }
    this.weekdayMask = [false, false, false, false, false, false, false, false];
    for (const w of spec.workingWeekdays) {
      if (!Number.isInteger(w) || w < 1 || w > 7) {
        throw new RangeError(`Hari kerja tidak valid: ${w} / invalid ISO weekday: ${w}`);
      }
      this.weekdayMask[w] = true;
    }
    if (!this.weekdayMask.some((x) => x)) {
      throw new RangeError("Tidak ada hari kerja dalam seminggu / no working weekday configured");
    }
    for (const h of spec.holidays) this.holidays.set(parseDay(h.date), h);
    this.covered = new Set(spec.coveredYears);
    this.zone = IANAZone.create(spec.zone);
    this.spec = spec;
  }

  // ---- dates ----

  /** Local date of an instant in the calendar zone. */
  localDate(t: Instant): LocalDate {
    const tb = this.table;
    if (tb && t >= tb.mid[0]! && t < tb.mid[tb.n]!) return formatDay(tb.dn0 + this.indexOf(tb, t));
    if (!Number.isFinite(t)) throw new RangeError(`Instan tidak valid / invalid instant: ${t}`);
    const dt = DateTime.fromMillis(t, { zone: this.zone });
    return formatDay(daysFromCivil(dt.year, dt.month, dt.day));
  }

  /** Instant of local 00:00 of a date (the first instant of that date if 00:00 does not exist). */
  startOfLocalDate(d: LocalDate): Instant {
    const dn = parseDay(d);
    const tb = this.table;
    if (tb && dn >= tb.dn0 && dn < tb.dn0 + tb.n) return tb.mid[dn - tb.dn0]!;
    return this.midnightOf(dn);
  }

  /** A working weekday that is not a holiday. */
  isWorkingDate(d: LocalDate): boolean {
    return this.isWorkingDay(parseDay(d));
  }

  holidayOn(d: LocalDate): Holiday | undefined {
    return this.holidays.get(parseDay(d));
  }

  /** A holiday decree is loaded for that year. */
  isCovered(year: number): boolean {
    return this.covered.has(year);
  }

  /** Last day of the last consecutive covered year, counted from the earliest; null if none. */
  coveredUntil(): LocalDate | null {
    if (this.covered.size === 0) return null;
    let y = Math.min(...this.covered);
    while (this.covered.has(y + 1)) y++;
    return `${String(y).padStart(4, "0")}-12-31`;
  }

  /** First working date strictly after d. */
  nextWorkingDate(d: LocalDate): LocalDate {
    let dn = parseDay(d) + 1;
    // At least one weekday works and holidays are finite, so this ends.
    while (!this.isWorkingDay(dn)) dn++;
    return formatDay(dn);
  }

  // ---- durations ----

  /**
   * First instant at which the duration's budget, counted from the effective start and with the
   * pauses removed, is used up; Infinity when an open-ended pause holds the clock first.
   */
  dueAt(start: Instant, duration: Duration, pauses?: readonly Interval[]): Instant {
    checkInstant(start);
    const unit = duration.unit;
    const per = unitMs(unit);
    const amount = duration.amount;
    if (typeof amount !== "number" || !Number.isFinite(amount) || amount < 0) {
      throw new DurationError(
        `Jumlah durasi tidak valid: ${String(amount)} / invalid duration amount: ${String(amount)}`,
      );
    }
    let remaining = Math.round(amount * per);
    if (remaining === 0) return start;
    let cur = this.effectiveStart(start, unit);
    for (const p of normalisePauses(pauses, cur)) {
      if (p.start > cur) {
        const avail = this.measure(p.start, unit) - this.measure(cur, unit);
        if (avail >= remaining) return this.advance(cur, remaining, unit);
        remaining -= avail;
      }
      if (p.end === Infinity) return Infinity;
      if (p.end > cur) cur = p.end;
    }
    return this.advance(cur, remaining, unit);
  }

  /** Budget (ms of the unit's measure) used in [start, end), after the effective start, minus pauses. */
  elapsedMs(
    start: Instant,
    end: Instant,
    unit: DurationUnit,
    pauses?: readonly Interval[],
  ): number {
    checkInstant(start);
    unitMs(unit);
    if (Number.isNaN(end)) throw new RangeError("Instan akhir tidak valid / invalid end instant");
    if (end <= start) return 0;
    const from = this.effectiveStart(start, unit);
    if (end <= from) return 0;
    if (end === Infinity) return Infinity;
    const base = this.measure(from, unit);
    let total = this.measure(end, unit) - base;
    for (const p of normalisePauses(pauses, from)) {
      if (p.start >= end) break;
      const a = p.start > from ? p.start : from;
      const b = p.end < end ? p.end : end;
      if (b > a) total -= this.measure(b, unit) - this.measure(a, unit);
    }
    return total;
  }

  /** elapsedMs expressed in the unit (e.g. 2.5 working days). */
  elapsed(start: Instant, end: Instant, unit: DurationUnit, pauses?: readonly Interval[]): number {
    return this.elapsedMs(start, end, unit, pauses) / unitMs(unit);
  }

  // ---- internals ----

  private isWorkingDay(dn: number): boolean {
    return this.weekdayMask[isoWeekday(dn)] === true && !this.holidays.has(dn);
  }

  /** wd and d count from local 00:00 of the day after the start's date; wh from the start itself. */
  private effectiveStart(start: Instant, unit: DurationUnit): Instant {
    // Building the table around the start first keeps its base fixed for the rest of the call:
    // every later lookup is at or after the start, so the table only ever grows forward.
    const tb = this.tableFor(start);
    if (unit === "wh") return start;
    return tb.mid[this.indexOf(tb, start) + 1]!;
  }

  /** Cumulative budget of the unit at instant t, relative to the start of the table. */
  private measure(t: Instant, unit: DurationUnit): number {
    const tb = this.tableFor(t);
    const i = this.indexOf(tb, t);
    const m = tb.mid[i]!;
    if (unit === "wh") {
      const base = tb.pWh[i]!;
      if (tb.work[i] === 0) return base;
      const o = tb.open[i]!;
      const c = tb.close[i]!;
      return base + (t <= o ? 0 : t >= c ? c - o : t - o);
    }
    const len = tb.mid[i + 1]! - m;
    let base: number;
    if (unit === "wd") {
      base = tb.pWd[i]!;
      if (tb.work[i] === 0) return base;
    } else {
      base = i * DAY_MS;
    }
    const u = t - m;
    // A day always supplies 24 h of budget, even when DST makes it 23 h or 25 h long.
    return base + (len === DAY_MS ? u : floorDiv(u * DAY_MS, len));
  }

  /** First integer instant >= cur at which `remaining` (> 0) more budget is used up. */
  private advance(cur: Instant, remaining: number, unit: DurationUnit): Instant {
    let tb = this.tableFor(cur);
    const target = this.measure(cur, unit) + remaining;
    let lo = this.indexOf(tb, cur);
    const prefix = (t: DayTable, i: number): number =>
      unit === "wh" ? t.pWh[i]! : unit === "wd" ? t.pWd[i]! : i * DAY_MS;
    while (prefix(tb, tb.n) < target) {
      // Extending forward keeps index 0 and the prefix base unchanged.
      tb = this.extend(tb.firstYear, tb.lastYear + 2);
    }
    // Smallest day i >= lo with prefix(i + 1) >= target: the day in which the budget runs out.
    let hi = tb.n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (prefix(tb, mid + 1) >= target) hi = mid;
      else lo = mid + 1;
    }
    const i = lo;
    const r = target - prefix(tb, i);
    if (unit === "wh") return tb.open[i]! + r;
    const m = tb.mid[i]!;
    const len = tb.mid[i + 1]! - m;
    if (len === DAY_MS) return m + r;
    // DST day: smallest integer u with floor(u * DAY / len) >= r.
    let u = Math.ceil((r * len) / DAY_MS);
    while (u > 0 && floorDiv((u - 1) * DAY_MS, len) >= r) u--;
    while (floorDiv(u * DAY_MS, len) < r) u++;
    return m + u;
  }

  /** Index of the local day containing t (t must lie inside the table). */
  private indexOf(tb: DayTable, t: Instant): number {
    const mid = tb.mid;
    let i = Math.floor((t - mid[0]!) / DAY_MS);
    if (i < 0) i = 0;
    if (i > tb.n - 1) i = tb.n - 1;
    while (i > 0 && mid[i]! > t) i--;
    while (i < tb.n - 1 && mid[i + 1]! <= t) i++;
    return i;
  }

  /** The table, extended if needed so that it contains t (with a day of margin either side). */
  private tableFor(t: Instant): DayTable {
    const tb = this.table;
    if (tb && t >= tb.mid[1]! && t < tb.mid[tb.n - 1]!) return tb;
    checkInstant(t);
    const utcDay = Math.floor(t / DAY_MS);
    const y1 = civilFromDays(utcDay - 2)[0];
    const y2 = civilFromDays(utcDay + 2)[0];
    if (!tb) return this.extend(y1 - 1, y2 + 1);
    return this.extend(Math.min(tb.firstYear, y1), Math.max(tb.lastYear, y2));
  }

  /** Rebuilds the table over [firstYear, lastYear], reusing the days already computed. */
  private extend(firstYear: number, lastYear: number): DayTable {
    if (firstYear < MIN_YEAR || lastYear > MAX_YEAR) {
      throw new RangeError(
        `Di luar rentang kalender ${MIN_YEAR}–${MAX_YEAR} / outside the supported calendar range ${MIN_YEAR}–${MAX_YEAR}`,
      );
    }
    const old = this.table;
    const dn0 = daysFromCivil(firstYear, 1, 1);
    const n = daysFromCivil(lastYear + 1, 1, 1) - dn0;
    const mid = new Float64Array(n + 1);
    const work = new Uint8Array(n);
    const open = new Float64Array(n);
    const close = new Float64Array(n);
    const pWd = new Float64Array(n + 1);
    const pWh = new Float64Array(n + 1);
    // Offset (minutes) at mid[i - 1] when that instant is exactly local 00:00, else NaN.
    let prevOff = NaN;
    for (let i = 0; i <= n; i++) {
      const j = old ? dn0 + i - old.dn0 : -1;
      if (old && j >= 0 && j <= old.n) {
        mid[i] = old.mid[j]!;
        prevOff = NaN;
        continue;
      }
      if (!Number.isNaN(prevOff)) {
        // Fast path: the same offset 24 h later means local 00:00 of the next date.
        const guess = mid[i - 1]! + DAY_MS;
        if (this.zone.offset(guess) === prevOff) {
          mid[i] = guess;
          continue;
        }
      }
      const m = this.midnightOf(dn0 + i);
      mid[i] = m;
      const off = this.zone.offset(m);
      prevOff = m + off * 60_000 === (dn0 + i) * DAY_MS ? off : NaN;
    }
    const openMs = this.spec.officeOpenMinute * 60_000;
    const closeMs = this.spec.officeCloseMinute * 60_000;
    for (let i = 0; i < n; i++) {
      const dn = dn0 + i;
      const w = this.isWorkingDay(dn);
      work[i] = w ? 1 : 0;
      const m = mid[i]!;
      const len = mid[i + 1]! - m;
      let o: number;
      let c: number;
      if (len === DAY_MS) {
        o = m + openMs;
        c = m + closeMs;
      } else {
        // DST (or zone-change) day: resolve the office window through the zone rules.
        o = this.localTimeOf(dn, this.spec.officeOpenMinute, mid[i + 1]!);
        c = this.localTimeOf(dn, this.spec.officeCloseMinute, mid[i + 1]!);
        if (o < m) o = m;
        if (c > mid[i + 1]!) c = mid[i + 1]!;
        if (c < o) c = o;
      }
      open[i] = o;
      close[i] = c;
      pWd[i + 1] = pWd[i]! + (w && len > 0 ? DAY_MS : 0);
      pWh[i + 1] = pWh[i]! + (w ? c - o : 0);
    }
    const tb: DayTable = { firstYear, lastYear, dn0, n, mid, work, open, close, pWd, pWh };
    this.table = tb;
    return tb;
  }

  private midnightOf(dn: number): Instant {
    const [year, month, day] = civilFromDays(dn);
    return DateTime.fromObject({ year, month, day }, { zone: this.zone }).toMillis();
  }

  private localTimeOf(dn: number, minute: number, nextMidnight: Instant): Instant {
    if (minute >= 1440) return nextMidnight;
    const [year, month, day] = civilFromDays(dn);
    return DateTime.fromObject(
      { year, month, day, hour: Math.floor(minute / 60), minute: minute % 60 },
      { zone: this.zone },
    ).toMillis();
  }
}

function checkInstant(t: Instant): void {
  if (typeof t !== "number" || !Number.isFinite(t)) {
    throw new RangeError(`Instan tidak valid / invalid instant: ${String(t)}`);
  }
}
