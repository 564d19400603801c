// The webhook part of the notify step (notifyStep.ts), in its transaction: for each configured
// webhook, the same per-person bundles as the email, limited to the webhook's roles and levels
// and to people with the contact it addresses (phone or telegram_chat_id), each (item, person,
// "webhook:<name>") pair claimed once in notification_deliveries. One chat message per person
// and webhook, written to the outbox with channel 'webhook', its JSON payload, and — inside the
// quiet hours — not before they end (email is never held).
import type { Knex } from "knex";
import type { AppContext } from "../app/context.js";
import type { WebhookSettings } from "../config/notifySettings.js";
import type { EscalationDecision } from "../core/escalation/ladder.js";
import { holderAt } from "../core/escalation/officers.js";
import type { RecipientResolution } from "../core/escalation/recipients.js";
import { chatPayload, chatText, type ChatContact } from "../core/notify/chatMessage.js";
import type { ComposeContext, OutboundEmail } from "../core/notify/compose.js";
import {
  bundleItemKeys,
  bundlesPerPerson,
  personKey,
  type PersonBundle,
} from "../core/notify/perPerson.js";
import { personalSubject } from "../core/notify/personalEmail.js";
import { quietHoursRelease } from "../core/notify/quietHours.js";
import { messageIdFor } from "../core/notify/safety.js";
import type { Instant } from "../core/types.js";
import { attachMessage, claimDeliveries, isClaimed, type DeliveryPair } from "./deliveryStore.js";
import type { EscalationRun } from "./escalationRun.js";
import type { StoredAppointment } from "./officerStore.js";
import { enqueue } from "./outboxStore.js";

/** Chat contacts of the people holding a role at `at`, by person (lowercased email). */
export function contactsAt(
  appointments: readonly StoredAppointment[],
  at: Instant,
): Map<string, ChatContact> {
  const out = new Map<string, ChatContact>();
  for (const a of appointments) {
    if (holderAt(appointments, a.role, a.opd, at) !== a) continue;
    const person = personKey(a.email);
    const prev = out.get(person);
    out.set(person, {
      phone: prev?.phone ?? a.phone ?? null,
      telegramChatId: prev?.telegramChatId ?? a.telegramChatId ?? null,
    });
  }
  return out;
}

function addressOf(hook: WebhookSettings, contact: ChatContact | undefined): string | null {
  if (!contact) return null;
  return hook.address === "phone" ? contact.phone : contact.telegramChatId;
}

function wantedPairs(
  hook: WebhookSettings,
  decisions: readonly EscalationDecision[],
  resolved: ReadonlyMap<string, RecipientResolution>,
  contacts: ReadonlyMap<string, ChatContact>,
): DeliveryPair[] {
  const channel = `webhook:${hook.name}`;
  const pairs: DeliveryPair[] = [];
  for (const d of decisions) {
    if (hook.levels && !hook.levels.includes(d.level)) continue;
    const r = resolved.get(d.key);
    if (!r || r.status !== "ok") continue;
    for (const who of [...r.to, ...r.cc]) {
      if (hook.roles && !hook.roles.includes(who.role)) continue;
      const person = personKey(who.email);
      if (addressOf(hook, contacts.get(person)) === null) continue;
      pairs.push({ itemKey: d.key, person, channel });
    }
  }
  return pairs;
}

function chatMessage(
  hook: WebhookSettings,
  bundle: PersonBundle,
  contact: ChatContact,
  address: string,
  ctx: ComposeContext,
): { message: OutboundEmail; payload: unknown } {
  const items = bundleItemKeys(bundle);
  const dedupeKey = `webhook:${hook.name}|${bundle.person}|${items.join(";")}`;
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
    payload,
  };
}

export async function queueWebhookMessages(
  trx: Knex.Transaction,
  ctx: AppContext,
  run: EscalationRun,
  decisions: readonly EscalationDecision[],
  resolved: ReadonlyMap<string, RecipientResolution>,
  appointments: readonly StoredAppointment[],
  cctx: ComposeContext,
  now: Instant,
): Promise<void> {
  const hooks = ctx.config.notify.webhooks;
  if (hooks.length === 0 || decisions.length === 0) return;
  const contacts = contactsAt(appointments, now);
  const notBefore = quietHoursRelease(now, ctx.config.defaultZone, ctx.config.notify.quietHours);
  for (const hook of hooks) {
    const channel = `webhook:${hook.name}`;
    const claimed = await claimDeliveries(
      trx,
      wantedPairs(hook, decisions, resolved, contacts),
      now,
    );
    if (claimed.size === 0) continue;
    const bundles = bundlesPerPerson(
      decisions,
      resolved,
      (itemKey, person) => !isClaimed(claimed, { itemKey, person, channel }),
    );
    for (const bundle of bundles) {
      const contact = contacts.get(bundle.person);
      const address = addressOf(hook, contact);
      if (!contact || address === null) continue;
      const { message, payload } = chatMessage(hook, bundle, contact, address, cctx);
      const { id, created } = await enqueue(trx, message, now, {
        channel: "webhook",
        endpoint: hook.name,
        payload,
        notBefore,
      });
      if (created) run.counts.chatMessagesQueued++;
      await attachMessage(trx, bundle.person, channel, message.items, id);
    }
  }
}
