// The leaf parsers' machinery of the config schemas: a parser returns its value or a Fail with a
// bilingual message saying how to fix it; `leaf` turns one into a zod schema. Shared by
// schema.ts and notifySettings.ts (no import between them goes both ways).
import { z } from "zod";
import type { Bilingual } from "../i18n/lang.js";

/** A leaf parser's failure: the message to report. */
export class Fail {
  constructor(readonly msg: Bilingual) {}
}

export type LeafParser<T> = (value: unknown) => T | Fail;

/** A zod schema running `parse` on the raw value (undefined when the key is absent). */
export function leaf<T>(parse: LeafParser<T>) {
  return z
    .unknown()
    .optional()
    .transform((value, ctx): T => {
      const out = parse(value);
      if (out instanceof Fail) {
        ctx.addIssue({ code: "custom", message: out.msg.en, params: { msg: out.msg } });
        return z.NEVER;
      }
      return out;
    });
}

const REQUIRED = new Fail({
  id: "wajib diisi: tambahkan kunci ini",
  en: "is required: add this key",
});

/** Required unless `fallback` is given (then an absent or null key takes it). */
export function withDefault<T>(parse: LeafParser<T>, fallback?: T): LeafParser<T> {
  return (v) => {
    if (v === undefined || v === null) return fallback === undefined ? REQUIRED : fallback;
    return parse(v);
  };
}

export function optionalLeaf<T>(parse: LeafParser<T>): LeafParser<T | undefined> {
  return (v) => (v === undefined || v === null ? undefined : parse(v));
}

export function show(v: unknown): string {
  return typeof v === "string" ? JSON.stringify(v) : String(JSON.stringify(v) ?? v);
}

/** "HH:MM" → minutes after midnight; 24:00 allowed (closing at midnight). */
export const clockTime: LeafParser<number> = (v) => {
  const m = typeof v === "string" ? /^(\d{1,2}):(\d{2})$/.exec(v.trim()) : null;
  if (m?.[1] && m[2]) {
    const h = Number(m[1]);
    const min = Number(m[2]);
    if ((h < 24 && min < 60) || (h === 24 && min === 0)) return h * 60 + min;
  }
  return new Fail({
    id: `jam ${show(v)} tidak valid: tulis "HH:MM" 24 jam dengan tanda kutip, misalnya "08:00"`,
    en: `invalid time ${show(v)}: write 24-hour "HH:MM" in quotes, e.g. "08:00"`,
  });
};

export const posInt: LeafParser<number> = (v) =>
  typeof v === "number" && Number.isInteger(v) && v > 0
    ? v
    : new Fail({ id: "harus berupa bilangan bulat positif", en: "must be a positive integer" });
