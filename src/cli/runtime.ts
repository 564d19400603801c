// The CLI runtime every command is given: its I/O (out, err, env, clock), the configuration read
// once, the instant a command works at, and `withApp` (open the application through bootstrap,
// run, close). Shared option and language helpers live here too, so that cli/main.ts (which
// registers the commands) and cli/commands/* never import each other.
import { Option } from "commander";
import { bootstrap } from "../app/bootstrap.js";
import type { AppContext } from "../context/appContext.js";
import { loadConfig, type PantauConfig } from "../config/index.js";
import { DiskFullError, freeBytes, isDiskFull } from "../db/openErrors.js";
import { parseLang } from "../i18n/lang.js";
import { parseInstant } from "./time.js";

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  env: NodeJS.ProcessEnv;
  /** The wall clock; commands read it once and pass it down as `now`. */
  clock(): number;
}

export interface CliRuntime {
  io: CliIo;
  config(): PantauConfig;
  /** The instant a command works at: `--now ISO` when given (read in the regency's zone), else the clock. */
  now(option?: string): number;
  /** Opens the application (database included) for `command`, runs `fn`, then closes it. */
  withApp<T>(command: string, fn: (ctx: AppContext) => Promise<T>): Promise<T>;
}

export function createRuntime(io: CliIo): CliRuntime {
  let cached: PantauConfig | undefined;
  const config = (): PantauConfig => (cached ??= loadConfig({ env: io.env }));
  return {
    io,
    config,
    now: (option) => (option ? parseInstant(option, config().defaultZone, "--now") : io.clock()),
    async withApp(command, fn) {
      // A full disk under the embedded database is said as such, whatever step hit it.
      const disk = (error: unknown): unknown => {
        const c = config();
        return c.databaseUrl === null && isDiskFull(error) && !(error instanceof DiskFullError)
          ? new DiskFullError(c.dataDir, freeBytes(c.dataDir), error)
          : error;
      };
      const ctx = await bootstrap({
        command,
        env: io.env,
        config: config(),
        now: io.clock(),
        humanLogs: command !== "pantau start",
        logIsTty: Boolean(process.stderr.isTTY),
        configWarnings: command === "pantau start",
      }).catch((error: unknown) => {
        throw disk(error);
      });
      try {
        return await fn(ctx);
      } catch (error) {
        throw disk(error);
      } finally {
        await ctx.db.close();
      }
    },
  };
}

export const formatOption = (choices: string[] = ["table", "json"]): Option =>
  new Option("--format <format>", "table | json").choices(choices).default(choices[0]);

export function languageOf(runtime: CliRuntime): ReturnType<typeof parseLang> {
  try {
    return runtime.config().lang;
  } catch {
    return parseLang(runtime.io.env.PANTAU_LANG);
  }
}
