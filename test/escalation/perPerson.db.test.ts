// One message per person per scan, on a real database (embedded PGlite or PostgreSQL) with a
// real SMTP server: many agencies late at once, a supervisor who is addressee of one escalation
// and copy of another, the daily digest once per person per working day, a crash before the
// notify step, two notify steps at once, and the outbox migration with a pending old-shape email.
import { expect } from "chai";
import { bootstrap } from "../../src/app/bootstrap.js";
import { decideDue } from "../../src/scan/escalationScan.js";
import type { AppContext } from "../../src/context/appContext.js";
import { openDatabase } from "../../src/db/connect.js";
import { migrateLatest, migrateUpTo } from "../../src/db/migrate.js";
import { EscalationRun } from "../../src/scan/escalationRun.js";
import { runNotifyStep } from "../../src/scan/notifyStep.js";
import { listOutbox, type OutboxMessage } from "../../src/outbox/outboxStore.js";
import { OutboxSender } from "../../src/outbox/sender.js";
import { ITEMS_LISTED } from "../../src/core/escalation/listing.js";
import { createLogger } from "../../src/log.js";
import { createTestApp, testConfig, wib, type TestApp } from "../helpers/app.js";
import { createEmptyDatabase, testBackend, testDatabaseUrl } from "../helpers/db.js";
import {
  addressesOf,
  dpubmReport,
  ESCALATED,
  importOfficers,
  importReports,
  IMPORTED,
  OFFICERS_CSV,
  OVERDUE,
  scanAndSend,
  startSmtp,
  type ReceivedMail,
  type TestSmtp,
} from "./helpers.js";

const AGENCIES = [
  "dpubm",
  "dishub",
  "dlh",
  "dinsos",
  "disdik",
  "dkp",
  "dispora",
  "disnaker",
  "diskan",
  "dpusda",
];
const COORDINATOR = "koordinator@malangkab.example";

function officersOfAgencies(): string {
  const lines = [
    "opd,role,name,email,valid_from,valid_to,decree",
    `,coordinator,Dewi Anggraini,${COORDINATOR},2024-01-02,,SK 1/2024`,
    ",leadership,Tim Pengelola,pimpinan@malangkab.example,2024-01-02,,SK 2/2024",
  ];
  AGENCIES.forEach((opd, i) => {
    lines.push(
      `${opd},liaison,Penghubung ${i},penghubung.${opd}@malangkab.example,2024-01-02,,SK L${i}`,
    );
    lines.push(
      `${opd},supervisor,Kepala ${i},kepala.${opd}@malangkab.example,2024-01-02,,SK S${i}`,
    );
  });
  return lines.join("\n");
}

const to = (r: ReceivedMail): string => addressesOf(r.parsed.to).join(",");

function perPerson(received: readonly ReceivedMail[]): Map<string, ReceivedMail[]> {
  const out = new Map<string, ReceivedMail[]>();
  for (const r of received) out.set(to(r), [...(out.get(to(r)) ?? []), r]);
  return out;
}

