// `pantau doctor`: the checks an operator runs when something looks wrong. Each check gathers one
// fact (configuration, database, data folder, calendar, officers, SMTP, last scan, last data,
// outbox) and judges it OK / WARN / FAIL with what to do. Doctor never changes anything: it does
// not migrate, send mail or fix modes; it says which command does.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { DateTime } from "luxon";
import type { Knex } from "knex";
import { checkConfig, type PantauConfig } from "../config/index.js";
import type { Bilingual } from "../i18n/lang.js";
import { openDatabase, type Database } from "../db/connect.js";
import { DataDirBusyError } from "../db/dataDirLock.js";
import { pendingMigrations } from "../db/migrate.js";
import { holderAt } from "../core/escalation/appointments.js";
import { loadAppointments } from "../officers/officerStore.js";
import { redactSmtp, verifySmtp } from "../outbox/transports.js";
import { lastSuccessfulScan } from "../scan/scanStore.js";

export type CheckLevel = "ok" | "warn" | "fail";

export interface DoctorCheck {
  /** Stable name of the check (for scripts): config, database, migrations, data_dir, ... */
  name: string;
  level: CheckLevel;
  message: Bilingual;
  /** What to do about it (WARN and FAIL). */
  action?: Bilingual;
}

export interface DoctorOptions {
  env: NodeJS.ProcessEnv;
  /** The configuration when it loads; doctor still reports on a broken one. */
  config: PantauConfig | null;
  now: number;
  /** SMTP connection test time limit (default 10 s). */
  smtpTimeoutMs?: number;
  /** Opens the database (tests pass their own). */
  open?: () => Promise<Database>;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** A scan older than this is stale (the daemon may be stopped). */
export const SCAN_STALE_MS = HOUR;
/** No new or updated report for this long: the feed may have stopped. */
export const DATA_STALE_MS = 3 * DAY;

const check = (
  name: string,
  level: CheckLevel,
  message: Bilingual,
  action?: Bilingual,
): DoctorCheck => ({ name, level, message, ...(action ? { action } : {}) });

function ago(ms: number): Bilingual {
  const hours = ms / HOUR;
  if (hours < 1) {
    const m = Math.max(0, Math.round(ms / 60_000));
    return { id: `${m} menit lalu`, en: `${m} minutes ago` };
  }
  if (hours < 48) {
    const h = Math.round(hours);
    return { id: `${h} jam lalu`, en: `${h} hours ago` };
  }
  const d = Math.round(ms / DAY);
  return { id: `${d} hari lalu`, en: `${d} days ago` };
}

/** Runs every check; a check that cannot run reports FAIL with its reason, never throws. */
export async function runDoctor(options: DoctorOptions): Promise<DoctorCheck[]> {
  const out: DoctorCheck[] = [];
  out.push(...configChecks(options));
  const config = options.config;
  if (!config) return out;
  out.push(...dataFolderChecks(config));
  let db: Database | null = null;
  if (!options.open && !config.databaseUrl && !existsSync(config.dataDir)) {
    out.push(
      check(
        "database",
        "warn",
        {
          id: `basis data bawaan di ${config.dataDir} belum dibuat`,
          en: `the embedded database in ${config.dataDir} has not been created yet`,
        },
        {
          id: "`pantau migrate` membuatnya (atau `pantau start`); pulihkan cadangan dengan `pantau restore`",
          en: "`pantau migrate` creates it (or `pantau start`); restore a backup with `pantau restore`",
        },
      ),
    );
    out.push(await mailCheck(config, options.smtpTimeoutMs ?? 10_000));
    return out;
  }
  try {
    db = await (options.open ?? (() => openForDoctor(config)))();
  } catch (error) {
    out.push(databaseUnavailable(config, error));
  }
  if (db) {
    try {
      out.push(
        check("database", "ok", {
          id: `basis data terhubung: ${db.kind === "embedded" ? `bawaan di ${db.description}` : db.description}`,
          en: `database reachable: ${db.kind === "embedded" ? `embedded in ${db.description}` : db.description}`,
        }),
      );
      out.push(...(await databaseChecks(db.knex, options.now)));
    } finally {
      await db.close();
    }
  }
  out.push(await mailCheck(config, options.smtpTimeoutMs ?? 10_000));
  out.push(...webhookChecks(config, options.env));
  return out;
}

async function openForDoctor(config: PantauConfig): Promise<Database> {
  return openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    command: "pantau doctor",
    poolMax: 2,
  });
}

