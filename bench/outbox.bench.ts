// Benchmark: messages per second through the outbox to a local SMTP server (smtp-server on a
// loopback port): BENCH_OUTBOX_MESSAGES (default 2,000) composed messages inserted into the
// outbox on PostgreSQL, then delivered by one OutboxSender (claim in batches with FOR UPDATE
// SKIP LOCKED, send over a pooled nodemailer connection, mark sent) — and by two senders at
// once, to show that they share the work without sending anything twice.
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { SMTPServer } from "smtp-server";
import type { AppContext } from "../src/context/appContext.js";
import { messageIdFor } from "../src/core/escalation/safety.js";
import { OutboxSender } from "../src/outbox/sender.js";
import { smtpTransport } from "../src/outbox/transports.js";
import { benchDatabase, machineLine, runIfMain } from "./setup.js";

async function fill(ctx: AppContext, count: number, now: number, tag: string): Promise<void> {
  const text =
    "Yth. Bapak/Ibu,\n\n" + "1. Laporan 9000001\n   Perangkat daerah: Dinas Kesehatan\n".repeat(5);
  const html = `<!DOCTYPE html><html><body><pre>${text}</pre></body></html>`;
  const rows = Array.from({ length: count }, (_, i) => {
    const key = `bench|${tag}|${i}`;
    return {
      dedupe_key: key,
      message_id: messageIdFor(key, "Kabupaten Malang"),
      kind: "escalation",
      to: JSON.stringify([`penerima${i % 50}@malangkab.example`]),
      cc: JSON.stringify(["admin.koordinator@malangkab.example"]),
      recipient_names: JSON.stringify({}),
      subject: `[Pantau] 5 laporan Dinas Kesehatan melewati batas waktu (${i})`,
      text,
      html,
      headers: JSON.stringify({ "X-Pantau-Kind": "escalation" }),
      items: JSON.stringify([key]),
      state: "pending",
      attempts: 0,
      next_attempt_at: new Date(now),
      created_at: new Date(now),
    };
  });
  for (let i = 0; i < rows.length; i += 500) {
    await ctx.db.knex("outbox").insert(rows.slice(i, i + 500));
  }
}

export async function runOutboxBench(
  count = Number(process.env.BENCH_OUTBOX_MESSAGES ?? 2_000),
): Promise<string> {
  const now = Date.parse("2026-11-02T03:00:00Z");
  let received = 0;
  const ids = new Set<string>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onData(stream, _session, callback) {
      let head = "";
      stream.on("data", (c: Buffer) => {
        if (head.length < 4096) head += c.toString("utf8");
      });
      stream.on("end", () => {
        received++;
        const m = /^Message-ID:\s*(\S+)/im.exec(head);
        if (m?.[1]) ids.add(m[1]);
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  const bench = await benchDatabase(now);
  try {
    const { ctx } = bench;
    const run = async (senders: number, tag: string) => {
      await fill(ctx, count, now, tag);
      const before = received;
      const list = Array.from(
        { length: senders },
        (_, i) =>
          new OutboxSender(ctx, {
            clock: () => now,
            id: `bench-${tag}-${i}`,
            transport: smtpTransport(url, ctx.config.mail.from),
          }),
      );
      const t0 = performance.now();
      const results = await Promise.all(list.map((s) => s.runOnce()));
      const seconds = (performance.now() - t0) / 1000;
      await Promise.all(list.map((s) => s.stop()));
      const sent = results.reduce((n, r) => n + r.sent, 0);
      return { senders, sent, arrived: received - before, seconds };
    };
    const one = await run(1, "one");
    const two = await run(2, "two");
    return [
      "## Outbox to a local SMTP server",
      "",
      machineLine(),
      "",
      "| senders | messages | arrived | distinct Message-IDs | time | messages/s |",
      "|---:|---:|---:|---:|---:|---:|",
      ...[one, two].map(
        (r) =>
          `| ${r.senders} | ${r.sent.toLocaleString("en")} | ${r.arrived.toLocaleString("en")} | ${r.senders === 1 ? "-" : ids.size.toLocaleString("en")} | ${r.seconds.toFixed(2)} s | ${Math.round(r.sent / r.seconds).toLocaleString("en")} |`,
      ),
      "",
      `Each sender claims 50 messages at a time (UPDATE … FOR UPDATE SKIP LOCKED), sends them one`,
      `by one over nodemailer's SMTP pool and marks each sent in its own transaction. The two-sender`,
      `run delivers ${count.toLocaleString("en")} new messages; distinct Message-IDs counts both runs (${(2 * count).toLocaleString("en")} expected: no message twice).`,
      "",
    ].join("\n");
  } finally {
    await bench.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

runIfMain(import.meta.url, runOutboxBench);
