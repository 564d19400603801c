// The escalation ladder of an SOP (pure): its shape (levels with a trigger, to and cc; the daily
// reminder), the default ladder, and the parsing of a ladder from configuration with every
// problem reported (LadderError). What a ladder decides for a clock is in ladder.ts, which
// re-exports this module.
//
// Triggers: "at_risk" | "due" | "due+<n><wd|wh|d>" parsed to { anchor, offset, text }.
// Defaults: 0 at_risk → liaison; 1 due → supervisor cc liaison + coordinator; 2 due+3wd →
// leadership cc supervisor + coordinator; daily reminder 08:00 to the supervisor.
import { DurationError, parseDuration } from "../calendar/index.js";
import type { Duration } from "../types.js";
import type { Bilingual } from "../../i18n/lang.js";
import { OFFICER_ROLES, type OfficerRole } from "./appointments.js";

export interface EscalationTrigger {
  anchor: "at_risk" | "due";
  /** Only with anchor "due": how long after the due instant. */
  offset: Duration | null;
  /** As written: "at_risk", "due", "due+3wd". */
  text: string;
}

export interface EscalationLevel {
  /** 0..9, unique in a ladder. */
  level: number;
  when: EscalationTrigger;
  to: OfficerRole;
  cc: OfficerRole[];
}

export interface ReminderSettings {
  enabled: boolean;
  to: OfficerRole;
  cc: OfficerRole[];
  /** "HH:MM" local time in the calendar's zone from which the day's digest is due. */
  atLocalTime: string;
  /** The same as minutes after local midnight. */
  atMinute: number;
}

export interface EscalationLadder {
  /** Ascending by level and by trigger. */
  levels: EscalationLevel[];
  reminder: ReminderSettings;
}

/** Raised by parseEscalationLadder with every problem found. */
export class LadderError extends Error {
  readonly code = "LADDER_INVALID";
  readonly issues: { path: string; message: Bilingual }[];
  constructor(issues: { path: string; message: Bilingual }[]) {
    super(
      "Tangga eskalasi tidak valid / invalid escalation ladder:\n" +
        issues.map((i) => `  ${i.path}: ${i.message.id} / ${i.message.en}`).join("\n"),
    );
    this.name = "LadderError";
    this.issues = issues;
  }
}

const TRIGGER_RE = /^\s*(at_risk|due)\s*(?:\+\s*(.+?))?\s*$/;

/** Parses "at_risk", "due", "due+3wd"; throws LadderError. */
export function parseTrigger(text: string, path = "when"): EscalationTrigger {
  const m = typeof text === "string" ? TRIGGER_RE.exec(text) : null;
  const shown = String(text);
  if (!m) {
    throw new LadderError([
      {
        path,
        message: {
          id: `pemicu "${shown}" tidak dikenal: gunakan at_risk, due atau due+3wd`,
          en: `unknown trigger "${shown}": use at_risk, due or due+3wd`,
        },
      },
    ]);
  }
  const anchor = m[1] as "at_risk" | "due";
  if (m[2] === undefined) return { anchor, offset: null, text: anchor };
  if (anchor === "at_risk") {
    throw new LadderError([
      {
        path,
        message: {
          id: "at_risk tidak dapat diberi tambahan waktu: atur batas berisiko di at_risk_margin",
          en: "at_risk takes no offset: set the at-risk margin in at_risk_margin instead",
        },
      },
    ]);
  }
  let offset: Duration;
  try {
    offset = parseDuration(m[2]);
  } catch (e) {
    const msg = e instanceof DurationError ? e.message : String(e);
    // DurationError messages are "Indonesian / English".
    const cut = msg.indexOf(" / ");
    const message =
      cut < 0 ? { id: msg, en: msg } : { id: msg.slice(0, cut), en: msg.slice(cut + 3) };
    throw new LadderError([{ path, message }]);
  }
  return { anchor, offset, text: `due+${offset.amount}${offset.unit}` };
}

function reminderDefaults(): ReminderSettings {
  return { enabled: true, to: "supervisor", cc: [], atLocalTime: "08:00", atMinute: 480 };
}

