// Notes printed with every report: years measured without a holiday file, and the definitions.
import type { Bilingual } from "../i18n/lang.js";

/** Consecutive years folded into ranges: [2020, 2021, 2023] → [[2020, 2021], [2023, 2023]]. */
export function yearRanges(years: readonly number[]): [number, number][] {
  const sorted = [...new Set(years)].sort((a, b) => a - b);
  const out: [number, number][] = [];
  for (const y of sorted) {
    const last = out[out.length - 1];
    if (last && last[1] === y - 1) last[1] = y;
    else out.push([y, y]);
  }
  return out;
}

/**
 * One note per run of years in [from, to] without a holiday file: their clocks counted weekends
 * only ("2020–2023: tanpa berkas hari libur, hanya akhir pekan").
 */
export function uncoveredYearNotes(
  from: number,
  to: number,
  coveredYears: readonly number[],
): Bilingual[] {
  const covered = new Set(coveredYears);
  const missing: number[] = [];
  for (let y = from; y <= to; y++) if (!covered.has(y)) missing.push(y);
  return yearRanges(missing).map(([a, b]) => {
    const span = a === b ? String(a) : `${a}–${b}`;
    return {
      id: `${span}: tanpa berkas hari libur, hanya akhir pekan`,
      en: `${span}: no holiday file, weekends only`,
    };
  });
}

export const DEFINITION_NOTES: readonly Bilingual[] = [
  {
    id: "Tepat waktu = tahap yang selesai sebelum batas waktunya (met) dibagi tahap yang selesai tepat waktu atau terlambat (met + breached); tahap yang didisposisikan ulang sebelum batas waktu atau dibatalkan tidak dihitung.",
    en: "Within target = stages stopped before their due instant (met) divided by stages stopped met or breached; stages re-disposed before due or cancelled are not counted.",
  },
  {
    id: "Setiap tahap dihitung pada bulan/tahun lokal saat jamnya berhenti (zona OPD); laporan diterima dihitung pada bulan/tahun penerimaannya, untuk OPD yang saat ini menanganinya.",
    en: "Each stage counts in the local month/year its clock stopped (agency zone); reports received count in the month/year of receipt, for the agency now handling them.",
  },
  {
    id: "Median dan P90 = persentil peringkat terdekat (percentile_disc) dari hari kerja sampai respons pertama / tindak lanjut, dibulatkan 0,01 hari; target dalam jam kerja dikonversi dengan jam kantor per hari, target hari kalender dihitung sebagai hari.",
    en: "Median and P90 = nearest-rank percentiles (percentile_disc) of business days to first response / follow-up, rounded to 0.01 day; working-hour targets are converted with the office hours per day, calendar-day targets count as days.",
  },
  {
    id: "Ditindaklanjuti = tahap penyelesaian yang berhenti karena tindak lanjut atau penyelesaian (met + breached). Eskalasi = eskalasi yang terkirim, per tingkat.",
    en: "Followed up = resolution stages stopped by a follow-up or completion (met + breached). Escalations = escalations sent, by level.",
  },
  {
    id: "Perubahan dibanding tahun sebelumnya: ▲ naik, ▼ turun, = sama; pangsa dalam poin persentase (pp). Untuk hari, turun berarti lebih cepat.",
    en: "Change against the previous year: ▲ up, ▼ down, = equal; shares in percentage points (pp). For days, down means faster.",
  },
];
