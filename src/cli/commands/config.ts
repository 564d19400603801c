// `pantau config check`: validates every configuration file without starting anything.
import type { Command } from "commander";
import { checkConfig, formatConfigIssues } from "../../config/index.js";
import { parseLang, pick } from "../../i18n/lang.js";
import type { CliRuntime } from "../runtime.js";
import { formatOption } from "../runtime.js";

export function registerConfigCommands(program: Command, runtime: CliRuntime): void {
  const config = program.command("config").description("konfigurasi / configuration");
  config
    .command("check")
    .description("memeriksa semua berkas konfigurasi / validate every configuration file")
    .addOption(formatOption(["table", "json"]))
    .action((opts: { format: string }) => {
      const { io } = runtime;
      const lang = parseLang(io.env.PANTAU_LANG);
      const result = checkConfig({ env: io.env });
      if (opts.format === "json") {
        io.out(JSON.stringify(result, null, 2));
      } else {
        io.out(
          pick(lang, {
            id: `Direktori konfigurasi: ${result.configDir}\nOPD: ${result.summary.agencies}, SOP OPD: ${result.summary.sops}, tahun libur: ${result.summary.holidayYears.join(", ")}`,
            en: `Configuration directory: ${result.configDir}\nAgencies: ${result.summary.agencies}, agency SOPs: ${result.summary.sops}, holiday years: ${result.summary.holidayYears.join(", ")}`,
          }),
        );
        io.out(formatConfigIssues(result.issues, lang));
      }
      if (!result.ok) process.exitCode = 2;
    });
}
