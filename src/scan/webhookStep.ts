// The chat part of the notify step (notifyStep.ts): for each configured webhook, which (item,
// person) pairs it delivers — the webhook's roles and levels, people with the contact it
// addresses (phone or telegram_chat_id) — and the chat message of one person's bundle, written
// to the outbox with channel 'webhook', its JSON payload, and — inside the quiet hours — not
// before they end (email is never held). Each pair is claimed once per webhook in
// notification_deliveries ("webhook:<name>"), as email pairs are.
import type { WebhookSettings } from "../config/notifySettings.js";
import type { EscalationDecision } from "../core/escalation/ladder.js";
import type { Recipient, RecipientResolution } from "../core/escalation/recipients.js";
import { chatPayload, chatText } from "../core/escalation/chatMessage.js";
import type { ComposeContext, OutboundEmail } from "../core/escalation/compose.js";
import type { ChatContact } from "../core/escalation/chatContacts.js";
import { bundleItemKeys, personKey, type PersonBundle } from "../core/escalation/perPerson.js";
import { messageKey, personalSubject } from "../core/escalation/personalEmail.js";
import { messageIdFor } from "../core/escalation/safety.js";
import type { Instant } from "../core/types.js";
import type { DeliveryPair } from "../outbox/deliveryStore.js";
import type { ChannelFields } from "../outbox/outboxStore.js";

/** The delivery channel of a webhook. */
export const webhookChannel = (hook: WebhookSettings): string => `webhook:${hook.name}`;

function addressOf(hook: WebhookSettings, contact: ChatContact | undefined): string | null {
  if (!contact) return null;
  return hook.address === "phone" ? contact.phone : contact.telegramChatId;
}

/** Whether the webhook delivers decisions of this level to this person. */
export function hookWants(
  hook: WebhookSettings,
  d: EscalationDecision,
  who: Recipient,
  contacts: ReadonlyMap<string, ChatContact>,
): boolean {
  if (hook.levels && !hook.levels.includes(d.level)) return false;
  if (hook.roles && !hook.roles.includes(who.role)) return false;
  return addressOf(hook, contacts.get(personKey(who.email))) !== null;
}

/** The (item, person) pairs the webhook delivers for these decisions. */
export function webhookPairs(
  hook: WebhookSettings,
  decisions: readonly EscalationDecision[],
  resolved: ReadonlyMap<string, RecipientResolution>,
  contacts: ReadonlyMap<string, ChatContact>,
): DeliveryPair[] {
  const channel = webhookChannel(hook);
  const pairs: DeliveryPair[] = [];
  for (const d of decisions) {
    const r = resolved.get(d.key);
    if (!r || r.status !== "ok") continue;
    for (const who of [...r.to, ...r.cc]) {
      if (!hookWants(hook, d, who, contacts)) continue;
      pairs.push({ itemKey: d.key, person: personKey(who.email), channel });
    }
  }
  return pairs;
}

/** One person's chat message for the webhook, or null when they have no address for it. */
export function chatMessageFor(
  hook: WebhookSettings,
  bundle: PersonBundle,
  contacts: ReadonlyMap<string, ChatContact>,
  ctx: ComposeContext,
  notBefore: Instant,
): { message: OutboundEmail; fields: ChannelFields } | null {
  const contact = contacts.get(bundle.person);
  const address = addressOf(hook, contact);
  if (!contact || address === null) return null;
  const items = bundleItemKeys(bundle);
  const dedupeKey = messageKey(webhookChannel(hook), bundle, items);
  const messageId = messageIdFor(dedupeKey, ctx.regency);
  const text = chatText(bundle, ctx, hook.template);
  const payload =
    hook.format === "telegram"
      ? { chat_id: address, text, disable_web_page_preview: true }
      : chatPayload(bundle, contact, ctx, hook.template, messageId);
  return {
    message: {
      messageId,
      dedupeKey,
      kind: "escalation",
      to: [address],
      cc: [],
      recipientNames: { [address]: bundle.recipient.name },
      subject: personalSubject(bundle, ctx),
      text,
      html: "",
      items,
      headers: {},
    },
    fields: { channel: "webhook", endpoint: hook.name, payload, notBefore },
  };
}
