// `pantau officers import FILE.csv` and `pantau officers list`: the officer directory (who is
// told about which agency's reports), with appointment history and rotations (mutasi).
import type { Command } from "commander";
import { holderAt, roleName, type OfficerRole } from "../../core/escalation/appointments.js";
import { vacancySince } from "../../core/escalation/recipients.js";
import { formatIsoLocal } from "../../core/format/index.js";
import { importOfficerFile } from "../../officers/officerImport.js";
import { OfficerCsvError } from "../../officers/officerCsv.js";
import { loadAppointments } from "../../officers/officerStore.js";
import { pick } from "../../i18n/lang.js";
import { UsageError } from "../errors.js";
import type { CliRuntime } from "../runtime.js";
import { formatOption, languageOf } from "../runtime.js";
import { renderTable } from "../../core/format/table.js";
import { parseInstant } from "../time.js";

const AGENCY_ROLES: OfficerRole[] = ["liaison", "supervisor"];
const REGENCY: OfficerRole[] = ["coordinator", "leadership"];

export function registerOfficerCommands(program: Command, runtime: CliRuntime): void {
  const { io } = runtime;
  const officers = program
    .command("officers")
    .description("direktori pejabat untuk eskalasi / officer directory for escalations");

  officers
    .command("import")
    .description(
      "mengimpor pengangkatan pejabat dari CSV (semua atau tidak sama sekali) / import officer appointments from CSV (all or nothing)",
    )
    .argument(
      "<file>",
      "CSV: opd, role, name, email, valid_from, valid_to, decree [, phone, telegram_chat_id]",
    )
    .option("--now <iso>", "waktu acuan / reference instant")
    .action(async (file: string, opts: { now?: string }) => {
      const lang = languageOf(runtime);
      const now = runtime.now(opts.now);
      await runtime.withApp("pantau officers import", async (ctx) => {
        let result;
        try {
          result = await importOfficerFile(ctx, file, { now, lang });
        } catch (error) {
          if (error instanceof OfficerCsvError) throw new UsageError(pick(lang, error.msg));
          if ((error as { code?: string }).code === "ENOENT") {
            throw new UsageError(
              pick(lang, { id: `berkas ${file} tidak ada`, en: `file ${file} does not exist` }),
            );
          }
          throw error;
        }
        if (!result.ok) {
          for (const e of result.errors) io.err(e);
          io.err(
            pick(lang, {
              id: `Tidak ada yang diimpor: ${result.errors.length} masalah dalam ${result.rows} baris. Perbaiki berkas lalu impor lagi.`,
              en: `Nothing imported: ${result.errors.length} problems in ${result.rows} rows. Fix the file and import again.`,
            }),
          );
          process.exitCode = 2;
          return;
        }
        io.out(
          pick(lang, {
            id: `Diimpor ${result.rows} baris: ${result.inserted} pengangkatan baru, ${result.ended} jabatan sebelumnya diakhiri (mutasi), ${result.unchanged} sudah tercatat.`,
            en: `Imported ${result.rows} rows: ${result.inserted} new appointments, ${result.ended} previous appointments ended (rotation), ${result.unchanged} already recorded.`,
          }),
        );
      });
    });

  officers
    .command("list")
    .description(
      "siapa memegang tiap peran pada suatu saat, dan jabatan kosong / who holds each role at an instant, and vacancies",
    )
    .option("--opd <code>", "hanya OPD ini / only this agency")
    .option("--at <iso>", "pada saat ini / at this instant (default: now)")
    .addOption(formatOption(["table", "json"]))
    .action(async (opts: { opd?: string; at?: string; format: string }) => {
      const lang = languageOf(runtime);
      const config = runtime.config();
      const at = opts.at ? parseInstant(opts.at, config.defaultZone, "--at") : io.clock();
      if (opts.opd && !config.agencies.some((a) => a.code === opts.opd)) {
        throw new UsageError(
          pick(lang, {
            id: `OPD "${opts.opd}" tidak ada di config/agencies.yaml`,
            en: `agency "${opts.opd}" is not in config/agencies.yaml`,
          }),
        );
      }
      const appointments = await runtime.withApp("pantau officers list", (ctx) =>
        loadAppointments(ctx.db.knex),
      );
      // Agencies: the one asked for, else every agency with any appointment in its history.
      const withHistory = new Set(appointments.map((a) => a.opd).filter((o) => o !== null));
      const agencies = opts.opd
        ? [opts.opd]
        : config.agencies.map((a) => a.code).filter((c) => withHistory.has(c));
      const slots: { opd: string | null; role: OfficerRole }[] = [
        ...REGENCY.map((role) => ({ opd: null, role })),
        ...agencies.flatMap((opd) => AGENCY_ROLES.map((role) => ({ opd, role }))),
      ];
      const zone = config.defaultZone;
      const rows = slots.map((s) => {
        const h = holderAt(appointments, s.role, s.opd, at);
        const since = h ? null : vacancySince(appointments, s.role, s.opd, at);
        return {
          opd: s.opd,
          role: s.role,
          vacant: h === null,
          name: h?.name ?? null,
          email: h?.email ?? null,
          phone: h?.phone ?? null,
          telegramChatId: h?.telegramChatId ?? null,
          validFrom: h ? formatIsoLocal(h.validFrom, zone) : null,
          validTo: h?.validTo ? formatIsoLocal(h.validTo, zone) : null,
          decree: h?.decree ?? null,
          vacantSince: since === null ? null : formatIsoLocal(since, zone),
        };
      });
      if (opts.format === "json") {
        io.out(JSON.stringify({ at: new Date(at).toISOString(), roles: rows }, null, 2));
        return;
      }
      const vacant = pick(lang, { id: "KOSONG", en: "VACANT" });
      const headers =
        lang === "en"
          ? ["AGENCY", "ROLE", "NAME", "EMAIL", "CHAT", "SINCE", "UNTIL", "DECREE"]
          : ["OPD", "PERAN", "NAMA", "EMAIL", "CHAT", "SEJAK", "SAMPAI", "SK"];
      io.out(
        renderTable(
          headers,
          rows.map((r) => [
            r.opd ?? pick(lang, { id: "(kabupaten)", en: "(regency)" }),
            pick(lang, roleName(r.role)),
            r.vacant ? vacant : (r.name ?? ""),
            r.email ?? "-",
            [r.phone, r.telegramChatId === null ? null : `tg:${r.telegramChatId}`]
              .filter((x) => x !== null)
              .join(" ") || "-",
            r.vacant ? (r.vacantSince ?? "-") : (r.validFrom ?? ""),
            r.validTo ?? "-",
            r.decree ?? "-",
          ]),
        ),
      );
      const vacancies = rows.filter((r) => r.vacant).length;
      io.out(
        "\n" +
          pick(lang, {
            id: `Per ${formatIsoLocal(at, zone)}: ${rows.length - vacancies} peran terisi, ${vacancies} kosong${vacancies > 0 ? " (pemberitahuannya dikirim ke admin koordinator)" : ""}.`,
            en: `As of ${formatIsoLocal(at, zone)}: ${rows.length - vacancies} roles filled, ${vacancies} vacant${vacancies > 0 ? " (their notifications go to the coordinator)" : ""}.`,
          }),
      );
    });
}
