// A small hand-made history written straight into reports, sla_clocks and escalations (the
// triggers fill the rollups). Every expected figure in the tests is computed by hand from it.
//
// Business days are whole working days of 24 h budget (unit wd): used_ms = days × 86 400 000.
// One first-response clock uses a working-hour target (unit wh): 4 h = 0.50 day at 8 h per day.
//
// dinkes 2024 (reports 1001–1004 received February 2024):
//   first_response met 1.00, 2.00, 3.00, breached 6.00
//   resolution met 4.00, 10.00, breached 20.00, 16.00; one redisposed (not measured)
// dinkes 2025 (reports 2000 received 2024-12-31 18:00 UTC = 1 Jan 2025 01:00 WIB, 2001–2003 and
//   2005 received October 2025), all stopped in October 2025 (WIB):
//   first_response met 0.50 (wh), 1.25, 1.25, 2.00, breached 7.00
//   resolution met 3.00, 5.00, 8.00, breached 15.50
//   plus one resolution met 1.00 stopped 2025-12-31 17:30 UTC = 1 Jan 2026 00:30 WIB (→ 2026)
// disdik 2024 (reports 3001–3002, April 2024): resolution met 1.00, 2.00
// disdik 2025 (reports 3003–3004, Sept 2025; stopped Oct 2025): resolution met 1.00, breached 30.00
// dispendukcapil 2025 (reports 4001–4004, Sept 2025; stopped Oct 2025):
//   resolution met 2.00, 3.00, breached 12.00, 14.00
// diskominfo 2025 (coordinator): verification met 0.50, 1.00 (Oct 2025)
// report 5001 received October 2025 without agency or channel.
// Escalations (dinkes): 2024-06 level 0 sent; 2025-10 level 1 sent ×2, level 2 sent ×1,
//   level 0 pending (not counted), level 1 cancelled (not counted).
// Clocks open at the end of October 2025 (T = 2025-11-01 00:00 WIB = 2025-10-31 17:00 UTC):
//   2001 dinkes resolution seq 9: started 1 Oct, due 20 Oct, still open      → open, overdue
//   2002 dinkes resolution seq 9: started 5 Oct, due 25 Oct, cancelled 10 Nov → open, overdue
//   2003 dinkes resolution seq 9: started 10 Oct, due 5 Nov, still open      → open
//   2005 dinkes resolution seq 9: started 15 Oct, due exactly T, still open   → open (not < T)
//   2003 dinkes first_response seq 9: stopped 31 Oct 16:59 UTC (before T), due 20 Oct: not open
//   3003 disdik resolution seq 9: started 2 Nov (after T), due 3 Nov: not counted
import type { Knex } from "knex";

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
export const utc = (s: string): Date => new Date(s.length === 10 ? `${s}T03:00:00Z` : s);

interface ClockSpec {
  id: string;
  stage: "verification" | "first_response" | "resolution";
  opd: string;
  outcome: "met" | "breached" | "redisposed" | "cancelled" | "open";
  days?: number;
  hours?: number;
  stopped?: string | null;
  started?: string;
  due?: string | null;
}

let seq = 0;
function clockRow(c: ClockSpec): Record<string, unknown> {
  seq++;
  const stopped = c.stopped === undefined ? null : c.stopped;
  return {
    tracking_id: c.id,
    stage: c.stage,
    seq: c.outcome === "open" || c.stopped?.startsWith("2025-11") ? 9 : seq,
    opd: c.opd,
    sop_id: "default",
    sop_version: "2020-01-01",
    target_amount: c.hours !== undefined ? 16 : 5,
    target_unit: c.hours !== undefined ? "wh" : "wd",
    started_at: utc(c.started ?? "2025-01-02"),
    due_at: c.due === undefined ? null : c.due === null ? null : utc(c.due),
    at_risk_at: null,
    stopped_at: stopped === null ? null : utc(stopped),
    used_ms: c.hours !== undefined ? c.hours * HOUR_MS : (c.days ?? 0) * DAY_MS,
    outcome: c.outcome,
    state: c.outcome === "open" ? "on_track" : "stopped",
    pauses: JSON.stringify([]),
    next_check_at: null,
    computed_at: utc("2026-01-15"),
  };
}

