// Validation against the API schemas: zod issues become 400 errors that name the field (a JSON
// path; "path.", "query." and "header." prefixes for non-body values) with a reason in both
// languages.
import type { z } from "zod";
import { CALENDAR_RANGE } from "../core/calendar/index.js";
import type { Bilingual } from "../i18n/lang.js";
import { validationError, type FieldProblem } from "./errors.js";

type Issue = z.core.$ZodIssue;

export function fieldPath(prefix: string, path: readonly PropertyKey[]): string {
  let out = prefix;
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? String(part) : `.${String(part)}`;
  }
  return out === "" ? "body" : out;
}

const TYPE_NAMES: Record<string, Bilingual> = {
  string: { id: "teks", en: "a string" },
  number: { id: "angka", en: "a number" },
  int: { id: "bilangan bulat", en: "an integer" },
  boolean: { id: "true atau false", en: "true or false" },
  object: { id: "objek JSON", en: "a JSON object" },
  array: { id: "larik JSON", en: "a JSON array" },
  null: { id: "null", en: "null" },
};

function reasonFor(issue: Issue): Bilingual {
  switch (issue.code) {
    case "invalid_type": {
      const name = TYPE_NAMES[issue.expected] ?? { id: issue.expected, en: issue.expected };
      return { id: `harus berupa ${name.id}`, en: `must be ${name.en}` };
    }
    case "invalid_format": {
      if (issue.format === "datetime")
        return {
          id: "harus waktu ISO 8601 dengan detik dan zona waktu, misalnya 2025-07-08T10:15:00+07:00",
          en: "must be an ISO 8601 instant with seconds and an offset, e.g. 2025-07-08T10:15:00+07:00",
        };
      const pattern = "pattern" in issue ? String(issue.pattern) : issue.format;
      return {
        id: `format tidak sesuai (pola ${pattern})`,
        en: `has the wrong format (pattern ${pattern})`,
      };
    }
    case "invalid_value": {
      const values = issue.values.map((v) => JSON.stringify(v)).join(", ");
      return { id: `harus salah satu dari ${values}`, en: `must be one of ${values}` };
    }
    case "too_small": {
      const n = String(issue.minimum);
      return issue.origin === "array"
        ? { id: `minimal ${n} unsur`, en: `needs at least ${n} items` }
        : issue.origin === "string"
          ? { id: `minimal ${n} karakter`, en: `needs at least ${n} characters` }
          : { id: `minimal ${n}`, en: `must be at least ${n}` };
    }
    case "too_big": {
      const n = String(issue.maximum);
      return issue.origin === "array"
        ? { id: `maksimal ${n} unsur`, en: `allows at most ${n} items` }
        : issue.origin === "string"
          ? { id: `maksimal ${n} karakter`, en: `allows at most ${n} characters` }
          : { id: `maksimal ${n}`, en: `must be at most ${n}` };
    }
    case "unrecognized_keys":
      return {
        id: "kolom tidak dikenal (identitas pelapor dan isi pengaduan tidak diterima)",
        en: "unknown field (reporter identity and complaint text are not accepted)",
      };
    case "custom": {
      const reason = (issue.params as { reason?: string } | undefined)?.reason;
      if (reason === "calendar_range") {
        const years = `${CALENDAR_RANGE.firstYear}–${CALENDAR_RANGE.lastYear}`;
        return {
          id: `di luar rentang kalender: tahun harus ${years}`,
          en: `outside the calendar range: the year must be ${years}`,
        };
      }
      if (reason === "control_characters")
        return {
          id: "tidak boleh memuat karakter kendali (mis. NUL, tab, baris baru)",
          en: "must not contain control characters (such as NUL, tab or line breaks)",
        };
      return { id: "nilai tidak valid", en: "invalid value" };
    }
    case "invalid_union":
      return { id: "bentuk nilai tidak sesuai", en: "does not match any allowed shape" };
    default:
      return { id: "nilai tidak valid", en: "invalid value" };
  }
}

const REQUIRED: Bilingual = { id: "wajib diisi", en: "is required" };

function isMissing(input: unknown, path: readonly PropertyKey[]): boolean {
  let value = input;
  for (const part of path) {
    if (value === null || typeof value !== "object") return false;
    value = (value as Record<PropertyKey, unknown>)[part];
  }
  return value === undefined;
}

export function issuesToProblems(
  prefix: string,
  issues: readonly Issue[],
  input: unknown,
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const issue of issues) {
    if (
      issue.code !== "unrecognized_keys" &&
      issue.path.length > 0 &&
      isMissing(input, issue.path)
    ) {
      problems.push({ field: fieldPath(prefix, issue.path), reason: REQUIRED });
    } else if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys)
        problems.push({ field: fieldPath(prefix, [...issue.path, key]), reason: reasonFor(issue) });
    } else {
      problems.push({ field: fieldPath(prefix, issue.path), reason: reasonFor(issue) });
    }
  }
  return problems;
}

/** Parses `value` with `schema` or throws a 400 naming the fields. */
export function validate<S extends z.ZodType>(schema: S, value: unknown, prefix = ""): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw validationError(issuesToProblems(prefix, result.error.issues, value));
}
