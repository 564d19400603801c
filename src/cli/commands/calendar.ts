// `pantau calendar due|elapsed|holidays`: the business calendar on its own, for checking a
// deadline by hand or answering "when is this due?" without touching the database.
import type { Command } from "commander";
import { parseDuration, unitMs, type BusinessCalendar } from "../../core/calendar/index.js";
import {
  formatBusinessAmount,
  formatIsoLocal,
  formatLocal,
  formatLocalDate,
} from "../../core/format/index.js";
import type { DurationUnit } from "../../core/types.js";
import { CalendarDirectory, UnknownAgencyError } from "../../context/appContext.js";
import { pick } from "../../i18n/lang.js";
import type { CliRuntime } from "../runtime.js";
import { formatOption, languageOf } from "../runtime.js";
import { renderTable } from "../../core/format/table.js";
import { parseInstant } from "../time.js";
import { UsageError } from "../errors.js";

function calendarFrom(runtime: CliRuntime, opts: { opd?: string; tz?: string }): BusinessCalendar {
  const config = runtime.config();
  const calendars = new CalendarDirectory(config);
  if (opts.opd && opts.tz)
    throw new UsageError("Gunakan --opd atau --tz, bukan keduanya. / Use --opd or --tz, not both.");
  if (opts.opd) {
    if (!calendars.agency(opts.opd)) throw new UnknownAgencyError(opts.opd);
    return calendars.forAgency(opts.opd);
  }
  try {
    return calendars.forZone(opts.tz ?? config.defaultZone);
  } catch {
    throw new UsageError(
      `Zona waktu "${opts.tz}" tidak dikenal; gunakan nama IANA seperti Asia/Jakarta, Asia/Makassar, Asia/Jayapura. / ` +
        `Unknown time zone "${opts.tz}"; use an IANA name such as Asia/Jakarta.`,
    );
  }
}

export function registerCalendarCommands(program: Command, runtime: CliRuntime): void {
  const calendar = program.command("calendar").description("kalender kerja / business calendar");

  calendar
    .command("due")
    .description(
      "jatuh tempo dari suatu waktu dan durasi / due instant from a start and a duration",
    )
    .requiredOption("--from <iso>", "waktu mulai / start instant (ISO 8601)")
    .requiredOption("--duration <duration>", "mis. / e.g. 3wd, 16wh, 14d")
    .option("--opd <code>", "kalender OPD / the agency's calendar")
    .option("--tz <zone>", "zona IANA / IANA zone")
    .addOption(formatOption(["table", "json"]))
    .action(
      (opts: { from: string; duration: string; opd?: string; tz?: string; format: string }) => {
        const cal = calendarFrom(runtime, opts);
        const lang = languageOf(runtime);
        const start = parseInstant(opts.from, cal.spec.zone, "--from");
        const duration = parseDuration(opts.duration);
        const due = cal.dueAt(start, duration);
        if (opts.format === "json") {
          runtime.io.out(
            JSON.stringify({
              from: formatIsoLocal(start, cal.spec.zone),
              duration: opts.duration,
              zone: cal.spec.zone,
              due: formatIsoLocal(due, cal.spec.zone),
            }),
          );
          return;
        }
        runtime.io.out(formatIsoLocal(due, cal.spec.zone));
        runtime.io.out(`(${formatLocal(due, cal.spec.zone, lang)})`);
      },
    );

  calendar
    .command("elapsed")
    .description("waktu kerja yang berlalu / business time elapsed between two instants")
    .requiredOption("--from <iso>", "awal / start")
    .requiredOption("--to <iso>", "akhir / end")
    .requiredOption("--unit <unit>", "wd | wh | d")
    .option("--opd <code>", "kalender OPD / the agency's calendar")
    .option("--tz <zone>", "zona IANA / IANA zone")
    .addOption(formatOption(["table", "json"]))
    .action(
      (opts: {
        from: string;
        to: string;
        unit: string;
        opd?: string;
        tz?: string;
        format: string;
      }) => {
        if (!["wd", "wh", "d"].includes(opts.unit)) {
          throw new UsageError(
            `--unit "${opts.unit}" tidak dikenal: gunakan wd, wh atau d. / unknown --unit: use wd, wh or d.`,
          );
        }
        const unit = opts.unit as DurationUnit;
        const cal = calendarFrom(runtime, opts);
        const lang = languageOf(runtime);
        const from = parseInstant(opts.from, cal.spec.zone, "--from");
        const to = parseInstant(opts.to, cal.spec.zone, "--to");
        const elapsedMs = cal.elapsedMs(from, to, unit);
        if (opts.format === "json") {
          runtime.io.out(
            JSON.stringify({
              from: formatIsoLocal(from, cal.spec.zone),
              to: formatIsoLocal(to, cal.spec.zone),
              unit,
              elapsed: elapsedMs / unitMs(unit),
              elapsedMs,
            }),
          );
          return;
        }
        runtime.io.out(formatBusinessAmount(elapsedMs, unit, lang));
      },
    );

  calendar
    .command("holidays")
    .description("hari libur dan cuti bersama / holidays and collective leave")
    .requiredOption("--year <year>", "tahun / year")
    .addOption(formatOption(["table", "json"]))
    .action((opts: { year: string; format: string }) => {
      const config = runtime.config();
      const lang = languageOf(runtime);
      const year = Number(opts.year);
      if (!Number.isInteger(year) || year < 1900 || year > 2300) {
        throw new UsageError(
          `--year "${opts.year}" bukan tahun yang valid. / --year is not a valid year.`,
        );
      }
      const list = config.holidays.filter((h) => h.date.startsWith(`${year}-`));
      if (opts.format === "json") {
        runtime.io.out(
          JSON.stringify(
            { year, covered: config.coveredYears.includes(year), holidays: list },
            null,
            2,
          ),
        );
        return;
      }
      if (!config.coveredYears.includes(year)) {
        runtime.io.out(
          pick(lang, {
            id: `Belum ada berkas libur untuk ${year} (config/holidays/${year}.yaml): hanya akhir pekan yang dihitung libur. Tambahkan berkasnya saat SKB 3 Menteri terbit.`,
            en: `No holiday file for ${year} (config/holidays/${year}.yaml): only weekends count as non-working. Add it when the joint decree is published.`,
          }),
        );
        return;
      }
      const kinds = {
        national: { id: "libur nasional", en: "national holiday" },
        collective: { id: "cuti bersama", en: "collective leave" },
        special: { id: "hari khusus", en: "special day" },
      };
      runtime.io.out(
        renderTable(
          lang === "en" ? ["DATE", "KIND", "NAME"] : ["TANGGAL", "JENIS", "NAMA"],
          list.map((h) => [formatLocalDate(h.date, lang), pick(lang, kinds[h.kind]), h.name]),
        ),
      );
      runtime.io.out(pick(lang, { id: `${list.length} hari.`, en: `${list.length} days.` }));
    });
}