export async function loadFixture(knex: Knex): Promise<void> {
  seq = 0;
  const now = utc("2026-01-15");
  const report = (id: string, opd: string | null, received: string, channel = "lapor_web") => ({
    tracking_id: id,
    opd,
    type: "pengaduan",
    channel: opd === null ? null : channel,
    received_at: utc(received),
    created_at: now,
    updated_at: now,
  });
  await knex("reports").insert([
    report("1001", "dinkes", "2024-02-01"),
    report("1002", "dinkes", "2024-02-02"),
    report("1003", "dinkes", "2024-02-03", "whatsapp"),
    report("1004", "dinkes", "2024-02-04"),
    report("2000", "dinkes", "2024-12-31T18:00:00Z"),
    report("2001", "dinkes", "2025-10-01"),
    report("2002", "dinkes", "2025-10-02"),
    report("2003", "dinkes", "2025-10-03"),
    report("2005", "dinkes", "2025-10-04"),
    report("3001", "disdik", "2024-04-01"),
    report("3002", "disdik", "2024-04-02"),
    report("3003", "disdik", "2025-09-01"),
    report("3004", "disdik", "2025-09-02"),
    report("4001", "dispendukcapil", "2025-09-01"),
    report("4002", "dispendukcapil", "2025-09-02"),
    report("4003", "dispendukcapil", "2025-09-03"),
    report("4004", "dispendukcapil", "2025-09-04"),
    report("5001", null, "2025-10-05"),
  ]);
  const clocks: ClockSpec[] = [
    // dinkes 2024
    {
      id: "1001",
      stage: "first_response",
      opd: "dinkes",
      outcome: "met",
      days: 1,
      stopped: "2024-03-01",
    },
    {
      id: "1002",
      stage: "first_response",
      opd: "dinkes",
      outcome: "met",
      days: 2,
      stopped: "2024-03-02",
    },
    {
      id: "1003",
      stage: "first_response",
      opd: "dinkes",
      outcome: "met",
      days: 3,
      stopped: "2024-03-03",
    },
    {
      id: "1004",
      stage: "first_response",
      opd: "dinkes",
      outcome: "breached",
      days: 6,
      stopped: "2024-03-04",
    },
    {
      id: "1001",
      stage: "resolution",
      opd: "dinkes",
      outcome: "met",
      days: 4,
      stopped: "2024-04-01",
    },
    {
      id: "1002",
      stage: "resolution",
      opd: "dinkes",
      outcome: "met",
      days: 10,
      stopped: "2024-04-02",
    },
    {
      id: "1003",
      stage: "resolution",
      opd: "dinkes",
      outcome: "breached",
      days: 20,
      stopped: "2024-04-03",
    },
    {
      id: "1004",
      stage: "resolution",
      opd: "dinkes",
      outcome: "breached",
      days: 16,
      stopped: "2024-04-04",
    },
    {
      id: "1004",
      stage: "resolution",
      opd: "dinkes",
      outcome: "redisposed",
      days: 1,
      stopped: "2024-04-05",
    },
    // dinkes 2025 (October, WIB)
    {
      id: "2001",
      stage: "first_response",
      opd: "dinkes",
      outcome: "met",
      hours: 4,
      stopped: "2025-10-06",
    },
    {
      id: "2002",
      stage: "first_response",
      opd: "dinkes",
      outcome: "met",
      days: 1.25,
      stopped: "2025-10-07",
    },
    {
      id: "2003",
      stage: "first_response",
      opd: "dinkes",
      outcome: "met",
      days: 1.25,
      stopped: "2025-10-08",
    },
    {
      id: "2005",
      stage: "first_response",
      opd: "dinkes",
      outcome: "met",
      days: 2,
      stopped: "2025-10-09",
    },
    {
      id: "2000",
      stage: "first_response",
      opd: "dinkes",
      outcome: "breached",
      days: 7,
      stopped: "2025-10-10",
    },
    {
      id: "2001",
      stage: "resolution",
      opd: "dinkes",
      outcome: "met",
      days: 3,
      stopped: "2025-10-11",
    },
    {
      id: "2002",
      stage: "resolution",
      opd: "dinkes",
      outcome: "met",
      days: 5,
      stopped: "2025-10-12",
    },
    {
      id: "2003",
      stage: "resolution",
      opd: "dinkes",
      outcome: "met",
      days: 8,
      stopped: "2025-10-13",
    },
    {
      id: "2000",
      stage: "resolution",
      opd: "dinkes",
      outcome: "breached",
      days: 15.5,
      stopped: "2025-10-14",
    },
    {
      id: "2005",
      stage: "resolution",
      opd: "dinkes",
      outcome: "met",
      days: 1,
      started: "2025-12-01",
      stopped: "2025-12-31T17:30:00Z",
    },
    // disdik
    {
      id: "3001",
      stage: "resolution",
      opd: "disdik",
      outcome: "met",
      days: 1,
      stopped: "2024-05-01",
    },
    {
      id: "3002",
      stage: "resolution",
      opd: "disdik",
      outcome: "met",
      days: 2,
      stopped: "2024-05-02",
    },
    {
      id: "3003",
      stage: "resolution",
      opd: "disdik",
      outcome: "met",
      days: 1,
      stopped: "2025-10-01",
    },
    {
      id: "3004",
      stage: "resolution",
      opd: "disdik",
      outcome: "breached",
      days: 30,
      stopped: "2025-10-02",
    },
    // dispendukcapil
    {
      id: "4001",
      stage: "resolution",
      opd: "dispendukcapil",
      outcome: "met",
      days: 2,
      stopped: "2025-10-03",
    },
    {
      id: "4002",
      stage: "resolution",
      opd: "dispendukcapil",
      outcome: "met",
      days: 3,
      stopped: "2025-10-04",
    },
    {
      id: "4003",
      stage: "resolution",
      opd: "dispendukcapil",
      outcome: "breached",
      days: 12,
      stopped: "2025-10-05",
    },
    {
      id: "4004",
      stage: "resolution",
      opd: "dispendukcapil",
      outcome: "breached",
      days: 14,
      stopped: "2025-10-06",
    },
    // diskominfo verification
    {
      id: "2001",
      stage: "verification",
      opd: "diskominfo",
      outcome: "met",
      days: 0.5,
      stopped: "2025-10-02",
    },
    {
      id: "2002",
      stage: "verification",
      opd: "diskominfo",
      outcome: "met",
      days: 1,
      stopped: "2025-10-03",
    },
    // open at the end of October 2025
    {
      id: "2001",
      stage: "resolution",
      opd: "dinkes",
      outcome: "open",
      started: "2025-10-01",
      due: "2025-10-20",
    },
    {
      id: "2002",
      stage: "resolution",
      opd: "dinkes",
      outcome: "cancelled",
      started: "2025-10-05",
      due: "2025-10-25",
      stopped: "2025-11-10",
    },
    {
      id: "2003",
      stage: "resolution",
      opd: "dinkes",
      outcome: "open",
      started: "2025-10-10",
      due: "2025-11-05",
    },
    {
      id: "2005",
      stage: "resolution",
      opd: "dinkes",
      outcome: "open",
      started: "2025-10-15",
      due: "2025-10-31T17:00:00Z",
    },
    {
      id: "2003",
      stage: "first_response",
      opd: "dinkes",
      outcome: "cancelled",
      started: "2025-10-03",
      due: "2025-10-20",
      stopped: "2025-10-31T16:59:00Z",
    },
    {
      id: "3003",
      stage: "resolution",
      opd: "disdik",
      outcome: "open",
      started: "2025-11-02",
      due: "2025-11-03",
    },
  ];
  await knex("sla_clocks").insert(clocks.map(clockRow));
  const escalation = (i: number, level: number, status: string, at: string) => ({
    decision_key: `2001|resolution|${i}|${level}`,
    tracking_id: "2001",
    stage: "resolution",
    seq: i,
    level,
    opd: "dinkes",
    status,
    trigger: "overdue",
    step_at: utc(at),
    decided_at: utc(at),
    scan_id: "test",
    sent_at: status === "sent" ? utc(at) : null,
  });
  await knex("escalations").insert([
    escalation(1, 0, "sent", "2024-06-01"),
    escalation(2, 1, "sent", "2025-10-10"),
    escalation(3, 1, "sent", "2025-10-11"),
    escalation(4, 2, "sent", "2025-10-12"),
    escalation(5, 0, "pending", "2025-10-13"),
    escalation(6, 1, "cancelled", "2025-10-14"),
  ]);
}
