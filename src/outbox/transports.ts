// Mail transports for the outbox sender: nodemailer over SMTP (pooled; TLS as the URL says:
// smtps:// implicit TLS, smtp:// STARTTLS when the server offers it), or — the embedded default
// without SMTP_URL — each message written as an RFC 5322 .eml file that any mail program opens.
// Both build the message with nodemailer from the same fields, so the .eml is what SMTP would carry.
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import nodemailer from "nodemailer";
import type { OutboxMessage } from "./outboxStore.js";

export interface MailTransport {
  /** "smtp://host:port" or the outbox directory, for logs and messages (no password). */
  readonly description: string;
  /** Delivers one message; throws on failure (the sender retries). */
  send(message: OutboxMessage): Promise<void>;
  close(): Promise<void>;
}

interface Address {
  name: string;
  address: string;
}

function addresses(list: readonly string[], names: Record<string, string>): Address[] {
  return list.map((address) => ({ name: names[address] ?? "", address }));
}

/** nodemailer message fields of an outbox row. Date = when it was composed (stable .eml). */
export function mailOptions(message: OutboxMessage, from: string) {
  return {
    from,
    to: addresses(message.to, message.recipientNames),
    cc: addresses(message.cc, message.recipientNames),
    subject: message.subject,
    text: message.text,
    html: message.html,
    messageId: message.messageId,
    headers: message.headers,
    date: new Date(message.createdAt),
  };
}

export function redactSmtp(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.hostname}${u.port ? `:${u.port}` : ""}`;
  } catch {
    return "smtp";
  }
}

/**
 * Connects to the SMTP server, greets and authenticates, and hangs up without sending: the
 * connection test of `pantau doctor`. Rejects with nodemailer's reason when it cannot.
 */
export async function verifySmtp(url: string, timeoutMs: number): Promise<void> {
  const transport = nodemailer.createTransport({
    url,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  try {
    await transport.verify();
  } finally {
    transport.close();
  }
}

export function smtpTransport(url: string, from: string): MailTransport {
  const transporter = nodemailer.createTransport({
    url,
    pool: true,
    maxConnections: 3,
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 60_000,
  });
  return {
    description: redactSmtp(url),
    async send(message) {
      const info = await transporter.sendMail(mailOptions(message, from));
      const rejected = (info.rejected ?? []).length;
      if (rejected > 0 && (info.accepted ?? []).length === 0) {
        throw new Error(`all recipients rejected: ${info.response}`);
      }
    },
    async close() {
      transporter.close();
    },
  };
}

/** "20250305T050000Z": the composition instant in a file name. */
function stamp(at: number): string {
  return new Date(at)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
}

export function emlFileName(message: OutboxMessage): string {
  return `${stamp(message.createdAt)}-${message.id}.eml`;
}

export function emlTransport(dir: string, from: string): MailTransport {
  const composer = nodemailer.createTransport({
    streamTransport: true,
    buffer: true,
    newline: "crlf",
  });
  let made = false;
  return {
    description: dir,
    async send(message) {
      if (!made) {
        mkdirSync(dir, { recursive: true, mode: 0o700 }); // owner-only, see db/fileModes.ts
        made = true;
      }
      const info = await composer.sendMail(mailOptions(message, from));
      const name = emlFileName(message);
      const tmp = join(dir, `.${name}.${process.pid}.tmp`);
      writeFileSync(tmp, info.message as Buffer, { mode: 0o600 });
      renameSync(tmp, join(dir, name));
    },
    async close() {
      composer.close();
    },
  };
}
