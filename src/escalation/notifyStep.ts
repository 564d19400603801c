// The notify step, at the END of a scan (after the batches and the review passes): composes one
// message per person for every pending decision that has no message yet.
//
// In one transaction: takes the pending, uncomposed, deliverable decisions (the escalations
// table is the item outbox: a crash before this step leaves them uncomposed and the next scan
// composes them); resolves their recipients at `now` (whoever holds the role now); claims each
// (item, person, channel) pair in notification_deliveries (unique: an item reaches a person once
// per channel, whatever crashes or second daemons do); groups the claimed pairs per person
// (bundlesPerPerson, pure) into one email per person, plus chat messages for the configured
// webhooks (webhookStep.ts); and marks the decisions composed. Decisions whose clock or level is
// gone are cancelled; decisions nobody can receive are marked undeliverable.
import type { Knex } from "knex";
import {
  levelKind,
  levelName,
  type EscalationDecision,
  type StoredClockView,
} from "../core/escalation/ladder.js";
import type { RecipientResolution } from "../core/escalation/recipients.js";
import { bundlesPerPerson, personKey, type PersonBundle } from "../core/notify/perPerson.js";
import { composePersonalEmail } from "../core/notify/personalEmail.js";
import type { Instant } from "../core/types.js";
import type { AppContext } from "../app/context.js";
import { clockFromRow, type ClockRow } from "../store/rows.js";
import { clockViews, composeContext, ladderFor, type EscalationRun } from "./escalationRun.js";
import {
  attachMessage,
  cancelDecisions,
  claimDeliveries,
  isClaimed,
  type DeliveryPair,
} from "./deliveryStore.js";
import { enqueue } from "./outboxStore.js";
import { queueWebhookMessages } from "./webhookStep.js";

interface UncomposedRow {
  decision_key: string;
  tracking_id: string;
  stage: string;
  seq: number;
  level: number;
  step_at: Date;
  decided_at: Date;
}

/** The clocks of these decisions, as views an email may show. */
async function viewsOf(
  trx: Knex.Transaction,
  rows: readonly UncomposedRow[],
): Promise<Map<string, StoredClockView>> {
  const ids = [...new Set(rows.map((r) => r.tracking_id))];
  const clocks: ClockRow[] = [];
  for (let i = 0; i < ids.length; i += 1000) {
    clocks.push(
      ...((await trx("sla_clocks")
        .select("*")
        .whereIn("tracking_id", ids.slice(i, i + 1000))) as ClockRow[]),
    );
  }
  const views = await clockViews(trx, clocks.map(clockFromRow));
  return new Map(views.map((v) => [`${v.clock.trackingId}|${v.clock.stage}|${v.clock.seq}`, v]));
}

/** The pairs each resolution asks for: every recipient of the item, and vacancy notices. */
function wantedPairs(resolved: ReadonlyMap<string, RecipientResolution>): DeliveryPair[] {
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

export async function runNotifyStep(
  ctx: AppContext,
  run: EscalationRun,
  now: Instant,
): Promise<void> {
  const ladder = ladderFor(ctx);
  const log = ctx.logger.child({ scan: run.scanId });
  await ctx.db.knex.transaction(async (trx) => {
    const rows = (await trx("escalations")
      .select("decision_key", "tracking_id", "stage", "seq", "level", "step_at", "decided_at")
      .where({ status: "pending" })
      .whereNull("composed_at")
      .whereNull("undeliverable_at")
      .orderBy("id")
      .forUpdate()) as UncomposedRow[];
    if (rows.length === 0) return;
    const views = await viewsOf(trx, rows);
    const decisions: EscalationDecision[] = [];
    const gone: string[] = [];
    for (const r of rows) {
      const view = views.get(`${r.tracking_id}|${r.stage}|${r.seq}`);
      const level = view ? ladder(view.clock).levels.find((l) => l.level === r.level) : undefined;
      if (!view || !level) {
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
        opd: view.clock.opd,
        stepAt: r.step_at.getTime(),
        decidedAt: r.decided_at.getTime(),
        view,
      });
    }
    if (gone.length > 0) {
      const { cancelled } = await cancelDecisions(trx, gone, now);
      run.counts.cancelled += cancelled.size;
    }

    const appointments = await run.directory(trx);
    const resolved = run.resolve(decisions, appointments, now);
    const undeliverable = [...resolved.values()]
      .filter((r) => r.status === "undeliverable")
      .map((r) => r.decisionKey);
    if (undeliverable.length > 0) {
      await trx("escalations")
        .whereIn("decision_key", undeliverable)
        .where({ status: "pending" })
        .update({ undeliverable_at: new Date(now) });
    }

    const claimed = await claimDeliveries(trx, wantedPairs(resolved), now);
    const bundles = bundlesPerPerson(
      decisions,
      resolved,
      (itemKey, person) => !isClaimed(claimed, { itemKey, person, channel: "email" }),
    );
    const cctx = composeContext(ctx, now, run.scanId);
    for (const bundle of bundles) await queueEmail(trx, run, bundle, cctx, now);
    await queueWebhookMessages(trx, ctx, run, decisions, resolved, appointments, cctx, now);

    const composed = decisions.map((d) => d.key).filter((k) => !undeliverable.includes(k));
    for (let i = 0; i < composed.length; i += 1000) {
      await trx("escalations")
        .whereIn("decision_key", composed.slice(i, i + 1000))
        .where({ status: "pending" })
        .update({ composed_at: new Date(now) });
    }
    log.info("notifications composed", {
      decisions: composed.length,
      people: bundles.length,
    });
  });
}

async function queueEmail(
  trx: Knex.Transaction,
  run: EscalationRun,
  bundle: PersonBundle,
  cctx: ReturnType<typeof composeContext>,
  now: Instant,
): Promise<void> {
  const email = composePersonalEmail(bundle, cctx);
  const { id, created } = await enqueue(trx, email, now);
  if (created) {
    run.counts.emailsQueued++;
    run.counts.vacancyNotices += bundle.vacancies.length;
  }
  await attachMessage(trx, bundle.person, "email", email.items, id);
}
