// The notify step, at the END of a scan (after the batches and the review pass): composes one
// message per person for every pending decision that has no message yet.
//
// In one transaction: reads the pending, uncomposed, deliverable decisions with their clocks
// and report facts through a cursor, oldest due first, a page at a time (the escalations table
// is the item outbox: a crash before this step leaves them uncomposed and the next scan composes
// them). For each page: recipients resolved at `now` (whoever holds the role now); decisions
// whose clock or level is gone cancelled, decisions nobody can receive marked undeliverable;
// every (item, person, channel) pair not delivered before claimed in the step's claim table
// (deliveryStore.ts); the claimed pairs fed to one PersonBundleBuilder per channel (pure), which
// keeps per person at most ITEMS_LISTED items — those to act on first, the oldest first — and
// counts the rest per agency; the decisions marked composed. Then the messages, a chunk of
// people at a time: one email per person, one chat message per person and configured webhook
// (webhookStep.ts), written with enqueueAll, and every pair claimed above written to
// notification_deliveries with its person's message, listed or only counted there (unique: an
// item reaches a person once per channel, whatever crashes or second daemons do).
//
// Statements: a fixed few per page of decisions and per chunk of people, none per decision or
// per message. Memory follows the page, the people and ITEMS_LISTED, not the decisions.
import type { Knex } from "knex";
import type { WebhookSettings } from "../config/notifySettings.js";
import type { ComposeContext, OutboundEmail } from "../core/escalation/compose.js";
import { contactsAt, type ChatContact } from "../core/escalation/chatContacts.js";
import { levelKind, levelName, type EscalationDecision } from "../core/escalation/ladder.js";
import { PersonBundleBuilder, personKey, type PersonBundle } from "../core/escalation/perPerson.js";
import { composePersonalEmail } from "../core/escalation/personalEmail.js";
import { quietHoursRelease } from "../core/escalation/quietHours.js";
import type { RecipientResolution, RoleSlot } from "../core/escalation/recipients.js";
import type { Instant, ReportType } from "../core/types.js";
import type { AppContext } from "../context/appContext.js";
import {
  claimDeliveries,
  deliverClaims,
  deliverRemainingClaims,
  isClaimed,
  openClaims,
  type DeliveryPair,
} from "../outbox/deliveryStore.js";
import { enqueueAll, type ChannelFields } from "../outbox/outboxStore.js";
import { BulkSession, ColumnBatch, keyLookupsOnly } from "../store/bulkSession.js";
import { clockFromRow, type ClockRow } from "../store/rows.js";
import { composeContext, ladderFor, type EscalationRun } from "./escalationRun.js";
import { cancelDecisions, markUndeliverable } from "./escalationStore.js";
import { chatMessageFor, webhookChannel, webhookPairs } from "./webhookStep.js";

/** Decisions per FETCH from the cursor. */
const PAGE = 2000;
/** People whose messages are composed and written together. */
const PEOPLE_PER_CHUNK = 100;

type UncomposedRow = ClockRow & {
  decision_key: string;
  level: number;
  step_at: Date;
  decided_at: Date;
  /** Null when the decision's clock is gone. */
  c_tracking_id: string | null;
  r_received_at: Date | null;
  r_confidential: boolean | null;
  r_type: string | null;
  r_category: string | null;
};

/** One channel's bundles being built: email, or a webhook. */
interface Channel {
  name: string;
  hook: WebhookSettings | null;
  builder: PersonBundleBuilder;
}

/** What the step noticed, logged once at its end. */
interface Tally {
  composed: number;
  undeliverable: number;
  firstUndeliverable: string | null;
  unfilled: Map<string, RoleSlot>;
}

/** Feeds the uncomposed decisions, oldest due first, a page at a time. */
async function eachUncomposedPage(
  trx: Knex.Transaction,
  visit: (rows: UncomposedRow[]) => Promise<void>,
): Promise<void> {
  await trx.raw(
    `DECLARE pantau_uncomposed NO SCROLL CURSOR FOR
     SELECT c.*, c.tracking_id AS c_tracking_id, e.decision_key, e.level, e.step_at,
       e.decided_at, r.received_at AS r_received_at, r.confidential AS r_confidential,
       r.type AS r_type, r.category AS r_category
     FROM escalations e
     LEFT JOIN sla_clocks c
       ON c.tracking_id = e.tracking_id AND c.stage = e.stage AND c.seq = e.seq
     LEFT JOIN reports r ON r.tracking_id = e.tracking_id
     WHERE e.status = 'pending' AND e.composed_at IS NULL AND e.undeliverable_at IS NULL
     ORDER BY c.due_at NULLS LAST, e.decision_key`,
  );
  for (;;) {
    const page = (await trx.raw(`FETCH ${PAGE} FROM pantau_uncomposed`)) as {
      rows: UncomposedRow[];
    };
    if (page.rows.length > 0) await visit(page.rows);
    if (page.rows.length < PAGE) break;
  }
  await trx.raw("CLOSE pantau_uncomposed");
}

