// Shared fixtures of the escalation tests: a real SMTP server on a loopback port (smtp-server)
// whose received mail is parsed with mailparser, report snapshots, officers, and one "scan then
// send" step at a fixed instant.
import type { AddressInfo } from "node:net";
import { simpleParser, type AddressObject, type ParsedMail } from "mailparser";
import { SMTPServer, type SMTPServerSession } from "smtp-server";
import type { AppContext } from "../../src/context/appContext.js";
import { importItems, type ImportItem } from "../../src/app/importService.js";
import { runScan } from "../../src/scan/scanJob.js";
import type { ReportSnapshot } from "../../src/core/types.js";
import { importOfficerText } from "../../src/officers/officerImport.js";
import { OutboxSender, type SendResult } from "../../src/outbox/sender.js";
import { smtpTransport } from "../../src/outbox/transports.js";
import { wib } from "../helpers/app.js";

export interface ReceivedMail {
  envelopeFrom: string;
  envelopeTo: string[];
  raw: string;
  parsed: ParsedMail;
}

export type SmtpMode = "accept" | "reject-rcpt" | "reject-data";

export interface TestSmtp {
  port: number;
  url: string;
  received: ReceivedMail[];
  mode: SmtpMode;
  /** Milliseconds the server takes over each message before answering (a slow server). */
  delayMs: number;
  /** Resolves when at least n messages have arrived. */
  waitFor(n: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  close(): Promise<void>;
}

export async function startSmtp(): Promise<TestSmtp> {
  const received: ReceivedMail[] = [];
  const waiters = new Set<() => void>();
  const state: { mode: SmtpMode; delayMs: number } = { mode: "accept", delayMs: 0 };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onRcptTo(_address, _session, callback) {
      if (state.mode === "reject-rcpt") {
        const err = new Error("4.3.2 mailbox temporarily unavailable") as Error & {
          responseCode: number;
        };
        err.responseCode = 451;
        callback(err);
        return;
      }
      callback();
    },
    onData(stream, session: SMTPServerSession, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        if (state.mode === "reject-data") {
          const err = new Error("4.3.0 try again later") as Error & { responseCode: number };
          err.responseCode = 451;
          callback(err);
          return;
        }
        const raw = Buffer.concat(chunks).toString("utf8");
        const slow = new Promise<void>((resolve) => setTimeout(resolve, state.delayMs));
        void slow
          .then(() => simpleParser(raw))
          .then((parsed) => {
            received.push({
              envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
              envelopeTo: session.envelope.rcptTo.map((r) => r.address),
              raw,
              parsed,
            });
            waiters.forEach((w) => w());
            callback();
          }, callback);
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    received,
    get mode() {
      return state.mode;
    },
    set mode(m: SmtpMode) {
      state.mode = m;
    },
    get delayMs() {
      return state.delayMs;
    },
    set delayMs(ms: number) {
      state.delayMs = ms;
    },
    waitFor(n, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (received.length >= n) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(received);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`expected ${n} messages, got ${received.length}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export function addressesOf(field: AddressObject | AddressObject[] | undefined): string[] {
  if (!field) return [];
  const list = Array.isArray(field) ? field : [field];
  return list
    .flatMap((a) => a.value.map((v) => v.address ?? ""))
    .map((a) => a.toLowerCase())
    .sort();
}

// ---- data ----

export const OFFICERS_CSV = [
  "opd,role,name,email,valid_from,valid_to,decree",
  ",coordinator,Dewi Anggraini,koordinator@malangkab.example,2024-01-02,,SK 1/2024",
  ",leadership,Tim Pengelola,pimpinan@malangkab.example,2024-01-02,,SK 2/2024",
  "dpubm,liaison,Eko Prasetyo,penghubung.dpubm@malangkab.example,2024-01-02,,SK 3/2024",
  "dpubm,supervisor,Wahyu Nugroho,kepala.dpubm@malangkab.example,2024-01-02,,SK 4/2024",
  "dishub,supervisor,Heru Wibowo,kepala.dishub@malangkab.example,2024-01-02,,SK 5/2024",
].join("\n");

/**
 * A dpubm report whose only open clock is resolution (normatif, 5wd from the disposition on Tue
 * 4 Mar 2025 09:00): at risk from Tue 11 Mar 00:00 WIB, due Wed 12 Mar 00:00 WIB, "still open 3
 * working days after due" from Sat 15 Mar 00:00 WIB (late Wed, Thu, Fri); the first scan after
 * it decides it (steps are not held for office hours).
 */
export function dpubmReport(
  trackingId: string,
  over: Partial<ReportSnapshot> = {},
): ReportSnapshot {
  return {
    trackingId,
    receivedAt: wib("2025-03-03T10:12"),
    opd: "dpubm",
    type: "pengaduan",
    complexity: "normatif",
    category: "Jalan rusak",
    channel: "lapor_web",
    anonymous: false,
    confidential: false,
    contactComplete: true,
    milestones: { disposedAt: wib("2025-03-04T09:00"), firstResponseAt: wib("2025-03-05T10:00") },
    ...over,
  };
}

export const AT_RISK = wib("2025-03-11T07:00");
export const OVERDUE = wib("2025-03-12T07:00");
export const ESCALATED = wib("2025-03-17T07:00");
export const IMPORTED = wib("2025-03-06T12:00");

export async function importReports(
  ctx: AppContext,
  snapshots: readonly ReportSnapshot[],
  now: number,
  events: ImportItem[] = [],
): Promise<void> {
  const items: ImportItem[] = snapshots.map((s, i) => ({
    rowNumber: i + 2,
    kind: "snapshot",
    snapshot: s,
  }));
  const summary = await importItems(ctx, [...items, ...events], { source: "test", now });
  if (summary.rejected > 0) throw new Error(`rejected rows: ${JSON.stringify(summary)}`);
}

export async function importOfficers(ctx: AppContext, csv: string, now: number): Promise<void> {
  const r = await importOfficerText(ctx, csv, { source: "test", now, lang: "en" });
  if (!r.ok) throw new Error(r.errors.join("\n"));
}

export interface StepResult {
  scan: Awaited<ReturnType<typeof runScan>>;
  send: SendResult | null;
}

/** One scan at `now`, then (unless send is false) the sender at the same instant. */
export async function scanAndSend(
  ctx: AppContext,
  smtp: TestSmtp,
  now: number,
  options: { send?: boolean; random?: () => number } = {},
): Promise<StepResult> {
  const scan = await runScan(ctx, now, () => now);
  if (options.send === false) return { scan, send: null };
  const sender = new OutboxSender(ctx, {
    clock: () => now,
    transport: smtpTransport(smtp.url, ctx.config.mail.from),
    random: options.random ?? (() => 0.5),
  });
  try {
    return { scan, send: await sender.runOnce() };
  } finally {
    await sender.stop();
  }
}
