// Holiday decrees of config/holidays/*.yaml: one file per year, every date checked against its
// year and kind; a year without a decree is a warning (the calendar then treats it as ordinary).
import { join } from "node:path";
import type { Holiday, HolidayKind } from "../core/types.js";
import type { ConfigIssue } from "./issues.js";
import { holidaysSchema } from "./schema.js";
import { readYamlFile } from "./yamlFile.js";
import { HOLIDAYS_DIR, asArray, asRecord, err, listYaml, parseFile } from "./read.js";

export interface HolidaysResult {
  ok: boolean;
  list: Holiday[];
  years: number[];
}

const HOLIDAY_KINDS: readonly HolidayKind[] = ["national", "collective", "special"];

export function readHolidays(configDir: string, issues: ConfigIssue[]): HolidaysResult {
  const files = listYaml(join(configDir, HOLIDAYS_DIR));
  if (files === undefined) {
    issues.push(
      err(`${HOLIDAYS_DIR}/`, "", {
        id: `direktori ${HOLIDAYS_DIR}/ tidak ada: buat dan isi satu berkas per tahun (mis. ${HOLIDAYS_DIR}/2025.yaml)`,
        en: `directory ${HOLIDAYS_DIR}/ is missing: create it with one file per year (e.g. ${HOLIDAYS_DIR}/2025.yaml)`,
      }),
    );
    return { ok: false, list: [], years: [] };
  }
  const before = issues.length;
  const list: Holiday[] = [];
  const years: number[] = [];
  for (const name of files) {
    const rel = `${HOLIDAYS_DIR}/${name}`;
    const m = /^(\d{4})\.ya?ml$/.exec(name);
    if (!m?.[1]) {
      issues.push(
        err(rel, "", {
          id: `nama berkas hari libur harus <tahun>.yaml (mis. 2026.yaml): ganti nama berkas ini atau pindahkan keluar dari ${HOLIDAYS_DIR}/`,
          en: `holiday files must be named <year>.yaml (e.g. 2026.yaml): rename this file or move it out of ${HOLIDAYS_DIR}/`,
        }),
      );
      continue;
    }
    const year = Number(m[1]);
    const file = readYamlFile(configDir, rel, issues);
    if (!file) continue;
    const parsed = parseFile(holidaysSchema(), file, issues);
    const raw = asRecord(file.data);
    if (typeof raw.year === "number" && raw.year !== year) {
      issues.push(
        err(file, ["year"], {
          id: `year: ${raw.year} tidak cocok dengan nama berkas ${name}: samakan keduanya`,
          en: `year: ${raw.year} does not match the file name ${name}: make them agree`,
        }),
      );
    }
    const seen = new Map<string, string>();
    for (const kind of HOLIDAY_KINDS) {
      asArray(raw[kind]).forEach((entry, i) => {
        const date = asRecord(entry).date;
        if (typeof date !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(date)) return;
        if (Number(date.slice(0, 4)) !== year) {
          issues.push(
            err(file, [kind, i, "date"], {
              id: `tanggal ${date} bukan tahun ${year}: pindahkan ke ${HOLIDAYS_DIR}/${date.slice(0, 4)}.yaml atau perbaiki tahunnya`,
              en: `date ${date} is not in ${year}: move it to ${HOLIDAYS_DIR}/${date.slice(0, 4)}.yaml or fix the year`,
            }),
          );
        }
        const first = seen.get(date);
        if (first !== undefined) {
          issues.push(
            err(file, [kind, i, "date"], {
              id: `tanggal ${date} sudah tercantum di ${first}: satu tanggal hanya boleh sekali; hapus salah satunya`,
              en: `date ${date} is already listed at ${first}: a date may appear only once; remove one of them`,
            }),
          );
        } else seen.set(date, `${kind}[${i}]`);
      });
    }
    if (parsed) {
      years.push(year);
      for (const kind of HOLIDAY_KINDS) {
        for (const h of parsed[kind]) list.push({ date: h.date, name: h.name, kind });
      }
    }
  }
  list.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  years.sort((a, b) => a - b);
  const ok = !issues.slice(before).some((i) => i.severity === "error");
  return { ok, list, years };
}
