// The `pantau` command line: one sub-command per task an operator does. Each command loads the
// configuration, opens what it needs through the composition root, prints for people (table or
// text, Bahasa Indonesia by default) or scripts (--format json), and exits with a clear status.
import { Command } from "commander";
import { packageRoot } from "../config/index.js";
import { buildInfo } from "../app/observability.js";
import { DataDirBusyError } from "../db/dataDirLock.js";
import { OWNER_ONLY_UMASK } from "../db/fileModes.js";
import { describeError, exitCodeFor } from "./errors.js";
import { createRuntime, type CliIo, type CliRuntime } from "./runtime.js";
import { registerCalendarCommands } from "./commands/calendar.js";
import { registerConfigCommands } from "./commands/config.js";
import { registerBackupCommands } from "./commands/backup.js";
import { registerDataCommands } from "./commands/data.js";
import { registerDoctorCommands } from "./commands/doctor.js";
import { registerDaemonCommands } from "./commands/daemon.js";
import { registerImportHistoryCommand } from "./commands/importHistory.js";
import { registerOfficerCommands } from "./commands/officers.js";
import { registerOutboxCommands } from "./commands/outbox.js";
import { registerMetricsCommands } from "./commands/metrics.js";
import { registerTokenCommands } from "./commands/tokens.js";
import { registerReportCommands } from "./commands/report.js";

export function buildProgram(runtime: CliRuntime): Command {
  const program = new Command();
  program
    .name("pantau")
    .description(
      "Pantau — pemantauan SLA dan eskalasi pengaduan SP4N-LAPOR! / SLA monitoring and escalation for SP4N-LAPOR! complaints",
    )
    .version(buildInfo(packageRoot(), runtime.io.env).version, "-V, --version")
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (s) => runtime.io.out(s.replace(/\n$/, "")),
      writeErr: (s) => runtime.io.err(s.replace(/\n$/, "")),
    });
  registerConfigCommands(program, runtime);
  registerCalendarCommands(program, runtime);
  registerDataCommands(program, runtime);
  registerImportHistoryCommand(program, runtime);
  registerDaemonCommands(program, runtime);
  registerMetricsCommands(program, runtime);
  registerOfficerCommands(program, runtime);
  registerOutboxCommands(program, runtime);
  registerTokenCommands(program, runtime);
  registerReportCommands(program, runtime);
  registerDoctorCommands(program, runtime);
  registerBackupCommands(program, runtime);
  return program;
}

/** Runs the CLI and returns the exit code (never calls process.exit itself). */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const runtime = createRuntime(io);
  const program = buildProgram(runtime);
  try {
    await program.parseAsync([...argv], { from: "user" });
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (error) {
    const commanderCode = (error as { code?: string }).code;
    if (commanderCode === "commander.helpDisplayed" || commanderCode === "commander.version")
      return 0;
    if (commanderCode?.startsWith("commander.")) return 2;
    if (error instanceof DataDirBusyError) {
      io.err(error.message);
      return exitCodeFor(error);
    }
    io.err(describeError(error));
    if (io.env.PANTAU_DEBUG === "1" && error instanceof Error && error.stack) io.err(error.stack);
    return exitCodeFor(error);
  }
}

const isMain = process.argv[1] !== undefined && import.meta.url.endsWith("/cli/main.js");
if (isMain || process.env.PANTAU_CLI_MAIN === "1") {
  // Before anything is written: the database, outbox, rejection files and reports are owner-only.
  process.umask(OWNER_ONLY_UMASK);
  const code = await runCli(process.argv.slice(2), {
    out: (s) => process.stdout.write(s + "\n"),
    err: (s) => process.stderr.write(s + "\n"),
    env: process.env,
    clock: () => Date.now(),
  });
  if (code !== 0) {
    process.exitCode = code;
    // Backstop: a failed command ends even if something it opened was not closed (a bug); the
    // line says so, the exit status stays the command's.
    setTimeout(() => {
      process.stderr.write(
        "(keluar paksa: ada sumber daya yang belum ditutup / forced exit: resources were left open)\n",
      );
      process.exit(code);
    }, 10_000).unref();
  }
}
