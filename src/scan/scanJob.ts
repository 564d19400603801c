// One scan: the daemon's periodic work and `pantau scan --once`. Reads the clock once (`now`)
// and passes it down; refreshes the reports whose stored clocks' next instant has come and
// decides their escalations in the same transactions (src/scan/escalationScan.ts), writing
// the messages to the outbox. Delivering the outbox is the sender's job (src/outbox/sender.ts).
import type { Instant } from "../core/types.js";
import { runEscalationScan, type EscalationScanResult } from "./escalationScan.js";
import type { AppContext } from "../context/appContext.js";

export type { EscalationScanResult };

export async function runScan(
  ctx: AppContext,
  now: Instant,
  wallClock: () => Instant,
): Promise<EscalationScanResult> {
  const started = wallClock();
  let result: EscalationScanResult;
  try {
    result = await runEscalationScan(ctx, now, { wallClock });
  } catch (error) {
    ctx.metrics.scanFailed((wallClock() - started) / 1000);
    throw error;
  }
  if (result.skipped) return result;
  ctx.metrics.scanFinished({
    durationSeconds: (wallClock() - started) / 1000,
    finishedAt: wallClock(),
    clocksDue: result.reportsRefreshed,
  });
  for (const [level, count] of Object.entries(result.escalation.decidedByLevel)) {
    ctx.metrics.escalationDecided(level, count);
  }
  ctx.logger.info("scan finished", {
    scanId: result.scanId,
    reportsRefreshed: result.reportsRefreshed,
    reportsReviewed: result.reportsReviewed,
    batches: result.batches,
    ...result.escalation,
    ...result.phases,
    ms: wallClock() - started,
  });
  return result;
}