describe(`one message per person per scan (${testBackend})`, function () {
  this.timeout(180_000);
  let app: TestApp;
  let smtp: TestSmtp;

  beforeEach(async () => {
    app = await createTestApp(IMPORTED);
    smtp = await startSmtp();
  });
  afterEach(async () => {
    await smtp.close();
    await app.close();
  });

  it("many agencies late at once: the coordinator gets one message holding all of them", async () => {
    await importOfficers(app.ctx, officersOfAgencies(), IMPORTED);
    const reports = AGENCIES.flatMap((opd, i) => [
      dpubmReport(`${5000 + i * 2}`, { opd }),
      dpubmReport(`${5001 + i * 2}`, { opd }),
    ]);
    await importReports(app.ctx, reports, IMPORTED);
    const step = await scanAndSend(app.ctx, smtp, OVERDUE);
    expect(step.scan.escalation.decided).to.equal(20);
    // The coordinator, and per agency its supervisor and its liaison.
    const people = 1 + 2 * AGENCIES.length;
    await smtp.waitFor(people);
    await scanAndSend(app.ctx, smtp, OVERDUE + 600_000);
    expect(smtp.received).to.have.length(people);
    const byPerson = perPerson(smtp.received);
    expect(byPerson.size).to.equal(people);
    for (const list of byPerson.values()) expect(list).to.have.length(1);
    const mail = byPerson.get(COORDINATOR)![0]!.parsed;
    expect(addressesOf(mail.cc)).to.deep.equal([]);
    expect(mail.subject).to.equal("[Pantau] 20 laporan dari 10 perangkat daerah: 20 tembusan");
    expect(mail.text).to.include("Pantau mencatat untuk Anda: 20 tembusan.");
    for (const r of reports) expect(mail.text).to.include(`Laporan ${r.trackingId}`);
    // Grouped by agency, each item saying who else was told.
    expect(mail.text).to.include("-- Dinas Lingkungan Hidup (dlh) --");
    expect(mail.text).to.include(
      "Juga diberitahukan kepada: Kepala 2 (atasan (Kepala OPD) Dinas Lingkungan Hidup); Penghubung 2",
    );
    const head = byPerson.get("kepala.dlh@malangkab.example")![0]!.parsed;
    expect(head.text).to.include("Perlu tindakan Anda (2)");
    expect(head.text).not.to.include("Laporan 5000");
  });

  it("a supervisor addressee of one escalation and copy of another gets one message holding both", async () => {
    await importOfficers(app.ctx, OFFICERS_CSV, IMPORTED);
    await importReports(
      app.ctx,
      [
        // Due Wed 12 Mar: still open 3 working days later on Mon 17 Mar → level 2 (leadership,
        // copy to the supervisor).
        dpubmReport("6001"),
        // Due Fri 14 Mar: overdue on Mon 17 Mar → level 1 (to the supervisor).
        dpubmReport("6002", {
          milestones: {
            disposedAt: wib("2025-03-06T09:00"),
            firstResponseAt: wib("2025-03-07T10:00"),
          },
        }),
      ],
      IMPORTED,
    );
    const step = await scanAndSend(app.ctx, smtp, ESCALATED);
    expect(step.scan.escalation.decided).to.equal(2);
    // Supervisor, liaison, coordinator, leadership: one each.
    await smtp.waitFor(4);
    const byPerson = perPerson(smtp.received);
    expect([...byPerson.keys()].sort()).to.deep.equal([
      "kepala.dpubm@malangkab.example",
      COORDINATOR,
      "penghubung.dpubm@malangkab.example",
      "pimpinan@malangkab.example",
    ]);
    const head = byPerson.get("kepala.dpubm@malangkab.example")!;
    expect(head).to.have.length(1);
    const text = head[0]!.parsed.text ?? "";
    expect(head[0]!.parsed.subject).to.equal(
      "[Pantau] 2 laporan Dinas Pekerjaan Umum Bina Marga: 1 perlu tindakan Anda, 1 tembusan",
    );
    const act = text.indexOf("== Perlu tindakan Anda (1) ==");
    const copy = text.indexOf("== Tembusan, untuk diketahui (1) ==");
    expect(act).to.be.greaterThan(-1);
    expect(copy).to.be.greaterThan(act);
    expect(text.indexOf("Laporan 6002")).to.be.within(act, copy);
    expect(text.indexOf("Laporan 6001")).to.be.greaterThan(copy);
    expect(text).to.include("Tim Pengelola (Tim Pengelola (pimpinan))");
  });

  it("sends the daily digest once per person per working day", async () => {
    // One officer heads two agencies: one digest for both.
    const csv = OFFICERS_CSV.replace(
      "dishub,supervisor,Heru Wibowo,kepala.dishub@malangkab.example",
      "dishub,supervisor,Wahyu Nugroho,kepala.dpubm@malangkab.example",
    );
    await importOfficers(app.ctx, csv, IMPORTED);
    await importReports(
      app.ctx,
      [dpubmReport("7001"), dpubmReport("7002", { opd: "dishub" })],
      IMPORTED,
    );
    await scanAndSend(app.ctx, smtp, OVERDUE); // 07:00: escalations, no digest yet
    await scanAndSend(app.ctx, smtp, wib("2025-03-13T08:00"));
    await scanAndSend(app.ctx, smtp, wib("2025-03-13T09:00"));
    await scanAndSend(app.ctx, smtp, wib("2025-03-14T08:05"));
    const digests = smtp.received.filter((r) => r.parsed.subject?.includes("Pengingat harian"));
    expect(digests.map(to)).to.deep.equal([
      "kepala.dpubm@malangkab.example",
      "kepala.dpubm@malangkab.example",
    ]);
    expect(digests[0]!.parsed.text).to.include("Laporan 7001");
    expect(digests[0]!.parsed.text).to.include("Laporan 7002");
    // The escalation at 07:00 reached the head of both agencies once too.
    const escalations = smtp.received.filter((r) => !r.parsed.subject?.includes("Pengingat"));
    expect(escalations.filter((r) => to(r) === "kepala.dpubm@malangkab.example")).to.have.length(1);
  });

  it("holds the digest of someone this scan already wrote to until the next scan", async () => {
    await importOfficers(app.ctx, OFFICERS_CSV, IMPORTED);
    await importReports(app.ctx, [dpubmReport("7101")], IMPORTED);
    // The first scan of the day comes after the digest hour: the escalation is decided then too.
    const first = await scanAndSend(app.ctx, smtp, wib("2025-03-12T08:30"));
    expect(first.scan.escalation.decided).to.be.greaterThan(0);
    const firstCount = first.scan.escalation.emailsQueued;
    await smtp.waitFor(firstCount);
    // Everyone got at most one message from this scan, and no digest yet.
    const byPerson = perPerson(smtp.received);
    for (const list of byPerson.values()) expect(list).to.have.length(1);
    expect(smtp.received.filter((r) => r.parsed.subject?.includes("Pengingat"))).to.deep.equal([]);
    expect(first.scan.escalation.reminders).to.equal(0);

    // The next scan sends the held digests, once; the one after sends nothing more.
    const second = await scanAndSend(app.ctx, smtp, wib("2025-03-12T08:35"));
    expect(second.scan.escalation.reminders).to.be.greaterThan(0);
    await smtp.waitFor(firstCount + second.scan.escalation.reminders);
    const third = await scanAndSend(app.ctx, smtp, wib("2025-03-12T08:40"));
    expect(third.scan.escalation.reminders).to.equal(0);
    const digests = smtp.received.filter((r) => r.parsed.subject?.includes("Pengingat harian"));
    expect(digests).to.have.length(second.scan.escalation.reminders);
    expect(new Set(digests.map(to)).size).to.equal(digests.length);
    expect(digests.map(to)).to.include("kepala.dpubm@malangkab.example");
    expect(digests[0]!.parsed.text).to.include("Laporan 7101");
  });

  it("lists at most ITEMS_LISTED items per person, counts the rest, and never sends them again", async () => {
    // 20 late reports in each of 10 agencies, then 5 more of dpubm whose keys sort last: the
    // coordinator is copied on 205 items, one message lists 200 and counts dpubm's 5.
    await importOfficers(app.ctx, officersOfAgencies(), IMPORTED);
    const reports = AGENCIES.flatMap((opd, i) =>
      Array.from({ length: 20 }, (_, j) => dpubmReport(`${5000 + i * 20 + j}`, { opd })),
    );
    for (let j = 0; j < 5; j++) reports.push(dpubmReport(`${9990 + j}`));
    await importReports(app.ctx, reports, IMPORTED);
    const step = await scanAndSend(app.ctx, smtp, OVERDUE);
    expect(step.scan.escalation.decided).to.equal(205);
    const people = 1 + 2 * AGENCIES.length;
    await smtp.waitFor(people);
    await scanAndSend(app.ctx, smtp, OVERDUE + 600_000);
    expect(smtp.received).to.have.length(people);
    const mails = perPerson(smtp.received).get(COORDINATOR)!;
    expect(mails).to.have.length(1);
    const mail = mails[0]!.parsed;
    expect(mail.subject).to.equal("[Pantau] 205 laporan dari 10 perangkat daerah: 205 tembusan");
    expect(mail.text).to.include("Tembusan, untuk diketahui (205)");
    const listed = (mail.text ?? "").match(/^\d+\. Laporan \d+/gm) ?? [];
    expect(listed).to.have.length(ITEMS_LISTED);
    for (let j = 0; j < 5; j++) expect(mail.text).not.to.include(`Laporan ${9990 + j}`);
    expect(mail.text).to.include("5 laporan lain juga tercatat untuk Anda di pesan ini");
    expect(mail.text).to.include("(5 tembusan): lihat `pantau status --opd dpubm`");
    // Every item it carries, listed or counted, is recorded as delivered in that message.
    const rows = (await app.ctx.db
      .knex("notification_deliveries")
      .where({ person: COORDINATOR, channel: "email" })
      .select("outbox_id")) as { outbox_id: number | string }[];
    expect(rows).to.have.length(205);
    expect(new Set(rows.map((r) => Number(r.outbox_id))).size).to.equal(1);
    const decisions = (await app.ctx.db
      .knex("escalations")
      .where({ status: "pending" })
      .count({ n: "*" })) as { n: number | string }[];
    expect(Number(decisions[0]!.n)).to.equal(0);
  });

  it("a scan's own decisions held in memory, merged with those a crash left, compose the messages that reading all back would", async () => {
    // 105 reports decided by a scan that stopped before its notify step, then 105 more whose
    // keys interleave with them decided by the next scan: the coordinator is copied on 210
    // items, the message lists the first 200 in the notify step's order. Composed once from
    // memory merged with the cursor, and once (a second database) from the cursor alone.
    const compose = async (target: TestApp, decidedInMemory?: number) => {
      await importOfficers(target.ctx, officersOfAgencies(), IMPORTED);
      const left = Array.from({ length: 105 }, (_, i) => dpubmReport(`${6000 + 2 * i}`));
      const later = Array.from({ length: 105 }, (_, i) => dpubmReport(`${6001 + 2 * i}`));
      await importReports(target.ctx, left, IMPORTED);
      await decideDue(target.ctx, new EscalationRun(target.ctx, OVERDUE, "crashed"), OVERDUE);
      await importReports(target.ctx, later, IMPORTED);
      const at = OVERDUE + 300_000;
      const run = new EscalationRun(target.ctx, at, "next", { decidedInMemory });
      await decideDue(target.ctx, run, at);
      expect(run.counts.decided).to.equal(105);
      await runNotifyStep(target.ctx, run, at);
      const messages = (await target.ctx.db
        .knex("outbox")
        .orderBy("dedupe_key")
        .select("dedupe_key", "to", "cc", "subject", "text", "html", "items")) as {
        to: unknown;
        text: string;
      }[];
      const pairs = (await target.ctx.db
        .knex("notification_deliveries")
        .join("outbox", "outbox.id", "notification_deliveries.outbox_id")
        .orderBy(["item_key", "person"])
        .select(
          "item_key",
          "person",
          "notification_deliveries.channel",
          "outbox.dedupe_key",
        )) as unknown[];
      return { messages, pairs };
    };
    const fromMemory = await compose(app);
    const reference = await createTestApp(IMPORTED);
    try {
      const readBack = await compose(reference, 0);
      expect(fromMemory.messages).to.have.length(3);
      expect(fromMemory.pairs).to.have.length(3 * 210);
      expect(fromMemory).to.deep.equal(readBack);
    } finally {
      await reference.close();
    }
    const coordinator = fromMemory.messages.find((m) =>
      JSON.stringify(m.to).includes(COORDINATOR),
    )!;
    const listed = (coordinator.text.match(/^\d+\. Laporan \d+/gm) ?? []).map((l) =>
      Number(l.replace(/^.* /, "")),
    );
    expect(listed).to.have.length(ITEMS_LISTED);
    // The first 200 by key (their due instants are equal), from both scans.
    expect([...listed].sort((a, b) => a - b)).to.deep.equal(
      Array.from({ length: ITEMS_LISTED }, (_, i) => 6000 + i),
    );
  });

  it("composes at the next scan what a crash before the notify step left uncomposed", async () => {
    await importOfficers(app.ctx, OFFICERS_CSV, IMPORTED);
    await importReports(app.ctx, [dpubmReport("8001"), dpubmReport("8002")], IMPORTED);
    // The batches commit their decisions, then the process dies before the notify step.
    const crashed = new EscalationRun(app.ctx, OVERDUE, "crashed");
    await decideDue(app.ctx, crashed, OVERDUE, { batchSize: 500 });
    expect(crashed.counts.decided).to.equal(2);
    expect(await listOutbox(app.ctx.db.knex)).to.have.length(0);

    await scanAndSend(app.ctx, smtp, OVERDUE + 300_000);
    await scanAndSend(app.ctx, smtp, OVERDUE + 600_000);
    await smtp.waitFor(3);
    expect(smtp.received.map(to).sort()).to.deep.equal([
      "kepala.dpubm@malangkab.example",
      COORDINATOR,
      "penghubung.dpubm@malangkab.example",
    ]);
    const statuses = (await app.ctx.db
      .knex("escalations")
      .where({ level: 1 })
      .pluck("status")) as string[];
    expect(statuses).to.deep.equal(["sent", "sent"]);
  });

  it("two notify steps at once compose each (item, person) once", async () => {
    await importOfficers(app.ctx, OFFICERS_CSV, IMPORTED);
    await importReports(app.ctx, [dpubmReport("8101"), dpubmReport("8102")], IMPORTED);
    const run = new EscalationRun(app.ctx, OVERDUE, "first");
    await decideDue(app.ctx, run, OVERDUE, { batchSize: 500 });
    let other: AppContext = { ...app.ctx, instanceId: "second" };
    let closeOther = async (): Promise<void> => undefined;
    if (testBackend === "postgres") {
      const db = await openDatabase({
        databaseUrl: testDatabaseUrl,
        dataDir: "",
        command: "test-2",
        schema: app.db.schema ?? undefined,
      });
      other = await bootstrap({
        command: "test-2",
        config: testConfig(),
        db,
        logger: createLogger({ level: "error", silent: true }),
        now: OVERDUE,
      });
      closeOther = () => db.close();
    }
    try {
      const second = new EscalationRun(other, OVERDUE, "second");
      await Promise.all([
        runNotifyStep(app.ctx, run, OVERDUE),
        runNotifyStep(other, second, OVERDUE),
      ]);
      expect(run.counts.emailsQueued + second.counts.emailsQueued).to.equal(3);
    } finally {
      await closeOther();
    }
    const pairs = (await app.ctx.db
      .knex("notification_deliveries")
      .select("item_key", "person")) as { item_key: string; person: string }[];
    expect(pairs).to.have.length(6);
    const outbox = await listOutbox(app.ctx.db.knex);
    expect(outbox.map((m) => m.to[0]).sort()).to.deep.equal([
      "kepala.dpubm@malangkab.example",
      COORDINATOR,
      "penghubung.dpubm@malangkab.example",
    ]);
  });
});

