// The webhook channel's transport: POSTs a message's JSON payload to the configured URL (a
// WhatsApp gateway, the Telegram Bot API's sendMessage), signed with HMAC-SHA256.
//
// Request: Content-Type application/json; X-Pantau-Signature: "sha256=<hex HMAC-SHA256 of
// `<timestamp>.<body>` with the secret>"; X-Pantau-Timestamp: seconds since the epoch (so a
// receiver can refuse replays); X-Pantau-Message-Id and Idempotency-Key: the message's
// deterministic id (a receiver can drop a repeat after a crash mid-send).
//
// Outcome: 2xx → delivered. 4xx other than 408/429 → PermanentDeliveryError (no retry: the
// request is wrong and will stay wrong) with the status and the head of the body; 5xx, 408, 429,
// a timeout or a connection error → an ordinary Error (the sender retries with backoff). The
// secret and a URL from url_env (it may hold a bot token) never appear in errors or logs.
import { createHmac } from "node:crypto";
import type { WebhookSettings } from "../config/notifySettings.js";
import type { OutboxMessage } from "./outboxStore.js";
import type { MailTransport } from "./transports.js";

/** A failure that retrying cannot fix; the sender marks the message failed at once. */
export class PermanentDeliveryError extends Error {
  readonly code = "DELIVERY_PERMANENT";
  readonly permanent = true;
  constructor(message: string) {
    super(message);
    this.name = "PermanentDeliveryError";
  }
}

export function isPermanent(error: unknown): boolean {
  return error instanceof PermanentDeliveryError;
}

/** "sha256=<hex>" over `<timestamp>.<body>`. */
export function signatureOf(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`, "utf8").digest("hex")}`;
}

/** Whether a status is worth retrying: server errors, request timeout, rate limited. */
export function retryableStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

function bodyHead(text: string): string {
  return text.replace(/\s+/g, " ").trim().slice(0, 200);
}

/** The URL for logs: origin and path, without a query or a token-bearing path (url_env). */
export function describeWebhook(settings: WebhookSettings): string {
  return settings.url === null
    ? `webhook:${settings.name} ($${settings.urlEnv})`
    : `webhook:${settings.name} (${new URL(settings.url).origin})`;
}

export function webhookTransport(
  settings: WebhookSettings,
  env: NodeJS.ProcessEnv = process.env,
  clock: () => number = Date.now,
): MailTransport {
  const description = describeWebhook(settings);
  return {
    description,
    async send(message: OutboxMessage) {
      const secret = env[settings.secretEnv];
      const url = settings.url ?? (settings.urlEnv ? env[settings.urlEnv] : undefined);
      if (!secret) {
        throw new Error(
          `${settings.secretEnv} is not set: the HMAC secret of ${description} (set it in the environment and restart)`,
        );
      }
      if (!url) {
        throw new Error(`${settings.urlEnv ?? "url"} is not set: the URL of ${description}`);
      }
      const body = JSON.stringify(message.payload);
      const timestamp = String(Math.floor(clock() / 1000));
      let response: Response;
      try {
        response = await fetch(url, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "x-pantau-signature": signatureOf(secret, timestamp, body),
            "x-pantau-timestamp": timestamp,
            "x-pantau-message-id": message.messageId,
            "idempotency-key": message.messageId,
          },
          body,
          signal: AbortSignal.timeout(settings.timeoutMs),
          redirect: "error",
        });
      } catch (error) {
        const e = error as Error;
        const what =
          e.name === "TimeoutError"
            ? `no answer within ${Math.round(settings.timeoutMs / 1000)} s`
            : `connection failed (${(e.cause as Error | undefined)?.message ?? e.message})`;
        throw new Error(`${description}: ${what}`);
      }
      const text = await response.text().catch(() => "");
      if (response.ok) return;
      const detail = `${description}: HTTP ${response.status}: ${bodyHead(text)}`;
      if (retryableStatus(response.status)) throw new Error(detail);
      throw new PermanentDeliveryError(detail);
    },
    async close() {
      return undefined;
    },
  };
}