/** The page's decisions as the core sees them, and the keys whose clock or level is gone. */
function decisionsOf(
  ctx: AppContext,
  rows: readonly UncomposedRow[],
): { decisions: EscalationDecision[]; gone: string[] } {
  const ladder = ladderFor(ctx);
  const decisions: EscalationDecision[] = [];
  const gone: string[] = [];
  for (const r of rows) {
    const clock = r.c_tracking_id === null || r.r_received_at === null ? null : clockFromRow(r);
    const level = clock ? ladder(clock).levels.find((l) => l.level === r.level) : undefined;
    if (!clock || !level) {
      gone.push(r.decision_key);
      continue;
    }
    decisions.push({
      key: r.decision_key,
      level: level.level,
      kind: levelKind(level),
      name: levelName(level),
      trigger: level.when.text,
      to: level.to,
      cc: [...level.cc],
      opd: clock.opd,
      stepAt: r.step_at.getTime(),
      decidedAt: r.decided_at.getTime(),
      view: {
        clock,
        report: {
          receivedAt: r.r_received_at!.getTime(),
          confidential: r.r_confidential === true,
          type: r.r_type as ReportType,
          category: r.r_category,
        },
      },
    });
  }
  return { decisions, gone };
}

/** The email pairs each resolution asks for: every recipient of the item, and vacancy notices. */
function emailPairs(resolved: ReadonlyMap<string, RecipientResolution>): DeliveryPair[] {
  const pairs: DeliveryPair[] = [];
  for (const r of resolved.values()) {
    if (r.status !== "ok") continue;
    for (const who of [...r.to, ...r.cc]) {
      pairs.push({ itemKey: r.decisionKey, person: personKey(who.email), channel: "email" });
    }
    for (const v of r.vacancies) {
      pairs.push({ itemKey: v.key, person: personKey(v.coordinator.email), channel: "email" });
    }
  }
  return pairs;
}

// By key through escalations_once. Not the uncomposed index: written with that partial index's
// own predicate (composed_at IS NULL AND undeliverable_at IS NULL), the condition let the planner
// read the whole index and test every row against the page's 2,000 keys (20 s for a scan of
// 10,000 due reports); the coalesce says the same without matching the predicate.
const MARK_COMPOSED = `UPDATE escalations SET composed_at = $2::timestamptz
WHERE decision_key = ANY($1::text::text[]) AND status = 'pending'
  AND coalesce(composed_at, undeliverable_at) IS NULL
RETURNING decision_key`;

