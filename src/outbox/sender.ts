// The outbox sender: claims due messages in batches (FOR UPDATE SKIP LOCKED, with a lease so a
// sender killed mid-send gives its messages back), hands each to the transport, and marks it
// sent — with the decisions it carried — or schedules a retry with exponential backoff and
// jitter; after the maximum number of attempts the message is 'failed' and stays visible.
// Database and SMTP outages are logged and retried; they never throw out of runOnce().
//
// Invariants: a message goes to the transport only right after this sender renewed its claim on
// exactly that message; a send is cut off after sendTimeoutMs, and the lease is longer than that,
// so no other sender can take a message over while it is being sent (no duplicate however slow
// SMTP is). Claims of a sender process on this host that is no longer alive, or on PostgreSQL of
// a sender whose liveness lock is gone (its session ended), are released at once.
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { AppContext } from "../context/appContext.js";
import type { MailSettings } from "../config/index.js";
import type { Instant } from "../core/types.js";
import type { Logger } from "../log.js";
import {
  activeClaimants,
  claimBatch,
  expireClaims,
  markAttemptFailed,
  markSent,
  release,
  renewClaim,
  SENDER_LOCK_CLASS,
  unlockedPgClaimants,
  type OutboxMessage,
} from "./outboxStore.js";
import { emlTransport, smtpTransport, type MailTransport } from "./transports.js";
import { channelTransport, notBefore, webhookTransports } from "./webhookChannel.js";
import { isPermanent } from "./webhookTransport.js";

export type RetryPolicy = MailSettings["retry"];

/**
 * Delay before attempt `attempts + 1` after `attempts` failed ones: base * factor^(attempts-1),
 * at most cap, with "equal jitter" (between half and all of it) so that many messages failing
 * together do not come back together.
 */
export function backoffMs(attempts: number, policy: RetryPolicy, random: () => number): number {
  const raw = Math.min(policy.capMs, policy.baseMs * policy.factor ** Math.max(0, attempts - 1));
  return Math.round(raw / 2 + (random() * raw) / 2);
}

export function transportFor(ctx: AppContext): MailTransport {
  const mail = ctx.config.mail;
  return mail.smtpUrl
    ? smtpTransport(mail.smtpUrl, mail.from)
    : emlTransport(mail.outboxDir, mail.from);
}

export interface SendResult {
  sent: number;
  retried: number;
  failed: number;
  /** A database error stopped the run (logged); the messages stay queued. */
  error: string | null;
}

export interface SenderOptions {
  clock: () => Instant;
  transport?: MailTransport;
  /** Transports of the webhook channels by name (default: from config notify.webhooks). */
  webhooks?: ReadonlyMap<string, MailTransport>;
  batchSize?: number;
  /**
   * How long a claim lasts before another sender may take the message over; renewed before each
   * message is sent. Must be longer than sendTimeoutMs (default: sendTimeoutMs + 30 s).
   */
  leaseMs?: number;
  /** A send that has not finished after this long counts as a failed attempt (default 120 s). */
  sendTimeoutMs?: number;
  random?: () => number;
  retry?: RetryPolicy;
  /** Identifies this sender in locked_by. */
  id?: string;
}

/** Default time one message may take to send: SMTP connect, greeting and data, with margin. */
export const SEND_TIMEOUT_MS = 120_000;
const LEASE_MARGIN_MS = 30_000;

