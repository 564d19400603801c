// Amounts of business time for people: "2,5 hari kerja" / "2.5 working days".
import type { Lang } from "../../i18n/lang.js";
import type { Duration, DurationUnit } from "../types.js";
import { unitMs } from "../calendar/index.js";

const UNIT_NAMES: Record<Lang, Record<DurationUnit, { one: string; many: string }>> = {
  id: {
    wd: { one: "hari kerja", many: "hari kerja" },
    wh: { one: "jam kerja", many: "jam kerja" },
    d: { one: "hari", many: "hari" },
  },
  en: {
    wd: { one: "working day", many: "working days" },
    wh: { one: "working hour", many: "working hours" },
    d: { one: "day", many: "days" },
  },
};

/**
 * A number for people, at most `maxDecimals` decimals, trailing zeros dropped; Indonesian uses a
 * decimal comma ("2,5"), English a decimal point ("2.5"). No thousands separators.
 */
export function formatNumber(value: number, lang: Lang, maxDecimals = 2): string {
  const factor = 10 ** maxDecimals;
  const rounded = Math.round(value * factor) / factor;
  const text = String(Object.is(rounded, -0) ? 0 : rounded);
  return lang === "id" ? text.replace(".", ",") : text;
}

/** Name of a unit, singular or plural ("hari kerja", "working days"). */
export function unitName(unit: DurationUnit, amount: number, lang: Lang): string {
  const names = UNIT_NAMES[lang][unit];
  return amount === 1 ? names.one : names.many;
}

/**
 * Business milliseconds as an amount of `unit` ("2,5 hari kerja" / "2.5 working days"),
 * rounded to two decimals.
 */
export function formatBusinessAmount(ms: number, unit: DurationUnit, lang: Lang): string {
  const amount = Math.round((ms / unitMs(unit)) * 100) / 100;
  return `${formatNumber(amount, lang)} ${unitName(unit, amount, lang)}`;
}

/** A duration for people ("3 hari kerja" / "3 working days"). */
export function formatDurationText(d: Duration, lang: Lang): string {
  return `${formatNumber(d.amount, lang)} ${unitName(d.unit, d.amount, lang)}`;
}
