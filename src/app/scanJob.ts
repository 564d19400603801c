// One scan: the daemon's periodic work and `pantau scan --once`. Reads the clock once (`now`)
// and passes it down; refreshes the reports whose stored clocks' next instant has come.
import type { Instant } from "../core/types.js";
import { scanDue, type ScanResult } from "./clockService.js";
import type { AppContext } from "./context.js";

export async function runScan(
  ctx: AppContext,
  now: Instant,
  wallClock: () => Instant,
): Promise<ScanResult> {
  const started = wallClock();
  const result = await scanDue(ctx, now, { wallClock });
  ctx.logger.info("scan finished", {
    scanId: result.scanId,
    reportsRefreshed: result.reportsRefreshed,
    batches: result.batches,
    ms: wallClock() - started,
  });
  return result;
}
