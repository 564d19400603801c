// Seeded random report histories for the tests that hold two computations equal (the rollups,
// the month-end deltas, the open clock counts against their GROUP BYs): snapshots received over a
// span, most disposed to an agency, some answered and followed up, every instant on a whole
// minute and none after `now`. The draws are made in a fixed order, so a seed gives the same
// history every run.
import type { Channel, ReportSnapshot } from "../../src/core/types.js";

export { prng } from "../../src/app/demo.js";

const DAY = 86_400_000;
const HOUR = 3_600_000;

export interface HistoryShape {
  count: number;
  /** Tracking IDs are firstId, firstId + 1, … */
  firstId: number;
  /** No milestone at or after it. */
  now: number;
  receivedFrom: number;
  receivedSpanDays: number;
  /** Share disposed, and within how many days of receipt. */
  disposed: { share: number; withinDays: number };
  /** Share of the disposed answered, within days (plus up to 8 hours) of the disposition. */
  firstResponse: { share: number; withinDays: number };
  /** Share of the answered followed up, within days of the answer; absent: never. */
  followUp?: { share: number; withinDays: number };
  agencies: readonly string[];
  /** Channels drawn from; absent: every report through lapor_web. */
  channels?: readonly Channel[];
}

const minute = (t: number): number => Math.round(t / 60_000) * 60_000;

export function randomSnapshots(random: () => number, shape: HistoryShape): ReportSnapshot[] {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const { now } = shape;
  const snapshots: ReportSnapshot[] = [];
  for (let i = 0; i < shape.count; i++) {
    const receivedAt = minute(shape.receivedFrom + random() * shape.receivedSpanDays * DAY);
    const disposed =
      random() < shape.disposed.share
        ? receivedAt + minute(random() * shape.disposed.withinDays * DAY)
        : undefined;
    const first =
      disposed !== undefined && random() < shape.firstResponse.share
        ? disposed + minute(random() * shape.firstResponse.withinDays * DAY + random() * 8 * HOUR)
        : undefined;
    const follow = shape.followUp;
    const followed =
      follow !== undefined && first !== undefined && random() < follow.share
        ? first + minute(random() * follow.withinDays * DAY)
        : undefined;
    const milestones: ReportSnapshot["milestones"] = {};
    if (disposed !== undefined && disposed < now) milestones.disposedAt = disposed;
    if (first !== undefined && first < now) milestones.firstResponseAt = first;
    if (followed !== undefined && followed < now) milestones.followedUpAt = followed;
    snapshots.push({
      trackingId: String(shape.firstId + i),
      receivedAt,
      opd: milestones.disposedAt !== undefined ? pick(shape.agencies) : null,
      type: pick(["pengaduan", "aspirasi", "permintaan_informasi"] as const),
      complexity: pick(["ringan", "normatif", "unknown"] as const),
      category: null,
      channel: shape.channels ? pick(shape.channels) : "lapor_web",
      anonymous: false,
      confidential: false,
      contactComplete: true,
      milestones,
    });
  }
  return snapshots;
}
