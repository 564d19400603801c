// Demo data for a first look: synthetic reports (no real people, no text) spread over the weeks
// before `now`, across a dozen agencies, in every state a clock can be in. Seeded, so the same
// `now` always gives the same data; tracking IDs 9000001 upwards are reserved for it.
import type {
  Complexity,
  Instant,
  ReportEventRow,
  ReportSnapshot,
  ReportType,
} from "../core/types.js";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { importOfficerText } from "../officers/officerImport.js";
import type { AppContext } from "../context/appContext.js";
import { importItems, type ImportItem, type ImportSummary } from "./importService.js";

const DAY = 86_400_000;
const HOUR = 3_600_000;

const AGENCIES = [
  "dinkes",
  "dispendukcapil",
  "dpubm",
  "disdik",
  "35.07.13",
  "rsud-kanjuruhan",
  "dishub",
  "dlh",
  "satpolpp",
  "dinsos",
  "dpmptsp",
  "35.07.24",
];

const TYPES: { type: ReportType; complexity: Complexity }[] = [
  { type: "pengaduan", complexity: "normatif" },
  { type: "pengaduan", complexity: "tidak_berkadar_pengawasan" },
  { type: "pengaduan", complexity: "ringan" },
  { type: "aspirasi", complexity: "unknown" },
  { type: "permintaan_informasi", complexity: "unknown" },
  { type: "pengaduan", complexity: "unknown" },
];

const CATEGORIES = [
  "Kesehatan",
  "Kependudukan",
  "Infrastruktur",
  "Pendidikan",
  "Lingkungan",
  "Ketertiban Umum",
];
const CHANNELS = [
  "lapor_web",
  "lapor_app",
  "sms_1708",
  "whatsapp",
  "call_center_112",
  "social_media",
] as const;

const MINUTE = 60_000;
/** Demo instants fall on whole minutes, as LAPOR! shows them. */
const minutes = (ms: number): number => Math.round(ms / MINUTE) * MINUTE;

/** A small seeded generator (mulberry32): the same demo, and the same test histories, every run. */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const DEMO_FIRST_ID = 9000001;
export const DEMO_COUNT = 48;

/** The demo reports and events as import items, relative to `now`. */
export function demoItems(now: Instant): ImportItem[] {
  const random = prng(20250303);
  const items: ImportItem[] = [];
  const events: ImportItem[] = [];
  // Anchor at the start of the hour so that re-seeding within the hour is idempotent.
  const anchor = Math.floor(now / HOUR) * HOUR;
  for (let i = 0; i < DEMO_COUNT; i++) {
    const trackingId = String(DEMO_FIRST_ID + i);
    const ageDays = 0.5 + ((i * 7) % 29) + random();
    const receivedAt = anchor - minutes(ageDays * DAY);
    const kind = TYPES[i % TYPES.length] ?? TYPES[0]!;
    const opd = AGENCIES[i % AGENCIES.length] ?? "dinkes";
    const scenario = i % 8;
    const milestones: ReportSnapshot["milestones"] = {};
    const disposedAt = receivedAt + minutes((0.3 + random() * 2.5) * DAY);
    // scenario 0: waiting for verification; others disposed when that instant has passed.
    if (scenario !== 0 && disposedAt < anchor) milestones.disposedAt = disposedAt;
    const respondedAt = disposedAt + minutes((0.5 + random() * 6) * DAY);
    if (
      (scenario === 2 || scenario === 3 || scenario === 7) &&
      respondedAt < anchor &&
      milestones.disposedAt
    ) {
      milestones.firstResponseAt = respondedAt;
    }
    const followedAt = respondedAt + minutes((0.5 + random() * 8) * DAY);
    if ((scenario === 3 || scenario === 7) && followedAt < anchor && milestones.firstResponseAt) {
      milestones.followedUpAt = followedAt;
      if (scenario === 7) milestones.completedAt = followedAt + Math.round(2 * DAY);
      if (milestones.completedAt !== undefined && milestones.completedAt > anchor)
        delete milestones.completedAt;
    }
    const snapshot: ReportSnapshot = {
      trackingId,
      receivedAt,
      opd: milestones.disposedAt !== undefined ? opd : null,
      type: kind.type,
      complexity: kind.complexity,
      category: CATEGORIES[i % CATEGORIES.length] ?? null,
      channel: CHANNELS[i % CHANNELS.length] ?? null,
      anonymous: i % 5 === 0,
      confidential: i % 9 === 0,
      contactComplete: true,
      milestones,
    };
    items.push({ rowNumber: i + 1, kind: "snapshot", snapshot });
    const event = (e: Omit<ReportEventRow, "trackingId">): void => {
      if (e.at < anchor)
        events.push({
          rowNumber: DEMO_COUNT + events.length + 1,
          kind: "event",
          event: { ...e, trackingId },
        });
    };
    if (scenario === 4 && milestones.disposedAt !== undefined) {
      // Waiting for the reporter's data: paused since a day after disposition.
      event({ kind: "awaiting_reporter", at: milestones.disposedAt + DAY, opd });
      if (i % 16 === 4)
        event({ kind: "reporter_replied", at: milestones.disposedAt + 3 * DAY, opd });
    }
    if (scenario === 5 && milestones.disposedAt !== undefined) {
      // "Bukan wewenang": re-disposed to another agency.
      const other = AGENCIES[(i + 3) % AGENCIES.length] ?? "dinsos";
      event({ kind: "redisposed", at: milestones.disposedAt + Math.round(1.5 * DAY), opd: other });
    }
    if (
      scenario === 6 &&
      kind.type === "permintaan_informasi" &&
      milestones.disposedAt !== undefined
    ) {
      event({ kind: "extended", at: milestones.disposedAt + 4 * DAY, opd });
    }
  }
  return [...items, ...events];
}

