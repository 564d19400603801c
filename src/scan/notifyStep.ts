// The notify step, at the END of a scan (after the batches and the review pass): composes one
// message per person for every pending decision that has no message yet.
//
// In one transaction: takes the decisions this scan wrote from memory (EscalationRun keeps up to
// DECIDED_IN_MEMORY of them, with their clocks and report facts) and reads any other pending,
// uncomposed decision with its clock and report facts through a cursor, a page at a time (the
// escalations table is the item outbox: a crash before this step leaves them uncomposed and the
// next scan composes them); both oldest due first (composeOrder), merged. The scan's own are
// marked first, so that the cursor leaves them out. For each page: recipients resolved at `now`
// (whoever holds the role now); decisions whose clock or level is gone cancelled, decisions
// nobody can receive marked undeliverable, the deliverable ones marked composed; every (item,
// person, channel) pair not delivered before written to notification_deliveries at once, with
// the id its person's message will have (deliveryStore.ts: DeliveryWriter); the pairs written
// fed to one PersonBundleBuilder per channel (pure), which keeps per person at most
// ITEMS_LISTED items — those to act on first, the oldest first — and counts the rest per
// agency. Then the messages, a chunk of people at a time: one email per person, one chat
// message per person and configured webhook (webhookStep.ts), written with enqueueAll under
// those ids, every pair listed or only counted in its person's message (unique: an item
// reaches a person once per channel, whatever crashes or second daemons do).
//
// Statements: a fixed few per page of decisions and per chunk of people, none per decision or
// per message. Memory follows the page, the people and ITEMS_LISTED, and the scan's own
// decisions up to DECIDED_IN_MEMORY, not the decisions beyond.
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
import { DeliveryWriter, isDelivered, type DeliveryPair } from "../outbox/deliveryStore.js";
import { enqueueAll, type ChannelFields } from "../outbox/outboxStore.js";
import { BulkSession, ColumnBatch, keyLookupsOnly } from "../store/bulkSession.js";
import { clockFromRow, type ClockRow } from "../store/rows.js";
import { composeContext, composeOrder, ladderFor, type EscalationRun } from "./escalationRun.js";
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
     ORDER BY c.due_at NULLS LAST, e.decision_key COLLATE "C"`,
  );
  const fetchPage = (): Promise<UncomposedRow[]> =>
    (trx.raw(`FETCH ${PAGE} FROM pantau_uncomposed`) as Promise<{ rows: UncomposedRow[] }>).then(
      (r) => r.rows,
    );
  // The next page is asked for before this one is visited: the server reads it while this
  // process works on the page (the visit's own statements queue behind it on the connection).
  let next = fetchPage();
  for (;;) {
    const rows = await next;
    const more = rows.length === PAGE;
    if (more) {
      next = fetchPage();
      // Awaited at the next turn; a visit that throws first must not leave it unhandled.
      next.catch(() => undefined);
    }
    if (rows.length > 0) await visit(rows);
    if (!more) break;
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

/** A decision marked composed, with its recipients. */
interface Prepared {
  decision: EscalationDecision;
  resolution: RecipientResolution;
}

/** Two lists each in composeOrder, merged into one. */
function mergeOrdered(a: readonly Prepared[], b: readonly Prepared[]): Prepared[] {
  if (a.length === 0) return [...b];
  if (b.length === 0) return [...a];
  const out: Prepared[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (composeOrder(a[i]!.decision, b[j]!.decision) <= 0) out.push(a[i++]!);
    else out.push(b[j++]!);
  }
  while (i < a.length) out.push(a[i++]!);
  while (j < b.length) out.push(b[j++]!);
  return out;
}

/**
 * Feeds every uncomposed decision to `feed` in composeOrder. This scan's own come from memory,
 * prepared first so that the cursor leaves them out; the cursor brings any other (a scan that
 * stopped before the notify step, items of a cancelled message, a scan that decided more than
 * DECIDED_IN_MEMORY). Both are in composeOrder and are merged as they are fed, so that every
 * message lists the oldest first.
 */
async function feedInOrder(
  ctx: AppContext,
  trx: Knex.Transaction,
  run: EscalationRun,
  prepare: (
    decisions: readonly EscalationDecision[],
    gone: readonly string[],
  ) => Promise<Prepared[]>,
  feed: (items: readonly Prepared[]) => Promise<void>,
): Promise<void> {
  const remembered: Prepared[] = [];
  const decided = run.takeDecided() ?? [];
  for (let i = 0; i < decided.length; i += PAGE) {
    remembered.push(...(await prepare(decided.slice(i, i + PAGE), [])));
  }
  let fed = 0;
  await eachUncomposedPage(trx, async (rows) => {
    const { decisions, gone } = decisionsOf(ctx, rows);
    const page = await prepare(decisions, gone);
    // The remembered items up to the page's last decision go with the page.
    const last = decisions[decisions.length - 1];
    let upTo = fed;
    while (
      last &&
      upTo < remembered.length &&
      composeOrder(remembered[upTo]!.decision, last) <= 0
    ) {
      upTo++;
    }
    await feed(mergeOrdered(remembered.slice(fed, upTo), page));
    fed = upTo;
  });
  await feed(remembered.slice(fed));
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
    const deliveries = new DeliveryWriter(session, now);
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

    /**
     * Resolves a page of decisions at `now`, cancels those whose clock or level is gone, marks
     * those nobody can receive, and marks the deliverable ones composed, which locks them (a
     * cancellation elsewhere waits for this transaction). Any changed since it was read
     * (cancelled, composed by another notify step, or never committed) is not returned by the
     * mark and is left out. Returns the marked decisions, in the page's order.
     */
    const prepare = async (
      decisions: readonly EscalationDecision[],
      gone: readonly string[],
    ): Promise<Prepared[]> => {
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

      const deliverable = new ColumnBatch(1);
      for (const d of decisions) if (resolved.get(d.key)?.status === "ok") deliverable.add([d.key]);
      if (deliverable.rows === 0) return [];
      const marked = new Set(
        (
          (await session.query(MARK_COMPOSED, [
            ...deliverable.literals(),
            new Date(now).toISOString(),
          ])) as { decision_key: string }[]
        ).map((r) => r.decision_key),
      );
      tally.composed += marked.size;
      return decisions
        .filter((d) => marked.has(d.key))
        .map((decision) => ({ decision, resolution: resolved.get(decision.key)! }));
    };

    /** Delivers the pairs of prepared decisions (in order) and hands those to the builders. */
    const feed = async (items: readonly Prepared[]): Promise<void> => {
      for (let i = 0; i < items.length; i += PAGE) {
        const chunk = items.slice(i, i + PAGE);
        const composing = chunk.map((p) => p.decision);
        const resolved = new Map(chunk.map((p) => [p.decision.key, p.resolution]));
        const pairs = emailPairs(resolved);
        for (const c of channels) {
          if (c.hook) pairs.push(...webhookPairs(c.hook, composing, resolved, contacts));
        }
        const written = await deliveries.deliver(pairs);
        for (const p of chunk) {
          for (const c of channels) {
            c.builder.add(
              p.decision,
              p.resolution,
              (itemKey, person) => !isDelivered(written, { itemKey, person, channel: c.name }),
            );
          }
        }
      }
    };

    await feedInOrder(ctx, trx, run, prepare, feed);

    const cctx = composeContext(ctx, now, run.scanId);
    const notBefore = quietHoursRelease(now, ctx.config.defaultZone, ctx.config.notify.quietHours);
    for (const c of channels) {
      const bundles = c.builder.bundles();
      if (!c.hook) people = bundles.length;
      for (let i = 0; i < bundles.length; i += PEOPLE_PER_CHUNK) {
        const chunk = bundles.slice(i, i + PEOPLE_PER_CHUNK);
        await writeMessages(trx, deliveries, run, c, chunk, cctx, contacts, notBefore, now);
      }
    }
    await deliveries.finish();
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
  deliveries: DeliveryWriter,
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
  const people = new Map(messages.map((m) => [m.email.dedupeKey, m.person]));
  const written = await enqueueAll(
    trx,
    messages.map((m) => m.email),
    now,
    (email) => fields.get(email.dedupeKey),
    (email) => deliveries.messageId(channel.name, people.get(email.dedupeKey)!),
  );
  // Every person of the chunk: their message, or none (no chat address): pairs kept either way.
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
  await deliveries.settle(channel.name, deliver);
}