function configChecks(options: DoctorOptions): DoctorCheck[] {
  const result = checkConfig({ env: options.env, now: options.now });
  const out: DoctorCheck[] = [];
  const errors = result.issues.filter((i) => i.severity === "error");
  if (errors.length > 0) {
    out.push(
      check(
        "config",
        "fail",
        {
          id: `konfigurasi di ${result.configDir}: ${errors.length} kesalahan, pertama: ${errors[0]?.file}: ${errors[0]?.message.id}`,
          en: `configuration in ${result.configDir}: ${errors.length} errors, first: ${errors[0]?.file}: ${errors[0]?.message.en}`,
        },
        {
          id: "jalankan `pantau config check` untuk daftar lengkapnya dan perbaiki berkasnya",
          en: "run `pantau config check` for the full list and fix the files",
        },
      ),
    );
  } else {
    out.push(
      check("config", "ok", {
        id: `konfigurasi valid (${result.configDir}; ${result.summary.agencies} OPD)`,
        en: `configuration valid (${result.configDir}; ${result.summary.agencies} agencies)`,
      }),
    );
  }
  const years = result.summary.holidayYears;
  const missing = result.issues.filter(
    (i) => i.severity === "warning" && /^holidays\/\d{4}\.yaml$/.test(i.file),
  );
  if (missing.length === 0) {
    out.push(
      check("holidays", "ok", {
        id: `hari libur tersedia untuk tahun ${years.join(", ")}`,
        en: `holidays available for ${years.join(", ")}`,
      }),
    );
  }
  for (const m of missing) {
    const year = /(\d{4})/.exec(m.file)?.[1] ?? "?";
    const current = DateTime.fromMillis(options.now, {
      zone: options.config?.defaultZone ?? "Asia/Jakarta",
    }).year;
    out.push(
      check(
        "holidays",
        Number(year) <= current ? "fail" : "warn",
        {
          id: `belum ada hari libur tahun ${year}: tanpa berkas ini hanya Sabtu/Minggu yang dihitung libur`,
          en: `no holidays for ${year} yet: without that file only weekends count as non-working days`,
        },
        {
          id: `tambahkan config/holidays/${year}.yaml dari SKB 3 Menteri tahun ${year}, lalu \`pantau recompute --reason "SKB ${year}"\``,
          en: `add config/holidays/${year}.yaml from the ${year} joint ministerial decree, then \`pantau recompute --reason "SKB ${year}"\``,
        },
      ),
    );
  }
  return out;
}

/** Group/other permission bits on anything under `dir` (first few paths), or null when clean. */
function looseModes(dir: string, limit = 3): { count: number; examples: string[] } {
  const found: string[] = [];
  let count = 0;
  const walk = (path: string, depth: number): void => {
    let st;
    try {
      st = statSync(path);
    } catch {
      return;
    }
    if ((st.mode & 0o077) !== 0) {
      count += 1;
      if (found.length < limit) found.push(`${path} (${(st.mode & 0o777).toString(8)})`);
    }
    if (st.isDirectory() && depth < 6) {
      for (const entry of readdirSync(path)) walk(join(path, entry), depth + 1);
    }
  };
  walk(dir, 0);
  return { count, examples: found };
}