export async function runNotifyStep(
  ctx: AppContext,
  run: EscalationRun,
  now: Instant,
): Promise<void> {
  const log = ctx.logger.child({ scan: run.scanId });
  const tally: Tally = {
    composed: 0,
    undeliverable: 0,
    firstUndeliverable: null,
    unfilled: new Map(),
  };
  let people = 0;
  await ctx.db.knex.transaction(async (trx) => {
    // Every statement here looks up by key or by a partial index (escalations_uncomposed).
    await keyLookupsOnly(trx);
    const session = await BulkSession.open(ctx.db.kind, trx);
    // The claim table is made at the first pair to claim: a scan with nothing to compose makes none.
    let claiming = false;
    const appointments = await run.directory(trx);
    const hooks = ctx.config.notify.webhooks;
    const contacts =
      hooks.length > 0 ? contactsAt(appointments, now) : new Map<string, ChatContact>();
    const channels: Channel[] = [
      { name: "email", hook: null, builder: new PersonBundleBuilder() },
      ...hooks.map((hook) => ({
        name: webhookChannel(hook),
        hook,
        builder: new PersonBundleBuilder(),
      })),
    ];

    await eachUncomposedPage(trx, async (rows) => {
      const { decisions, gone } = decisionsOf(ctx, rows);
      if (gone.length > 0) {
        const { cancelled } = await cancelDecisions(trx, gone, now);
        run.counts.cancelled += cancelled.size;
      }
      const resolved = run.resolve(decisions, appointments, now);
      const undeliverable: string[] = [];
      for (const r of resolved.values()) {
        for (const u of r.unfilled) tally.unfilled.set(`${u.opd ?? "-"}|${u.role}`, u);
        if (r.status === "undeliverable") undeliverable.push(r.decisionKey);
      }
      await markUndeliverable(trx, undeliverable, now);
      tally.undeliverable += undeliverable.length;
      tally.firstUndeliverable ??= undeliverable[0] ?? null;

      // Marking the deliverable decisions composed locks them (a cancellation elsewhere waits
      // for this transaction); any changed since the page was read (cancelled, or composed by
      // another notify step) is not returned and is left out.
      const deliverable = new ColumnBatch(1);
      for (const d of decisions) if (resolved.get(d.key)?.status === "ok") deliverable.add([d.key]);
      const marked =
        deliverable.rows === 0
          ? new Set<string>()
          : new Set(
              (
                (await session.query(MARK_COMPOSED, [
                  ...deliverable.literals(),
                  new Date(now).toISOString(),
                ])) as { decision_key: string }[]
              ).map((r) => r.decision_key),
            );
      tally.composed += marked.size;
      for (const d of decisions) if (!marked.has(d.key)) resolved.delete(d.key);
      const composing = decisions.filter((d) => marked.has(d.key));

      const pairs = emailPairs(resolved);
      for (const c of channels) {
        if (c.hook) pairs.push(...webhookPairs(c.hook, composing, resolved, contacts));
      }
      if (pairs.length > 0 && !claiming) {
        await openClaims(trx);
        claiming = true;
      }
      const claimed = claiming ? await claimDeliveries(session, pairs) : new Set<string>();
      for (const d of composing) {
        const r = resolved.get(d.key);
        for (const c of channels) {
          c.builder.add(
            d,
            r,
            (itemKey, person) => !isClaimed(claimed, { itemKey, person, channel: c.name }),
          );
        }
      }
    });

    const cctx = composeContext(ctx, now, run.scanId);
    const notBefore = quietHoursRelease(now, ctx.config.defaultZone, ctx.config.notify.quietHours);
    for (const c of channels) {
      const bundles = c.builder.bundles();
      if (!c.hook) people = bundles.length;
      for (let i = 0; i < bundles.length; i += PEOPLE_PER_CHUNK) {
        const chunk = bundles.slice(i, i + PEOPLE_PER_CHUNK);
        await writeMessages(trx, session, run, c, chunk, cctx, contacts, notBefore, now);
      }
    }
    if (claiming) await deliverRemainingClaims(session, now);
  });
  for (const u of tally.unfilled.values()) {
    log.warn("role vacant and no coordinator to stand in", { opd: u.opd, role: u.role });
  }
  run.counts.unfilled += tally.unfilled.size;
  if (tally.undeliverable > 0) {
    run.counts.undeliverable += tally.undeliverable;
    log.error(
      "escalations without any recipient: appoint the coordinator (pantau officers import)",
      { count: tally.undeliverable, first: tally.firstUndeliverable },
    );
  }
  if (tally.composed > 0) log.info("notifications composed", { decisions: tally.composed, people });
}

/** One chunk of people's messages on one channel: composed, written, their pairs delivered. */
async function writeMessages(
  trx: Knex.Transaction,
  session: BulkSession,
  run: EscalationRun,
  channel: Channel,
  bundles: readonly PersonBundle[],
  cctx: ComposeContext,
  contacts: ReadonlyMap<string, ChatContact>,
  notBefore: Instant,
  now: Instant,
): Promise<void> {
  const messages: {
    person: string;
    email: OutboundEmail;
    fields?: ChannelFields;
    vacancies: number;
  }[] = [];
  for (const bundle of bundles) {
    if (!channel.hook) {
      messages.push({
        person: bundle.person,
        email: composePersonalEmail(bundle, cctx),
        vacancies: bundle.vacancies.length,
      });
      continue;
    }
    const chat = chatMessageFor(channel.hook, bundle, contacts, cctx, notBefore);
    if (chat)
      messages.push({
        person: bundle.person,
        email: chat.message,
        fields: chat.fields,
        vacancies: 0,
      });
  }
  const fields = new Map(messages.map((m) => [m.email.dedupeKey, m.fields]));
  const written = await enqueueAll(
    trx,
    messages.map((m) => m.email),
    now,
    (email) => fields.get(email.dedupeKey),
  );
  // Every person of the chunk: their message, or none (no chat address): claims kept either way.
  const deliver = new Map<string, number | null>(bundles.map((b) => [b.person, null]));
  for (const m of messages) {
    const w = written.get(m.email.dedupeKey);
    if (!w) continue;
    deliver.set(m.person, w.id);
    if (!channel.hook) run.emailedPeople.add(m.person);
    if (!w.created) continue;
    if (channel.hook) {
      run.counts.chatMessagesQueued++;
    } else {
      run.counts.emailsQueued++;
      run.counts.vacancyNotices += m.vacancies;
    }
  }
  await deliverClaims(session, channel.name, deliver, now);
}
