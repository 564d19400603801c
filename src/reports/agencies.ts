// The agency directory as stored (names for the reports), and the rollup's hours-per-day check.
import type { Knex } from "knex";
import type { Bilingual } from "../i18n/lang.js";
import { rollupHoursPerDay } from "./rollup.js";

type Db = Knex | Knex.Transaction;

export interface AgencyRow {
  code: string;
  name: string;
  active: boolean;
}

export async function listAgencies(db: Db): Promise<AgencyRow[]> {
  const rows = (await db("agencies")
    .select("code", "name", "active")
    .orderBy("code")) as AgencyRow[];
  return rows.map((r) => ({ code: r.code, name: r.name, active: Boolean(r.active) }));
}

/** A note when the rollup was built with other office hours than configured (rebuild needed). */
export async function hoursPerDayNote(db: Db, configured: number): Promise<Bilingual[]> {
  const stored = await rollupHoursPerDay(db);
  if (Math.abs(stored - configured) < 1e-9) return [];
  return [
    {
      id: `Rollup dibangun dengan ${stored} jam kerja per hari, konfigurasi sekarang ${configured}: jalankan \`pantau report rebuild-rollup\`.`,
      en: `The rollup was built with ${stored} working hours per day, the configuration now says ${configured}: run \`pantau report rebuild-rollup\`.`,
    },
  ];
}