function dataFolderChecks(config: PantauConfig): DoctorCheck[] {
  const folders = [
    ...(config.databaseUrl ? [] : [{ key: "data_dir", path: config.dataDir }]),
    ...(config.mail.smtpUrl ? [] : [{ key: "mail.outbox_dir", path: config.mail.outboxDir }]),
  ];
  const out: DoctorCheck[] = [];
  const uid = process.getuid?.() ?? null;
  for (const { key, path } of folders) {
    let st;
    try {
      st = statSync(path);
    } catch {
      out.push(
        check("data_dir", "ok", {
          id: `${key} ${path} belum ada (dibuat saat pertama dipakai, hanya untuk pemiliknya)`,
          en: `${key} ${path} does not exist yet (created on first use, owner-only)`,
        }),
      );
      continue;
    }
    if (uid !== null && uid !== 0 && st.uid !== uid) {
      out.push(
        check(
          "data_dir",
          "fail",
          {
            id: `${key} ${path} dimiliki uid ${st.uid}, bukan pengguna ini (uid ${uid})`,
            en: `${key} ${path} is owned by uid ${st.uid}, not this user (uid ${uid})`,
          },
          {
            id: `jalankan Pantau sebagai pemilik folder, atau \`chown -R <pengguna-pantau> ${path}\``,
            en: `run Pantau as the folder's owner, or \`chown -R <pantau-user> ${path}\``,
          },
        ),
      );
      continue;
    }
    const loose = looseModes(path);
    if (loose.count > 0) {
      out.push(
        check(
          "data_dir",
          "warn",
          {
            id: `${loose.count} berkas/folder di ${path} bisa dibaca atau ditulis pengguna lain, mis. ${loose.examples.join(", ")}`,
            en: `${loose.count} files/folders in ${path} are readable or writable by other users, e.g. ${loose.examples.join(", ")}`,
          },
          {
            id: `\`chmod -R go-rwx ${path}\` (isinya hanya untuk pemiliknya)`,
            en: `\`chmod -R go-rwx ${path}\` (its content is for its owner only)`,
          },
        ),
      );
    } else {
      out.push(
        check("data_dir", "ok", {
          id: `${key} ${path}: pemilik dan izin benar (hanya pemilik)`,
          en: `${key} ${path}: owner and modes right (owner-only)`,
        }),
      );
    }
  }
  return out;
}

function databaseUnavailable(config: PantauConfig, error: unknown): DoctorCheck {
  if (error instanceof DataDirBusyError) {
    return check(
      "database",
      "ok",
      {
        id: `basis data bawaan dipegang oleh proses ${error.owner.pid} (\`${error.owner.command}\`); pemeriksaan isi basis data dilewati`,
        en: `the embedded database is held by process ${error.owner.pid} (\`${error.owner.command}\`); database content checks skipped`,
      },
      {
        id: `untuk pemeriksaan lengkap: hentikan daemon sebentar, atau lihat http://127.0.0.1:${error.owner.httpPort ?? config.http.port}/readyz`,
        en: `for the full checks: stop the daemon briefly, or look at http://127.0.0.1:${error.owner.httpPort ?? config.http.port}/readyz`,
      },
    );
  }
  const reason = error instanceof Error ? error.message : String(error);
  return check(
    "database",
    "fail",
    {
      id: `basis data tidak bisa dibuka: ${reason}`,
      en: `the database cannot be opened: ${reason}`,
    },
    config.databaseUrl
      ? {
          id: "periksa DATABASE_URL, apakah PostgreSQL berjalan (`pg_isready`) dan boleh dihubungi dari sini",
          en: "check DATABASE_URL and that PostgreSQL runs (`pg_isready`) and accepts this host",
        }
      : {
          id: `periksa folder data ${config.dataDir} (ruang disk, pemilik); pulihkan dari cadangan bila rusak (\`pantau restore\`)`,
          en: `check the data folder ${config.dataDir} (disk space, owner); restore from a backup if damaged (\`pantau restore\`)`,
        },
  );
}

async function tableExists(knex: Knex, table: string): Promise<boolean> {
  return knex.schema.hasTable(table);
}

