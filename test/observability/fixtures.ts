// Test fixtures: an agency directory of any size and a fake MetricsSource with call counting.
import { STAGES, type Instant } from "../../src/core/types.js";
import type { AgencyInfo } from "../../src/metrics/registry.js";
import type {
  AgencyFactRow,
  ClockCountRow,
  EscalationCountRow,
  MetricsSource,
  OutboxCountRow,
  OutcomeCountRow,
} from "../../src/metrics/source.js";

export const NOW: Instant = Date.parse("2026-03-02T03:00:00Z");
const DAY = 86_400_000;

/** n agencies: dinkes, dispendik, then kec-001 … (a directory like Kabupaten Malang's 84). */
export function agencies(n: number): AgencyInfo[] {
  const out: AgencyInfo[] = [
    { code: "dinkes", name: "Dinas Kesehatan", kind: "dinas" },
    { code: "dispendik", name: "Dinas Pendidikan", kind: "dinas" },
    { code: "diskominfo", name: "Dinas Komunikasi dan Informatika", kind: "dinas" },
  ];
  for (let i = 1; out.length < n; i++)
    out.push({
      code: `kec-${String(i).padStart(3, "0")}`,
      name: `Kecamatan ${i}`,
      kind: "kecamatan",
    });
  return out.slice(0, n);
}

export interface FakeSource extends MetricsSource {
  calls: number;
  leader: boolean;
  /** Collectors (method names) that throw. */
  failing: Set<string>;
  /** Resolves source reads only when released (to test concurrency). */
  gate: Promise<void> | null;
}

/**
 * Some activity on the first three agencies; every other agency is quiet. `growing`: each read
 * adds stopped clocks (4 met, 1 breached per stage), so increase() sees a rising counter.
 */
export function fakeSource(now: Instant = NOW, options: { growing?: boolean } = {}): FakeSource {
  let reads = 0;
  const self: FakeSource = {
    calls: 0,
    leader: true,
    failing: new Set(),
    gate: null,
    async isLeader() {
      return self.leader;
    },
    async clockCounts() {
      await step("clockCounts");
      self.calls++;
      return [
        row("dinkes", "first_response", 5, 2, 1, now - 3 * DAY, now - 20 * DAY),
        row("dinkes", "resolution", 7, 1, 2, now - 9 * DAY, now - 40 * DAY),
        row("dispendik", "resolution", 3, 0, 3, now - 12 * DAY, now - 30 * DAY),
        row("diskominfo", "verification", 2, 1, 0, null, now - DAY),
        // Not in the directory: ignored.
        row("unknown-opd", "resolution", 9, 9, 9, now - DAY, now - DAY),
      ];
    },
    async outcomeCounts() {
      await step("outcomeCounts");
      const k = options.growing ? reads++ : 0;
      const rows: OutcomeCountRow[] = [];
      for (const stage of STAGES) {
        rows.push({ opd: "dinkes", stage, met: 40 + 4 * k, breached: 10 + k });
        rows.push({ opd: "dispendik", stage, met: 5, breached: 15 });
      }
      return rows;
    },
    async agencyFacts() {
      await step("agencyFacts");
      const rows: AgencyFactRow[] = [
        { opd: "dinkes", hasOwnSop: true, lastResponseAt: now - 2 * DAY },
        { opd: "dispendik", hasOwnSop: false, lastResponseAt: now - 10 * DAY },
      ];
      return rows;
    },
    async escalationCounts() {
      await step("escalationCounts");
      const rows: EscalationCountRow[] = [
        { opd: "dinkes", level: "0", count: 12 },
        { opd: "dinkes", level: "1", count: 3 },
        { opd: "dispendik", level: "2", count: 1 },
      ];
      return rows;
    },
    async liaisonsActive() {
      await step("liaisonsActive");
      return ["dinkes", "diskominfo"];
    },
    async outboxCounts() {
      await step("outboxCounts");
      const rows: OutboxCountRow[] = [
        { state: "sent", count: 120 },
        { state: "pending", count: 2 },
        { state: "failed", count: 1 },
      ];
      return rows;
    },
    async calendarCoveredUntil() {
      await step("calendarCoveredUntil");
      return Date.parse("2026-12-31T17:00:00Z");
    },
  };
  async function step(name: string): Promise<void> {
    if (self.gate) await self.gate;
    if (self.failing.has(name)) throw new Error(`${name} failed (test)`);
  }
  return self;
}

function row(
  opd: string,
  stage: ClockCountRow["stage"],
  open: number,
  atRisk: number,
  overdue: number,
  oldestDueAt: Instant | null,
  oldestStartedAt: Instant | null,
): ClockCountRow {
  return { opd, stage, open, atRisk, overdue, oldestDueAt, oldestStartedAt };
}