export const DEMO_HISTORY_FIRST_ID = 8000001;

/**
 * Past years of finished reports for the yearly and monthly reports: from four years before
 * `now` until a month before it, a dozen agencies, some answering faster year after year and
 * some slower, so `pantau report yearly` has trends to show. All clocks are stopped.
 */
export function demoHistoryItems(now: Instant): ImportItem[] {
  const random = prng(20200101);
  const items: ImportItem[] = [];
  const end = Math.floor((now - 35 * DAY) / HOUR) * HOUR;
  const start = Date.UTC(new Date(now).getUTCFullYear() - 4, 0, 6, 2, 0);
  const perYear = 160;
  const years = (end - start) / (365 * DAY);
  const count = Math.max(0, Math.floor(perYear * years));
  for (let i = 0; i < count; i++) {
    const receivedAt = minutes(start + ((end - start) * (i + random())) / count);
    const yearIndex = (receivedAt - start) / (365 * DAY);
    const a = i % AGENCIES.length;
    const opd = AGENCIES[a] ?? "dinkes";
    // Agencies with an even index get faster each year, odd ones slower.
    const trend = a % 2 === 0 ? 1 - 0.15 * yearIndex : 1 + 0.12 * yearIndex;
    const base = 2 + (a % 5);
    const kind = TYPES[i % TYPES.length] ?? TYPES[0]!;
    const disposedAt = receivedAt + minutes((0.2 + random() * 3) * DAY);
    const firstResponseAt =
      disposedAt + minutes(Math.max(0.2, base * trend * (0.4 + random())) * DAY);
    const followedUpAt =
      firstResponseAt + minutes(Math.max(0.5, base * 2 * trend * (0.3 + random())) * DAY);
    const snapshot: ReportSnapshot = {
      trackingId: String(DEMO_HISTORY_FIRST_ID + i),
      receivedAt,
      opd,
      type: kind.type,
      complexity: kind.complexity,
      category: CATEGORIES[i % CATEGORIES.length] ?? null,
      channel: CHANNELS[(i * 7) % CHANNELS.length] ?? null,
      anonymous: i % 7 === 0,
      confidential: i % 11 === 0,
      contactComplete: true,
      milestones: {
        disposedAt,
        firstResponseAt,
        followedUpAt,
        completedAt: followedUpAt + 14 * DAY,
      },
    };
    items.push({ rowNumber: i + 1, kind: "snapshot", snapshot });
  }
  return items;
}

/** The demo officer directory: samples/officers-contoh.csv (Dishub deliberately has no liaison). */
export const DEMO_OFFICERS_FILE = join("samples", "officers-contoh.csv");

/**
 * Loads the demo reports (idempotent for the same hour) and the demo officers (idempotent), so
 * that the first scan writes escalation emails to the outbox.
 */
export async function seedDemo(
  ctx: AppContext,
  now: Instant,
): Promise<ImportSummary & { officers: number }> {
  await importItems(ctx, demoHistoryItems(now), { source: "demo", now });
  const summary = await importItems(ctx, demoItems(now), { source: "demo", now });
  const csv = readFileSync(join(ctx.config.packageRoot, DEMO_OFFICERS_FILE), "utf8");
  const officers = await importOfficerText(ctx, csv, { source: "demo", now, lang: "en" });
  if (!officers.ok) {
    // An operator's own directory conflicts with the demo's: keep theirs.
    ctx.logger.warn("demo officers not loaded", { errors: officers.errors.length });
    return { ...summary, officers: 0 };
  }
  return { ...summary, officers: officers.inserted };
}
