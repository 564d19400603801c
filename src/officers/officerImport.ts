// `pantau officers import FILE.csv` and the demo's officers: parse, validate every row (all
// problems reported with line and reason), then fold into the stored directory in one
// transaction — nothing is written unless everything is valid.
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import type { AppContext } from "../context/appContext.js";
import { AppointmentConflictError } from "../core/escalation/appointments.js";
import { validateOfficerRows, type OfficerRowError } from "../core/escalation/officerRows.js";
import type { Instant } from "../core/types.js";
import { pick, type Lang } from "../i18n/lang.js";
import { parseOfficerCsv } from "./officerCsv.js";
import { importAppointments, type ImportAppointmentsResult } from "./officerStore.js";

export type OfficerImportResult =
  | ({ ok: true; rows: number } & ImportAppointmentsResult)
  | { ok: false; rows: number; errors: string[]; rowErrors: OfficerRowError[] };

export async function importOfficerText(
  ctx: AppContext,
  text: string,
  options: { source: string; now: Instant; lang: Lang },
): Promise<OfficerImportResult> {
  const rows = parseOfficerCsv(text);
  const known = new Set(ctx.config.agencies.map((a) => a.code));
  const { appointments, errors } = validateOfficerRows(rows, known, options.lang, {
    zone: ctx.config.defaultZone,
  });
  if (errors.length > 0) {
    return {
      ok: false,
      rows: rows.length,
      errors: errors.map((e) => e.message),
      rowErrors: errors,
    };
  }
  try {
    const result = await ctx.db.knex.transaction((trx) =>
      importAppointments(trx, appointments, options.source, options.now),
    );
    ctx.logger.info("officers imported", { source: options.source, ...result });
    return { ok: true, rows: rows.length, ...result };
  } catch (error) {
    if (!(error instanceof AppointmentConflictError)) throw error;
    return {
      ok: false,
      rows: rows.length,
      errors: [
        pick(options.lang, {
          id: `bertentangan dengan data yang tersimpan: ${error.reason.id}`,
          en: `conflicts with the stored directory: ${error.reason.en}`,
        }),
      ],
      rowErrors: [],
    };
  }
}

export async function importOfficerFile(
  ctx: AppContext,
  file: string,
  options: { now: Instant; lang: Lang },
): Promise<OfficerImportResult> {
  const text = readFileSync(file, "utf8");
  return importOfficerText(ctx, text, { ...options, source: `import:${basename(file)}` });
}