describe(`outbox migration to per-person deliveries (${testBackend})`, function () {
  this.timeout(120_000);

  it("keeps a pending email of the old shape, sends it once and marks its decision sent", async () => {
    const { db, drop } = await createEmptyDatabase();
    try {
      await migrateUpTo(db.knex, "20261129140000_import_files");
      const at = new Date("2025-03-12T00:00:00Z");
      const key = "9100|resolution|1|1";
      await db.knex.transaction(async (trx) => {
        await trx.raw("SET LOCAL session_replication_role = replica");
        await trx("outbox").insert({
          id: 1,
          dedupe_key: `escalation|kepala.dpubm@malangkab.example|${key}`,
          message_id: "<old@pantau.kabupaten-malang>",
          kind: "escalation",
          to: JSON.stringify(["kepala.dpubm@malangkab.example"]),
          cc: JSON.stringify([
            "Koordinator@malangkab.example",
            "penghubung.dpubm@malangkab.example",
          ]),
          recipient_names: JSON.stringify({}),
          subject: "[Pantau] 1 laporan melewati batas waktu",
          text: "old shape",
          html: "<p>old shape</p>",
          headers: JSON.stringify({}),
          items: JSON.stringify([key]),
          state: "pending",
          attempts: 0,
          next_attempt_at: at,
          created_at: at,
        });
        await trx("escalations").insert({
          decision_key: key,
          tracking_id: "9100",
          stage: "resolution",
          seq: 1,
          level: 1,
          opd: "dpubm",
          status: "pending",
          trigger: "due",
          step_at: at,
          decided_at: at,
          scan_id: "old",
          email_id: 1,
        });
      });
      await migrateLatest(db.knex);
      const pairs = (await db
        .knex("notification_deliveries")
        .orderBy("person")
        .select("item_key", "person", "channel", "outbox_id")) as Record<string, unknown>[];
      expect(
        pairs.map((p) => [p.item_key, p.person, p.channel, Number(p.outbox_id)]),
      ).to.deep.equal([
        [key, "kepala.dpubm@malangkab.example", "email", 1],
        [key, COORDINATOR, "email", 1],
        [key, "penghubung.dpubm@malangkab.example", "email", 1],
      ]);
      const [row] = (await db.knex("escalations").select("composed_at")) as {
        composed_at: Date | null;
      }[];
      expect(row!.composed_at).to.not.equal(null);

      const ctx = await bootstrap({
        command: "test",
        config: testConfig(),
        db,
        logger: createLogger({ level: "error", silent: true }),
        now: at.getTime(),
      });
      const sent: OutboxMessage[] = [];
      const sender = new OutboxSender(ctx, {
        clock: () => at.getTime(),
        transport: {
          description: "memory",
          send: async (m) => {
            sent.push(m);
          },
          close: async () => undefined,
        },
      });
      await sender.runOnce();
      await sender.runOnce();
      await sender.stop();
      expect(sent.map((m) => [m.messageId, m.cc.length])).to.deep.equal([
        ["<old@pantau.kabupaten-malang>", 2],
      ]);
      const [after] = (await db.knex("escalations").select("status")) as { status: string }[];
      expect(after!.status).to.equal("sent");
    } finally {
      await drop();
    }
  });
});
