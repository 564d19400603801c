// `pantau outbox list` and `pantau outbox retry`: the messages Pantau composed, their delivery
// state, and re-queuing the ones that exhausted their attempts.
import type { Command } from "commander";
import { formatIsoLocal } from "../../core/format/index.js";
import {
  listOutbox,
  requeueFailed,
  type OutboxMessage,
  type OutboxState,
} from "../../outbox/outboxStore.js";
import { pick, type Bilingual } from "../../i18n/lang.js";
import { UsageError } from "../errors.js";
import type { CliRuntime } from "../runtime.js";
import { formatOption, languageOf } from "../runtime.js";
import { renderTable } from "../../core/format/table.js";

const STATE_NAMES: Record<OutboxState, Bilingual> = {
  pending: { id: "menunggu", en: "pending" },
  sending: { id: "dikirim", en: "sending" },
  sent: { id: "terkirim", en: "sent" },
  failed: { id: "gagal", en: "failed" },
  cancelled: { id: "dibatalkan", en: "cancelled" },
};

/** "email" or "webhook:<name>". */
function channelLabel(m: OutboxMessage): string {
  return m.channel === "webhook" ? `webhook:${m.endpoint ?? "?"}` : "email";
}

function json(m: OutboxMessage) {
  return {
    id: m.id,
    state: m.state,
    kind: m.kind,
    channel: channelLabel(m),
    to: m.to,
    cc: m.cc,
    subject: m.subject,
    messageId: m.messageId,
    attempts: m.attempts,
    nextAttemptAt: new Date(m.nextAttemptAt).toISOString(),
    lastError: m.lastError,
    createdAt: new Date(m.createdAt).toISOString(),
    sentAt: m.sentAt === null ? null : new Date(m.sentAt).toISOString(),
    items: m.items,
  };
}

export function registerOutboxCommands(program: Command, runtime: CliRuntime): void {
  const { io } = runtime;
  const outbox = program
    .command("outbox")
    .description(
      "email yang disusun Pantau dan status pengirimannya / composed email and delivery",
    );

  outbox
    .command("list")
    .description(
      "daftar pesan (bawaan: menunggu dan gagal) / list messages (default: pending and failed)",
    )
    .option("--failed", "hanya yang gagal / only failed")
    .option("--pending", "hanya yang menunggu atau sedang dikirim / only pending or sending")
    .option("--all", "semua, termasuk terkirim dan dibatalkan / all, sent and cancelled included")
    .option("--limit <n>", "paling banyak / at most", "200")
    .addOption(formatOption(["table", "json"]))
    .action(
      async (opts: {
        failed?: boolean;
        pending?: boolean;
        all?: boolean;
        limit: string;
        format: string;
      }) => {
        const lang = languageOf(runtime);
        const limit = Number(opts.limit);
        if (!Number.isInteger(limit) || limit <= 0) {
          throw new UsageError(
            `--limit "${opts.limit}": ${pick(lang, { id: "harus bilangan bulat positif", en: "must be a positive integer" })}`,
          );
        }
        const states: OutboxState[] | undefined = opts.all
          ? undefined
          : opts.failed && !opts.pending
            ? ["failed"]
            : opts.pending && !opts.failed
              ? ["pending", "sending"]
              : ["pending", "sending", "failed"];
        const messages = await runtime.withApp("pantau outbox list", (ctx) =>
          listOutbox(ctx.db.knex, { ...(states ? { states } : {}), limit }),
        );
        if (opts.format === "json") {
          io.out(JSON.stringify(messages.map(json), null, 2));
          return;
        }
        if (messages.length === 0) {
          io.out(pick(lang, { id: "Tidak ada pesan.", en: "No messages." }));
          return;
        }
        const zone = runtime.config().defaultZone;
        const headers =
          lang === "en"
            ? [
                "ID",
                "STATE",
                "KIND",
                "CHANNEL",
                "TO",
                "SUBJECT",
                "TRIES",
                "NEXT/SENT",
                "LAST ERROR",
              ]
            : [
                "ID",
                "STATUS",
                "JENIS",
                "SALURAN",
                "KEPADA",
                "PERIHAL",
                "COBA",
                "BERIKUT/TERKIRIM",
                "GALAT TERAKHIR",
              ];
        const cut = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
        io.out(
          renderTable(
            headers,
            messages.map((m) => [
              String(m.id),
              pick(lang, STATE_NAMES[m.state]),
              m.kind,
              channelLabel(m),
              cut(m.to.join(", ") + (m.cc.length ? ` (+${m.cc.length} cc)` : ""), 48),
              cut(m.subject, 70),
              String(m.attempts),
              m.sentAt !== null
                ? formatIsoLocal(m.sentAt, zone)
                : m.state === "pending"
                  ? formatIsoLocal(m.nextAttemptAt, zone)
                  : "-",
              cut(m.lastError ?? "", 60),
            ]),
          ),
        );
      },
    );

  outbox
    .command("retry")
    .description("mengantre ulang pesan yang gagal / re-queue failed messages")
    .argument("[ids...]", "ID pesan / message IDs")
    .option("--all-failed", "semua yang gagal / every failed message")
    .action(async (ids: string[], opts: { allFailed?: boolean }) => {
      const lang = languageOf(runtime);
      if (!opts.allFailed && ids.length === 0) {
        throw new UsageError(
          pick(lang, {
            id: "sebutkan ID pesan (lihat `pantau outbox list --failed`) atau --all-failed",
            en: "give message IDs (see `pantau outbox list --failed`) or --all-failed",
          }),
        );
      }
      const numbers = ids.map((s) => {
        if (!/^\d+$/.test(s))
          throw new UsageError(
            `ID "${s}": ${pick(lang, { id: "harus angka", en: "must be a number" })}`,
          );
        return Number(s);
      });
      const requeued = await runtime.withApp("pantau outbox retry", (ctx) =>
        requeueFailed(ctx.db.knex, opts.allFailed ? "all" : numbers, io.clock()),
      );
      const skipped = numbers.filter((n) => !requeued.includes(n));
      io.out(
        pick(lang, {
          id: `${requeued.length} pesan diantre ulang${requeued.length ? ` (${requeued.join(", ")})` : ""}; dikirim pada putaran pengirim berikutnya (daemon, atau \`pantau scan --once\`).`,
          en: `${requeued.length} messages re-queued${requeued.length ? ` (${requeued.join(", ")})` : ""}; they go out at the sender's next round (daemon, or \`pantau scan --once\`).`,
        }),
      );
      if (skipped.length > 0) {
        io.err(
          pick(lang, {
            id: `Bukan pesan gagal, dilewati: ${skipped.join(", ")}`,
            en: `Not failed messages, skipped: ${skipped.join(", ")}`,
          }),
        );
        process.exitCode = 1;
      }
    });
}
