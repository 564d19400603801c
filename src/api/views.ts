// What the API returns: a report with its events and clocks (states at `now`), and an agency's
// overdue clocks. Instants are ISO 8601 with the local offset of the agency concerned.
import type { z } from "zod";
import { clockState, isAwaitingReporter } from "../core/sla/clocks.js";
import { formatIsoLocal } from "../core/format/index.js";
import type { Instant } from "../core/types.js";
import type { AppContext } from "../context/appContext.js";
import { statusView } from "../app/statusService.js";
import { listClocks, loadHistories, type Db } from "../store/reportStore.js";
import type { OverdueView, ReportView } from "./schemas.js";

export type ReportViewBody = z.output<typeof ReportView>;
export type OverdueViewBody = z.output<typeof OverdueView>;

/** The agency whose tokens may read and write a report: its opd, or the coordinator before a disposition. */
export function ownerOf(ctx: AppContext, opd: string | null): string {
  return opd ?? ctx.config.coordinator;
}

function zoneOf(ctx: AppContext, opd: string | null): string {
  return opd ? ctx.calendars.forAgency(opd).spec.zone : ctx.config.defaultZone;
}

export async function reportView(
  ctx: AppContext,
  db: Db,
  trackingId: string,
  now: Instant,
): Promise<ReportViewBody | null> {
  const history = (await loadHistories(db, [trackingId])).get(trackingId);
  if (!history) return null;
  const { report, events } = history;
  const clocks = await listClocks(db, { trackingId });
  const zone = zoneOf(ctx, report.opd);
  const iso = (t: Instant | null, z: string = zone): string | null =>
    t === null ? null : formatIsoLocal(t, z);
  return {
    trackingId: report.trackingId,
    opd: report.opd,
    opdName: report.opd ? (ctx.calendars.agency(report.opd)?.name ?? null) : null,
    owner: ownerOf(ctx, report.opd),
    type: report.type,
    complexity: report.complexity,
    category: report.category,
    channel: report.channel,
    anonymous: report.anonymous,
    confidential: report.confidential,
    contactComplete: report.contactComplete,
    receivedAt: formatIsoLocal(report.receivedAt, zone),
    now: formatIsoLocal(now, zone),
    events: events.map((e) => ({ kind: e.kind, at: formatIsoLocal(e.at, zone), opd: e.opd })),
    clocks: clocks
      .sort((a, b) => a.startedAt - b.startedAt || a.stage.localeCompare(b.stage) || a.seq - b.seq)
      .map((c) => {
        const z = zoneOf(ctx, c.opd);
        return {
          stage: c.stage,
          seq: c.seq,
          opd: c.opd,
          sopId: c.sopId,
          sopVersion: c.sopVersion,
          target: { amount: c.target.amount, unit: c.target.unit },
          startedAt: formatIsoLocal(c.startedAt, z),
          dueAt: iso(c.dueAt, z),
          atRiskAt: iso(c.atRiskAt, z),
          stoppedAt: iso(c.stoppedAt, z),
          outcome: c.outcome,
          state: clockState(c, now),
          awaitingReporter: isAwaitingReporter(c),
        };
      }),
  };
}

export async function overdueView(
  ctx: AppContext,
  opd: string,
  now: Instant,
): Promise<OverdueViewBody> {
  const view = await statusView(ctx, { opd, now });
  const zone = zoneOf(ctx, opd);
  const clocks = view.rows
    .filter((r) => r.state === "breached" && r.dueAt !== null)
    .map((r) => ({
      trackingId: r.trackingId,
      stage: r.stage,
      seq: r.seq,
      dueAt: formatIsoLocal(r.dueAt ?? 0, r.zone),
      overdueMs: Math.max(0, -(r.marginMs ?? 0)),
      unit: r.unit as "wd" | "wh" | "d",
      awaitingReporter: r.awaitingReporter,
    }));
  return {
    opd,
    opdName: ctx.calendars.agency(opd)?.name ?? opd,
    now: formatIsoLocal(now, zone),
    count: clocks.length,
    clocks,
  };
}
