// The daily reminder digest: once per working day of the regency, from the reminder's local time
// on, one message per recipient listing the clocks still overdue (the oldest
// REMINDER_ITEMS_LISTED, with the count of all). Done once a day (marked in pantau_meta in the
// same transaction), so ordinary scans never read the overdue clocks.
//
// One message per person per scan: a person who was given an email by this scan's notify step
// gets their digest at a later scan of the same day (the day is marked done only once no digest
// was held; digests already written are known by their dedupe key and not written again).
//
// Streamed: the overdue clocks are read through a server-side cursor in pages, oldest due first,
// and fed to the pure ReminderDigestBuilder, which keeps per recipient the listed clocks and a
// count: memory follows the recipients, not the overdue clocks (none of a page is kept once it is
// read). Recipients are resolved once per (SOP, agency) at `now`.
import type { Knex } from "knex";
import {
  ReminderDigestBuilder,
  reminderDueAt,
  type ReminderRecipient,
} from "../core/escalation/ladder.js";
import { composeReminderEmails } from "../core/escalation/compose.js";
import { personKey } from "../core/escalation/perPerson.js";
import { resolveRoleRecipients } from "../core/escalation/recipients.js";
import type { Instant, ReportType } from "../core/types.js";
import type { AppContext } from "../context/appContext.js";
import { enqueueAll, existingKeys } from "../outbox/outboxStore.js";
import { getMeta, setMeta } from "../store/reportStore.js";
import { clockFromRow, type ClockRow } from "../store/rows.js";
import { composeContext, ladderFor, type EscalationRun } from "./escalationRun.js";

const REMINDER_META = "reminder_digest_date";
/** Rows per FETCH from the cursor. */
const PAGE = 2000;

type OverdueRow = ClockRow & {
  r_received_at: Date;
  r_confidential: boolean;
  r_type: string;
  r_category: string | null;
};

/** Runs the day's digest if it is due at `now` and not yet done (see the top of the file). */
export async function runReminders(
  ctx: AppContext,
  run: EscalationRun,
  now: Instant,
): Promise<void> {
  const calendar = ctx.calendars.forZone(ctx.config.defaultZone);
  const settings = ctx.config.escalation.defaultLadder.reminder;
  if (!reminderDueAt(calendar, now, settings)) return;
  const date = calendar.localDate(now);
  if ((await getMeta(ctx.db.knex, REMINDER_META)) === date) return;

  await ctx.db.knex.transaction(async (trx) => {
    if ((await getMeta(trx, REMINDER_META)) === date) return;
    const ladder = ladderFor(ctx);
    const appointments = await run.directory(trx);
    const recipientsBySop = new Map<string, ReminderRecipient[]>();
    const builder = new ReminderDigestBuilder(date, now);
    await eachOverdueRow(trx, now, (row) => {
      const clock = clockFromRow(row);
      const reminder = ladder(clock).reminder;
      if (!reminder.enabled) return;
      const memo = `${clock.sopId}\u0000${clock.opd}`;
      let recipients = recipientsBySop.get(memo);
      if (!recipients) {
        recipients = [];
        for (const role of [reminder.to, ...reminder.cc]) {
          const res = resolveRoleRecipients(role, clock.opd, appointments, now);
          for (const x of res.recipients) recipients.push({ email: x.email, name: x.name });
        }
        recipientsBySop.set(memo, recipients);
      }
      const view = {
        clock,
        report: {
          receivedAt: row.r_received_at.getTime(),
          confidential: row.r_confidential,
          type: row.r_type as ReportType,
          category: row.r_category,
        },
      };
      builder.add(view, recipients);
    });
    const all = builder.digests();
    const sent = await existingKeys(
      trx,
      all.map((d) => d.key),
    );
    const unsent = all.filter((d) => !sent.has(d.key));
    const held = unsent.filter((d) => run.emailedPeople.has(personKey(d.email)));
    const emails = composeReminderEmails(
      unsent.filter((d) => !run.emailedPeople.has(personKey(d.email))),
      composeContext(ctx, now, run.scanId),
    );
    const written = await enqueueAll(trx, emails, now);
    for (const w of written.values()) {
      if (!w.created) continue;
      run.counts.emailsQueued++;
      run.counts.reminders++;
    }
    if (held.length === 0) {
      await setMeta(trx, REMINDER_META, date, now);
    } else {
      ctx.logger.info("daily digest held for people given a message by this scan", {
        scan: run.scanId,
        held: held.length,
      });
    }
  });
}

/** Feeds every clock still running past its due instant at `now`, oldest due first. */
async function eachOverdueRow(
  trx: Knex.Transaction,
  now: Instant,
  visit: (row: OverdueRow) => void,
): Promise<void> {
  await trx.raw(
    `DECLARE pantau_overdue NO SCROLL CURSOR FOR
     SELECT c.*, r.received_at AS r_received_at, r.confidential AS r_confidential,
       r.type AS r_type, r.category AS r_category
     FROM sla_clocks c JOIN reports r ON r.tracking_id = c.tracking_id
     WHERE c.stopped_at IS NULL AND c.due_at <= ?
     ORDER BY c.due_at, c.tracking_id, c.stage, c.seq`,
    [new Date(now)],
  );
  for (;;) {
    const page = (await trx.raw(`FETCH ${PAGE} FROM pantau_overdue`)) as { rows: OverdueRow[] };
    for (const row of page.rows) visit(row);
    if (page.rows.length < PAGE) break;
  }
  await trx.raw("CLOSE pantau_overdue");
}