async function databaseChecks(knex: Knex, now: number): Promise<DoctorCheck[]> {
  const out: DoctorCheck[] = [];
  const pending = await pendingMigrations(knex);
  if (pending.length > 0) {
    out.push(
      check(
        "migrations",
        "fail",
        {
          id: `${pending.length} migrasi belum dijalankan (${pending.join(", ")})`,
          en: `${pending.length} migrations not applied (${pending.join(", ")})`,
        },
        {
          id: "buat cadangan (`pantau backup`), lalu `pantau migrate`",
          en: "take a backup (`pantau backup`), then `pantau migrate`",
        },
      ),
    );
    if (!(await tableExists(knex, "outbox"))) return out;
  } else {
    out.push(check("migrations", "ok", { id: "skema terbaru", en: "schema up to date" }));
  }

  // Officers: agencies that hold open reports yet have nobody to warn.
  const appointments = await loadAppointments(knex);
  const withOpen = (await knex("sla_clocks")
    .distinct("opd")
    .whereNull("stopped_at")
    .whereNotNull("opd")) as { opd: string }[];
  const vacant = withOpen
    .map((r) => r.opd)
    .filter((opd) => holderAt(appointments, "liaison", opd, now) === null)
    .sort();
  const noCoordinator = holderAt(appointments, "coordinator", null, now) === null;
  if (noCoordinator) {
    out.push(
      check(
        "officers",
        "fail",
        {
          id: "tidak ada admin koordinator yang menjabat: pemberitahuan jabatan kosong tidak sampai ke siapa pun",
          en: "no coordinator is appointed: vacancy notices reach nobody",
        },
        {
          id: "`pantau officers import daftar-pejabat.csv` dengan baris peran coordinator",
          en: "`pantau officers import officers.csv` with a coordinator row",
        },
      ),
    );
  }
  if (vacant.length > 0) {
    out.push(
      check(
        "officers",
        "warn",
        {
          id: `${vacant.length} OPD dengan laporan terbuka tanpa pejabat penghubung: ${vacant.slice(0, 8).join(", ")}${vacant.length > 8 ? ", …" : ""}`,
          en: `${vacant.length} agencies with open reports have no liaison: ${vacant.slice(0, 8).join(", ")}${vacant.length > 8 ? ", …" : ""}`,
        },
        {
          id: "perbarui daftar pejabat (`pantau officers import`); sementara itu pemberitahuannya ke admin koordinator",
          en: "update the officer directory (`pantau officers import`); meanwhile their notices go to the coordinator",
        },
      ),
    );
  } else if (!noCoordinator) {
    out.push(
      check("officers", "ok", {
        id: "setiap OPD dengan laporan terbuka punya pejabat penghubung",
        en: "every agency with open reports has a liaison",
      }),
    );
  }

  // The last scan.
  const last = await lastSuccessfulScan(knex);
  const [failed] = (await knex("scan_runs")
    .select("error", "started_at")
    .whereNotNull("error")
    .orderBy("started_at", "desc")
    .limit(1)) as { error: string; started_at: Date }[];
  if (last === null) {
    out.push(
      check(
        "scan",
        "warn",
        { id: "belum pernah ada pemindaian yang selesai", en: "no scan has finished yet" },
        {
          id: "jalankan daemon (`pantau start` atau `systemctl start pantau`)",
          en: "run the daemon (`pantau start` or `systemctl start pantau`)",
        },
      ),
    );
  } else {
    const age = now - last.finishedAt;
    const failedLater = failed && failed.started_at.getTime() > last.finishedAt;
    const level: CheckLevel = age > SCAN_STALE_MS || failedLater ? "warn" : "ok";
    const since = ago(age);
    out.push(
      check(
        "scan",
        level,
        {
          id: `pemindaian terakhir selesai ${since.id}${failedLater ? `; yang sesudahnya gagal: ${failed.error}` : ""}`,
          en: `last scan finished ${since.en}${failedLater ? `; a later one failed: ${failed.error}` : ""}`,
        },
        level === "ok"
          ? undefined
          : {
              id: "periksa apakah daemon berjalan (`systemctl status pantau`, `journalctl -u pantau`)",
              en: "check that the daemon runs (`systemctl status pantau`, `journalctl -u pantau`)",
            },
      ),
    );
  }

  // The last data received (import, API or manual intake).
  const [latest] = (await knex("reports").max({ at: "updated_at" })) as { at: Date | null }[];
  if (!latest?.at) {
    out.push(
      check(
        "data",
        "warn",
        { id: "belum ada laporan di basis data", en: "no reports in the database yet" },
        {
          id: "impor ekspor LAPOR!: `pantau import laporan.xlsx`",
          en: "import a LAPOR! export: `pantau import reports.xlsx`",
        },
      ),
    );
  } else {
    const age = now - latest.at.getTime();
    const since = ago(age);
    out.push(
      check(
        "data",
        age > DATA_STALE_MS ? "warn" : "ok",
        {
          id: `data laporan terakhir masuk ${since.id}`,
          en: `report data last received ${since.en}`,
        },
        age > DATA_STALE_MS
          ? {
              id: "impor ekspor LAPOR! terbaru (`pantau import`): Pantau mengawasi data lama",
              en: "import the latest LAPOR! export (`pantau import`): Pantau is watching old data",
            }
          : undefined,
      ),
    );
  }

  // The outbox.
  const rows = (await knex("outbox").select("state").count({ n: "*" }).groupBy("state")) as {
    state: string;
    n: number | string;
  }[];
  const count = (state: string): number => Number(rows.find((r) => r.state === state)?.n ?? 0);
  const [oldest] = (await knex("outbox")
    .min({ at: "created_at" })
    .whereIn("state", ["pending", "sending"])) as { at: Date | null }[];
  const failedCount = count("failed");
  const stuck = oldest?.at ? now - oldest.at.getTime() > HOUR : false;
  if (failedCount > 0) {
    out.push(
      check(
        "outbox",
        "fail",
        {
          id: `${failedCount} pesan gagal terkirim setelah semua percobaan`,
          en: `${failedCount} messages failed after every attempt`,
        },
        {
          id: "lihat alasannya (`pantau outbox list --failed`), perbaiki SMTP, lalu `pantau outbox retry --all-failed`",
          en: "see why (`pantau outbox list --failed`), fix SMTP, then `pantau outbox retry --all-failed`",
        },
      ),
    );
  }
  if (stuck) {
    out.push(
      check(
        "outbox",
        "warn",
        {
          id: `${count("pending") + count("sending")} pesan menunggu, yang tertua lebih dari satu jam`,
          en: `${count("pending") + count("sending")} messages waiting, the oldest for more than an hour`,
        },
        {
          id: "periksa apakah daemon berjalan dan SMTP bisa dihubungi",
          en: "check that the daemon runs and SMTP is reachable",
        },
      ),
    );
  }
  if (failedCount === 0 && !stuck) {
    out.push(
      check("outbox", "ok", {
        id: `outbox: ${count("sent")} terkirim, ${count("pending")} menunggu, tidak ada yang gagal`,
        en: `outbox: ${count("sent")} sent, ${count("pending")} waiting, none failed`,
      }),
    );
  }
  return out;
}

