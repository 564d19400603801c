// Which transport delivers an outbox message: email goes to the mail transport, a webhook
// message to the transport of its webhook (by name). A retry of a chat message that would fall
// inside the quiet hours waits until they end (notBefore), as a new one does. A message whose webhook is no longer
// configured fails permanently with a message saying so (it stays visible in `pantau outbox
// list --failed`, and `pantau outbox retry` sends it once the webhook is configured again).
import type { PantauConfig } from "../config/index.js";
import type { WebhookSettings } from "../config/notifySettings.js";
import { quietHoursRelease } from "../core/escalation/quietHours.js";
import type { Instant } from "../core/types.js";
import type { OutboxMessage } from "./outboxStore.js";
import type { MailTransport } from "./transports.js";
import { PermanentDeliveryError, webhookTransport } from "./webhookTransport.js";

export function webhookTransports(
  settings: readonly WebhookSettings[],
  env: NodeJS.ProcessEnv = process.env,
): Map<string, MailTransport> {
  return new Map(settings.map((w) => [w.name, webhookTransport(w, env)]));
}

export function channelTransport(
  message: OutboxMessage,
  mail: MailTransport,
  webhooks: ReadonlyMap<string, MailTransport>,
): MailTransport {
  if (message.channel !== "webhook") return mail;
  const transport = webhooks.get(message.endpoint ?? "");
  if (transport) return transport;
  return {
    description: `webhook:${message.endpoint ?? "?"}`,
    send: () =>
      Promise.reject(
        new PermanentDeliveryError(
          `webhook "${message.endpoint ?? "?"}" is not configured (notify.webhooks in pantau.yaml)`,
        ),
      ),
    close: async () => undefined,
  };
}

/** When a message may be tried at `at` or later: chat messages skip the quiet hours. */
export function notBefore(config: PantauConfig, message: OutboxMessage, at: Instant): Instant {
  if (message.channel !== "webhook") return at;
  return quietHoursRelease(at, config.defaultZone, config.notify.quietHours);
}
