// `pantau tokens create|list|revoke`: bearer tokens of the HTTP API. A token is printed once, on
// stdout by itself (so a script can capture it), with the warning on stderr; only its hash is
// stored.
import type { Command } from "commander";
import {
  DuplicateTokenNameError,
  TOKEN_NAME_PATTERN,
  createToken,
  listTokens,
  revokeToken,
  type ApiToken,
} from "../../api/tokens.js";
import { formatIsoLocal } from "../../core/format/index.js";
import { pick } from "../../i18n/lang.js";
import { matchAgency } from "../../ingest/agency.js";
import { UsageError } from "../errors.js";
import type { CliRuntime } from "../runtime.js";
import { formatOption, languageOf } from "../runtime.js";
import { renderTable } from "../../core/format/table.js";

export function registerTokenCommands(program: Command, runtime: CliRuntime): void {
  const { io } = runtime;
  const tokens = program.command("tokens").description("token API (Bearer) / API bearer tokens");

  tokens
    .command("create")
    .description("membuat token; ditampilkan sekali saja / create a token; shown once only")
    .requiredOption("--name <name>", "nama unik / unique name (huruf, angka, . _ -)")
    .option("--opd <code>", "token untuk satu OPD / a token for one agency")
    .option("--admin", "token admin (semua laporan) / admin token (all reports)")
    .action(async (opts: { name: string; opd?: string; admin?: boolean }) => {
      const lang = languageOf(runtime);
      if ((opts.opd === undefined) === (opts.admin !== true)) {
        throw new UsageError(
          "Pilih tepat satu: --opd KODE (token satu OPD) atau --admin (semua laporan). / " +
            "Choose exactly one: --opd CODE (one agency's token) or --admin (all reports).",
        );
      }
      if (!TOKEN_NAME_PATTERN.test(opts.name)) {
        throw new UsageError(
          `Nama token "${opts.name}" tidak valid: 1–64 huruf, angka, titik, garis bawah atau tanda hubung, diawali huruf/angka. / ` +
            `Invalid token name "${opts.name}": 1–64 letters, digits, dots, underscores or hyphens, starting with a letter or digit.`,
        );
      }
      const config = runtime.config();
      if (opts.opd !== undefined && !config.agencies.some((a) => a.code === opts.opd)) {
        const match = matchAgency(opts.opd, config.agencies);
        const hint = match.ok
          ? { id: `maksud Anda ${match.value.code}?`, en: `did you mean ${match.value.code}?` }
          : match.reason;
        throw new UsageError(
          `OPD "${opts.opd}" tidak ada di direktori (config/agencies.yaml); ${hint.id} / ` +
            `Agency "${opts.opd}" is not in the directory (config/agencies.yaml); ${hint.en}`,
        );
      }
      await runtime.withApp("pantau tokens create", async (ctx) => {
        let created;
        try {
          created = await createToken(
            ctx.db.knex,
            {
              name: opts.name,
              scope: opts.admin ? "admin" : "opd",
              opd: opts.opd ?? null,
            },
            io.clock(),
          );
        } catch (error) {
          if (error instanceof DuplicateTokenNameError) {
            throw new UsageError(
              `Nama token "${opts.name}" sudah dipakai (juga token yang dicabut tetap memakai namanya); pilih nama lain. Lihat \`pantau tokens list\`. / ` +
                `Token name "${opts.name}" is taken (revoked tokens keep their names); choose another. See \`pantau tokens list\`.`,
            );
          }
          throw error;
        }
        const scope = opts.admin
          ? pick(lang, { id: "admin, semua laporan", en: "admin, all reports" })
          : `OPD ${opts.opd}`;
        io.err(
          pick(lang, {
            id: `Token API "${opts.name}" dibuat (${scope}). Simpan sekarang di tempat aman: token ini TIDAK dapat ditampilkan lagi (hanya hash-nya yang disimpan).`,
            en: `API token "${opts.name}" created (${scope}). Store it safely now: it CANNOT be shown again (only its hash is stored).`,
          }),
        );
        io.out(created.token);
      });
    });

  tokens
    .command("list")
    .description("daftar token (tanpa rahasianya) / list tokens (without their secrets)")
    .addOption(formatOption(["table", "json"]))
    .action(async (opts: { format: string }) => {
      const lang = languageOf(runtime);
      const zone = runtime.config().defaultZone;
      const list = await runtime.withApp("pantau tokens list", (ctx) => listTokens(ctx.db.knex));
      const iso = (t: number | null): string | null =>
        t === null ? null : formatIsoLocal(t, zone);
      if (opts.format === "json") {
        io.out(
          JSON.stringify(
            list.map((t: ApiToken) => ({
              name: t.name,
              scope: t.scope,
              opd: t.opd,
              prefix: `pnt_${t.prefix}`,
              createdAt: iso(t.createdAt),
              lastUsedAt: iso(t.lastUsedAt),
              revokedAt: iso(t.revokedAt),
            })),
            null,
            2,
          ),
        );
        return;
      }
      if (list.length === 0) {
        io.out(
          pick(lang, {
            id: "Belum ada token. Buat dengan `pantau tokens create --name NAMA (--opd KODE | --admin)`.",
            en: "No tokens yet. Create one with `pantau tokens create --name NAME (--opd CODE | --admin)`.",
          }),
        );
        return;
      }
      const short = (t: number | null): string =>
        t === null ? "-" : (iso(t) ?? "-").slice(0, 16).replace("T", " ");
      const headers =
        lang === "en"
          ? ["NAME", "SCOPE", "AGENCY", "PREFIX", "CREATED", "LAST USED", "REVOKED"]
          : ["NAMA", "CAKUPAN", "OPD", "AWALAN", "DIBUAT", "TERAKHIR DIPAKAI", "DICABUT"];
      io.out(
        renderTable(
          headers,
          list.map((t) => [
            t.name,
            t.scope,
            t.opd ?? "-",
            `pnt_${t.prefix}…`,
            short(t.createdAt),
            short(t.lastUsedAt),
            short(t.revokedAt),
          ]),
        ),
      );
    });

  tokens
    .command("revoke")
    .description("mencabut token seketika / revoke a token at once")
    .argument("<name>", "nama token / token name")
    .action(async (name: string) => {
      const lang = languageOf(runtime);
      const result = await runtime.withApp("pantau tokens revoke", (ctx) =>
        revokeToken(ctx.db.knex, name, io.clock()),
      );
      if (result === "unknown") {
        throw new UsageError(
          `Tidak ada token bernama "${name}"; lihat \`pantau tokens list\`. / No token named "${name}"; see \`pantau tokens list\`.`,
        );
      }
      io.out(
        result === "revoked"
          ? pick(lang, {
              id: `Token "${name}" dicabut; permintaan dengan token ini kini ditolak (401).`,
              en: `Token "${name}" revoked; requests with it are now refused (401).`,
            })
          : pick(lang, {
              id: `Token "${name}" sudah dicabut sebelumnya.`,
              en: `Token "${name}" was already revoked.`,
            }),
      );
    });
}