async function mailCheck(config: PantauConfig, timeoutMs: number): Promise<DoctorCheck> {
  const url = config.mail.smtpUrl;
  if (!url) {
    return check("smtp", "ok", {
      id: `tanpa SMTP: email ditulis sebagai berkas .eml di ${config.mail.outboxDir}`,
      en: `no SMTP: email is written as .eml files to ${config.mail.outboxDir}`,
    });
  }
  const shown = redactSmtp(url);
  try {
    await verifySmtp(url, timeoutMs);
    return check("smtp", "ok", {
      id: `SMTP ${shown} bisa dihubungi (tes koneksi, tanpa mengirim email)`,
      en: `SMTP ${shown} reachable (a connection test, no mail sent)`,
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return check(
      "smtp",
      "fail",
      {
        id: `SMTP ${shown} tidak bisa dihubungi: ${reason}`,
        en: `SMTP ${shown} unreachable: ${reason}`,
      },
      {
        id: "periksa SMTP_URL (host, port, pengguna, sandi) dan firewall; pesan menunggu di outbox sampai bisa terkirim",
        en: "check SMTP_URL (host, port, user, password) and the firewall; messages wait in the outbox until they can be sent",
      },
    );
  }
}

/**
 * The chat webhooks (notify.webhooks): each one's secret and, for url_env, its URL must be set in
 * the environment the daemon runs with; otherwise every chat message to it fails its attempts. No
 * request is sent (a gateway would deliver a message). Values are never shown, only names.
 */
function webhookChecks(config: PantauConfig, env: NodeJS.ProcessEnv): DoctorCheck[] {
  return config.notify.webhooks.map((w) => {
    const missing = [w.secretEnv, ...(w.urlEnv ? [w.urlEnv] : [])].filter((name) => !env[name]);
    if (missing.length === 0) {
      return {
        name: `webhook:${w.name}`,
        level: "ok",
        message: {
          id: `webhook ${w.name}: rahasia HMAC${w.urlEnv ? " dan URL" : ""} tersedia di lingkungan`,
          en: `webhook ${w.name}: HMAC secret${w.urlEnv ? " and URL" : ""} set in the environment`,
        },
      };
    }
    return {
      name: `webhook:${w.name}`,
      level: "fail",
      message: {
        id: `webhook ${w.name}: variabel lingkungan ${missing.join(", ")} belum diisi; pesan chat ke webhook ini gagal`,
        en: `webhook ${w.name}: environment variable ${missing.join(", ")} is not set; chat messages to this webhook fail`,
      },
      action: {
        id: `isi ${missing.join(", ")} di berkas lingkungan daemon (mis. /etc/pantau/pantau.env), mulai ulang, lalu \`pantau outbox retry --all-failed\``,
        en: `set ${missing.join(", ")} in the daemon's environment file (e.g. /etc/pantau/pantau.env), restart, then \`pantau outbox retry --all-failed\``,
      },
    };
  });
}