/** The default ladder of the issue (see the table there). */
export const DEFAULT_LADDER: EscalationLadder = Object.freeze({
  levels: [
    { level: 0, when: { anchor: "at_risk", offset: null, text: "at_risk" }, to: "liaison", cc: [] },
    {
      level: 1,
      when: { anchor: "due", offset: null, text: "due" },
      to: "supervisor",
      cc: ["liaison", "coordinator"],
    },
    {
      level: 2,
      when: { anchor: "due", offset: { amount: 3, unit: "wd" }, text: "due+3wd" },
      to: "leadership",
      cc: ["supervisor", "coordinator"],
    },
  ],
  reminder: reminderDefaults(),
}) as EscalationLadder;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Parses and validates a ladder from a plain object (YAML/JSON); throws LadderError. */
export function parseEscalationLadder(input: unknown): EscalationLadder {
  const issues: { path: string; message: Bilingual }[] = [];
  const issue = (path: string, id: string, en: string): void => {
    issues.push({ path, message: { id, en } });
  };
  const role = (v: unknown, path: string): OfficerRole | null => {
    if (typeof v === "string" && (OFFICER_ROLES as readonly string[]).includes(v)) {
      return v as OfficerRole;
    }
    issue(
      path,
      `peran "${String(v)}" tidak dikenal: gunakan ${OFFICER_ROLES.join(", ")}`,
      `unknown role "${String(v)}": use ${OFFICER_ROLES.join(", ")}`,
    );
    return null;
  };
  const roles = (v: unknown, path: string, exclude: OfficerRole | null): OfficerRole[] => {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) {
      issue(path, "harus berupa daftar peran", "must be a list of roles");
      return [];
    }
    const out: OfficerRole[] = [];
    v.forEach((x, i) => {
      const r = role(x, `${path}[${i}]`);
      if (!r) return;
      if (out.includes(r) || r === exclude) {
        issue(
          `${path}[${i}]`,
          `peran ${r} disebut dua kali (atau sama dengan penerima utama)`,
          `role ${r} listed twice (or equal to the main recipient)`,
        );
        return;
      }
      out.push(r);
    });
    return out;
  };
  const unknownKeys = (o: Record<string, unknown>, known: string[], path: string): void => {
    for (const k of Object.keys(o)) {
      if (!known.includes(k)) {
        issue(
          path ? `${path}.${k}` : k,
          `kunci tidak dikenal (yang dikenal: ${known.join(", ")})`,
          `unknown key (known: ${known.join(", ")})`,
        );
      }
    }
  };

  if (!isRecord(input)) {
    throw new LadderError([
      {
        path: "",
        message: {
          id: "tangga eskalasi harus berupa objek { levels, reminder }",
          en: "the escalation ladder must be an object { levels, reminder }",
        },
      },
    ]);
  }
  unknownKeys(input, ["levels", "reminder"], "");

  const levels: EscalationLevel[] = [];
  if (!Array.isArray(input.levels) || input.levels.length === 0) {
    issue("levels", "harus berupa daftar yang tidak kosong", "must be a non-empty list");
  } else {
    input.levels.forEach((raw, i) => {
      const path = `levels[${i}]`;
      if (!isRecord(raw)) {
        issue(
          path,
          "harus berupa objek { level, when, to, cc }",
          "must be { level, when, to, cc }",
        );
        return;
      }
      unknownKeys(raw, ["level", "when", "to", "cc"], path);
      const level = raw.level;
      if (typeof level !== "number" || !Number.isInteger(level) || level < 0 || level > 9) {
        issue(`${path}.level`, "harus bilangan bulat 0..9", "must be an integer 0..9");
      }
      let when: EscalationTrigger | null = null;
      try {
        when = parseTrigger(String(raw.when ?? ""), `${path}.when`);
      } catch (e) {
        if (e instanceof LadderError) issues.push(...e.issues);
        else throw e;
      }
      const to = role(raw.to, `${path}.to`);
      const cc = roles(raw.cc, `${path}.cc`, to);
      if (typeof level === "number" && Number.isInteger(level) && level >= 0 && level <= 9) {
        if (levels.some((l) => l.level === level)) {
          issue(`${path}.level`, `tingkat ${level} disebut dua kali`, `level ${level} is repeated`);
        } else if (when && to) {
          levels.push({ level, when, to, cc });
        }
      }
    });
  }
  levels.sort((a, b) => a.level - b.level);
  // Higher levels must come later: supersession relies on it.
  for (let i = 1; i < levels.length; i++) {
    const a = levels[i - 1]!;
    const b = levels[i]!;
    const rank = (t: EscalationTrigger): number =>
      t.anchor === "at_risk" ? 0 : t.offset === null ? 1 : 2;
    const ra = rank(a.when);
    const rb = rank(b.when);
    let ordered = rb > ra;
    if (ra === 2 && rb === 2 && a.when.offset && b.when.offset) {
      if (a.when.offset.unit !== b.when.offset.unit) {
        issue(
          "levels",
          `tingkat ${a.level} dan ${b.level} harus memakai satuan yang sama`,
          `levels ${a.level} and ${b.level} must use the same unit`,
        );
        continue;
      }
      ordered = b.when.offset.amount > a.when.offset.amount;
    }
    if (!ordered) {
      issue(
        "levels",
        `tingkat ${b.level} (${b.when.text}) harus terjadi setelah tingkat ${a.level} (${a.when.text})`,
        `level ${b.level} (${b.when.text}) must come after level ${a.level} (${a.when.text})`,
      );
    }
  }

  const reminder = reminderDefaults();
  if (input.reminder !== undefined) {
    const r = input.reminder;
    if (!isRecord(r)) {
      issue("reminder", "harus berupa objek", "must be an object");
    } else {
      unknownKeys(r, ["enabled", "to", "cc", "atLocalTime"], "reminder");
      if (r.enabled !== undefined) {
        if (typeof r.enabled !== "boolean") {
          issue("reminder.enabled", "harus true atau false", "must be true or false");
        } else reminder.enabled = r.enabled;
      }
      if (r.to !== undefined) {
        const to = role(r.to, "reminder.to");
        if (to) reminder.to = to;
      }
      reminder.cc = roles(r.cc, "reminder.cc", reminder.to);
      if (r.atLocalTime !== undefined) {
        const m =
          typeof r.atLocalTime === "string" ? /^(\d{2}):(\d{2})$/.exec(r.atLocalTime) : null;
        const h = m ? Number(m[1]) : NaN;
        const min = m ? Number(m[2]) : NaN;
        if (!m || h > 23 || min > 59) {
          issue(
            "reminder.atLocalTime",
            `jam "${String(r.atLocalTime)}" tidak valid: gunakan HH:MM (00:00–23:59)`,
            `invalid time "${String(r.atLocalTime)}": use HH:MM (00:00–23:59)`,
          );
        } else {
          reminder.atLocalTime = r.atLocalTime as string;
          reminder.atMinute = h * 60 + min;
        }
      }
    }
  }

  if (issues.length > 0) throw new LadderError(issues);
  return { levels, reminder };
}

export type LevelKind = "at_risk" | "overdue" | "escalated";

/** What a level means for people: nearing the deadline, overdue, or escalated further. */
export function levelKind(level: EscalationLevel): LevelKind {
  if (level.when.anchor === "at_risk") return "at_risk";
  return level.when.offset === null ? "overdue" : "escalated";
}

/** "pengingat", "eskalasi", "eskalasi pimpinan" (or "eskalasi tingkat N"). */
export function levelName(level: EscalationLevel): Bilingual {
  switch (levelKind(level)) {
    case "at_risk":
      return { id: "pengingat", en: "early warning" };
    case "overdue":
      return { id: "eskalasi", en: "escalation" };
    case "escalated":
      return level.to === "leadership"
        ? { id: "eskalasi pimpinan", en: "escalation to leadership" }
        : { id: `eskalasi tingkat ${level.level}`, en: `level ${level.level} escalation` };
  }
}
