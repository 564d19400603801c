// `pantau doctor`: one command an operator runs when something looks wrong; each line is OK, WARN
// or FAIL with what to do. Exit 0 when nothing failed, 1 otherwise. Changes nothing.
import type { Command } from "commander";
import { runDoctor, type CheckLevel } from "../../app/doctor.js";
import { loadConfig, type PantauConfig } from "../../config/index.js";
import { parseLang, pick } from "../../i18n/lang.js";
import type { CliRuntime } from "../runtime.js";
import { formatOption } from "../runtime.js";

const LABEL: Record<CheckLevel, string> = { ok: "OK  ", warn: "WARN", fail: "FAIL" };

export function registerDoctorCommands(program: Command, runtime: CliRuntime): void {
  program
    .command("doctor")
    .description(
      "memeriksa konfigurasi, basis data, folder data, kalender, pejabat, SMTP, pemindaian dan outbox / check configuration, database, data folder, calendar, officers, SMTP, scans and outbox",
    )
    .option("--now <iso>", "waktu acuan / reference instant")
    .addOption(formatOption(["table", "json"]))
    .action(async (opts: { now?: string; format: string }) => {
      const { io } = runtime;
      let config: PantauConfig | null = null;
      try {
        config = loadConfig({ env: io.env });
      } catch {
        config = null; // reported by the config check below
      }
      const lang = config?.lang ?? parseLang(io.env.PANTAU_LANG);
      const now = config ? runtime.now(opts.now) : io.clock();
      const checks = await runDoctor({ env: io.env, config, now });
      const failed = checks.filter((c) => c.level === "fail").length;
      const warned = checks.filter((c) => c.level === "warn").length;
      if (opts.format === "json") {
        io.out(
          JSON.stringify(
            {
              ok: failed === 0,
              checks: checks.map((c) => ({
                name: c.name,
                level: c.level,
                message: pick(lang, c.message),
                ...(c.action ? { action: pick(lang, c.action) } : {}),
              })),
            },
            null,
            2,
          ),
        );
      } else {
        for (const c of checks) {
          io.out(`${LABEL[c.level]}  ${c.name.padEnd(10)}  ${pick(lang, c.message)}`);
          if (c.action) io.out(`${" ".repeat(18)}→ ${pick(lang, c.action)}`);
        }
        io.out(
          pick(lang, {
            id: `\n${checks.length} pemeriksaan: ${failed} gagal, ${warned} peringatan.`,
            en: `\n${checks.length} checks: ${failed} failed, ${warned} warnings.`,
          }),
        );
      }
      if (failed > 0) process.exitCode = 1;
    });
}