/** The host and pid a sender id ("host:pid:hex[:pg]", as OutboxSender makes them) names, or null. */
export function claimantProcess(senderId: string): { host: string; pid: number } | null {
  const m = /^(.+):(\d+):[0-9a-f]{6}(?::pg)?$/.exec(senderId);
  return m ? { host: m[1]!, pid: Number(m[2]) } : null;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** A claimant known to be dead: a sender process of this host that no longer runs. */
export function claimantDead(senderId: string, host = hostname()): boolean {
  const p = claimantProcess(senderId);
  if (!p || p.host !== host || p.pid === process.pid) return false;
  return !processAlive(p.pid);
}

export class OutboxSender {
  readonly id: string;
  readonly transport: MailTransport;
  private readonly webhooks: ReadonlyMap<string, MailTransport>;
  private readonly log: Logger;
  private readonly retry: RetryPolicy;
  private readonly sendTimeoutMs: number;
  private readonly leaseMs: number;
  private running: Promise<SendResult> | null = null;
  private again = false;
  private stopping = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly ctx: AppContext,
    private readonly options: SenderOptions,
  ) {
    // On PostgreSQL ":pg" says the sender holds its liveness lock while it drains.
    this.id =
      options.id ??
      `${ctx.instanceId}:${randomBytes(3).toString("hex")}${ctx.db.kind === "postgres" ? ":pg" : ""}`;
    this.transport = options.transport ?? transportFor(ctx);
    this.webhooks = options.webhooks ?? webhookTransports(ctx.config.notify.webhooks);
    this.retry = options.retry ?? ctx.config.mail.retry;
    this.sendTimeoutMs = options.sendTimeoutMs ?? SEND_TIMEOUT_MS;
    this.leaseMs = options.leaseMs ?? this.sendTimeoutMs + LEASE_MARGIN_MS;
    if (this.leaseMs <= this.sendTimeoutMs) {
      throw new Error(
        `outbox lease (${this.leaseMs} ms) must be longer than the send timeout (${this.sendTimeoutMs} ms)`,
      );
    }
    this.log = ctx.logger.child({ sender: this.id });
  }

  /**
   * Delivers everything due now. A call while a run is in progress runs once more after it
   * (so messages written by a scan that just committed are not left for the next timer).
   */
  runOnce(): Promise<SendResult> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      const total: SendResult = { sent: 0, retried: 0, failed: 0, error: null };
      do {
        this.again = false;
        const r = await this.drain();
        total.sent += r.sent;
        total.retried += r.retried;
        total.failed += r.failed;
        total.error = r.error;
      } while (this.again && !this.stopping);
      return total;
    })();
    return this.running.finally(() => {
      this.running = null;
    });
  }

  /**
   * On PostgreSQL a sender whose id ends in ":pg" drains only while it holds its liveness lock
   * (a session advisory lock on one pooled connection), so others can tell its claims from those
   * of a dead sender; the lock is given back when the drain ends, when no claim of it is live.
   */
  private async drain(): Promise<SendResult> {
    const knex = this.ctx.db.knex;
    if (this.ctx.db.kind !== "postgres" || !this.id.endsWith(":pg")) return this.drainClaims();
    let conn: unknown;
    try {
      conn = await knex.client.acquireConnection();
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      this.log.error("outbox sender: database error; will retry", { error: text });
      return { sent: 0, retried: 0, failed: 0, error: text };
    }
    const key = [SENDER_LOCK_CLASS, this.id];
    try {
      const got = (await knex
        .raw("SELECT pg_try_advisory_lock(?, hashtext(?)) AS ok", key)
        .connection(conn)) as { rows: { ok: boolean }[] };
      if (!got.rows[0]?.ok) {
        // Another session holds the same key (a hash collision): claim nothing this round.
        this.log.warn("outbox sender: liveness lock busy; skipping this round", {});
        return { sent: 0, retried: 0, failed: 0, error: null };
      }
      try {
        return await this.drainClaims();
      } finally {
        await knex
          .raw("SELECT pg_advisory_unlock(?, hashtext(?))", key)
          .connection(conn)
          .catch(() => undefined);
      }
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      this.log.error("outbox sender: database error; will retry", { error: text });
      return { sent: 0, retried: 0, failed: 0, error: text };
    } finally {
      await knex.client.releaseConnection(conn);
    }
  }

  private async drainClaims(): Promise<SendResult> {
    const result: SendResult = { sent: 0, retried: 0, failed: 0, error: null };
    const knex = this.ctx.db.knex;
    const batchSize = this.options.batchSize ?? 50;
    try {
      await this.releaseDeadClaims();
      while (!this.stopping) {
        const batch = await claimBatch(
          knex,
          this.id,
          this.options.clock(),
          this.leaseMs,
          batchSize,
        );
        if (batch.length === 0) break;
        for (let i = 0; i < batch.length; i++) {
          const message = batch[i]!;
          if (this.stopping) {
            // Not started: give the rest back for the next sender.
            for (const rest of batch.slice(i)) await release(knex, rest.id, this.id);
            break;
          }
          await this.deliver(message, result);
        }
        if (batch.length < batchSize) break;
      }
    } catch (error) {
      result.error = error instanceof Error ? error.message : String(error);
      this.log.error("outbox sender: database error; will retry", { error: result.error });
    }
    if (result.sent + result.retried + result.failed > 0) {
      this.log.info("outbox delivered", {
        sent: result.sent,
        retried: result.retried,
        failed: result.failed,
        transport: this.transport.description,
      });
    }
    return result;
  }

  /**
   * Expires the claims of senders that died (kill -9, crash): processes of this host that no
   * longer run, and on PostgreSQL ":pg" senders whose liveness lock no session holds.
   */
  private async releaseDeadClaims(): Promise<void> {
    const knex = this.ctx.db.knex;
    const now = this.options.clock();
    const dead = [...(await activeClaimants(knex, now)).keys()].filter((id) => claimantDead(id));
    if (this.ctx.db.kind === "postgres") {
      for (const id of await unlockedPgClaimants(knex, now)) {
        if (id !== this.id && !dead.includes(id)) dead.push(id);
      }
    }
    if (dead.length === 0) return;
    const released = await expireClaims(knex, dead, now);
    this.log.warn("released the claims of outbox senders that are no longer running", {
      senders: dead,
      messages: released,
    });
  }

  /** The transport's send, cut off after sendTimeoutMs (then a failed attempt, retried later). */
  private async sendWithTimeout(message: OutboxMessage): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        channelTransport(message, this.transport, this.webhooks).send(message),
        new Promise<never>((_resolve, reject) => {
          timer = setTimeout(
            () =>
              reject(
                new Error(
                  `no answer from ${this.transport.description} within ${Math.round(this.sendTimeoutMs / 1000)} s`,
                ),
              ),
            this.sendTimeoutMs,
          );
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async deliver(message: OutboxMessage, result: SendResult): Promise<void> {
    const knex = this.ctx.db.knex;
    // The claim must hold for exactly this message while it is sent: renew it now (the batch's
    // lease may have run out while earlier messages were sent) or leave it to its new owner.
    if (!(await renewClaim(knex, message.id, this.id, this.options.clock(), this.leaseMs))) {
      this.log.info("message taken over by another sender; not sending it", {
        outboxId: message.id,
      });
      return;
    }
    try {
      await this.sendWithTimeout(message);
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      const exhausted = isPermanent(error) || message.attempts >= this.retry.maxAttempts;
      const retryAt = exhausted
        ? null
        : notBefore(
            this.ctx.config,
            message,
            this.options.clock() +
              backoffMs(message.attempts, this.retry, this.options.random ?? Math.random),
          );
      await markAttemptFailed(knex, message.id, this.id, text, retryAt);
      if (exhausted) result.failed++;
      else result.retried++;
      if (message.channel === "email") this.ctx.metrics.emailFailed();
      this.ctx.metrics.notificationFailed(message.channel);
      this.log.warn(
        exhausted ? "message failed: attempts exhausted" : "delivery failed; retrying",
        {
          outboxId: message.id,
          kind: message.kind,
          channel: message.channel,
          attempts: message.attempts,
          retryAt: retryAt === null ? null : new Date(retryAt).toISOString(),
          error: text,
        },
      );
      return;
    }
    if (await markSent(knex, message.id, this.id, this.options.clock())) {
      result.sent++;
      if (message.channel === "email") this.ctx.metrics.emailSent();
      this.ctx.metrics.notificationSent(message.channel);
    } else {
      this.log.warn("message sent but its claim was lost (lease expired)", {
        outboxId: message.id,
      });
    }
  }

  /** Runs every `intervalMs` (unref'd, so it never keeps the process alive on its own). */
  start(intervalMs: number): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      void this.runOnce();
    }, intervalMs);
    this.timer.unref();
  }

  /** Stops taking work, finishes the message in hand, closes the transport. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.running) await this.running.catch(() => undefined);
    await this.transport.close();
    for (const t of this.webhooks.values()) await t.close();
  }
}
